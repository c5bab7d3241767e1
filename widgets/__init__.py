"""Visualisers for minigrad (and PyTorch) graphs, for Jupyter lessons.

``draw_graph(out)`` draws the computation graph behind a tensor; see ``widgets.display``.
"""
from .display import GraphView, SideBySide, draw_graph, side_by_side
from .graph import build_graph

__all__ = ["draw_graph", "GraphView", "side_by_side", "SideBySide", "build_graph"]
