"""Visualisers for minigrad (and PyTorch) graphs, for Jupyter lessons.

``draw_graph(out)`` draws the computation graph behind a tensor; see ``widgets.display``.
``jacobian_figure``/``jvp_figure``/``broadcast_figure`` picture vᵀJ, J·u and broadcasting's sums
(``widgets.jacobian``); ``BackwardStepper`` steps through a backward pass and ``Explorer`` puts
sliders on a function's inputs (``widgets.stepper``, ``widgets.explorer``); both the stepper and
the graph view also show a backward pass written by hand (``record_steps``, ``widgets.engines``).
"""
from .display import GraphView, SideBySide, draw_graph, side_by_side
from .graph import build_graph

__all__ = ["draw_graph", "GraphView", "side_by_side", "SideBySide", "build_graph",
           "jacobian_figure", "jvp_figure", "broadcast_figure", "BackwardStepper", "Explorer",
           "record_steps"]

# Imported on first use: matplotlib and ipywidgets are slow to import and draw_graph needs neither.
_LAZY = {"jacobian_figure": "jacobian", "jvp_figure": "jacobian", "broadcast_figure": "jacobian",
         "BackwardStepper": "stepper", "Explorer": "explorer", "record_steps": "engines"}


def __getattr__(name):
    if name in _LAZY:
        import importlib
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
