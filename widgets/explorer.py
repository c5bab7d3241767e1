"""Sliders for the inputs of a small function: its output, graph and gradients follow live.

    from widgets import Explorer
    Explorer(lambda x: (3 * (x + 2) ** 2).mean(), x=minigrad.tensor([[1., 2.], [3., 4.]]))

One slider per element of each input. At every change ``explore_view`` (pure: no widget)
runs ``f`` on fresh leaves holding the sliders' values, one backward pass through the engine
(``minigrad.autograd.backward_steps``), and draws the graph with its values and gradients;
``Explorer`` only wires the sliders to it. The caller's tensors are only read, never changed.
"""
import html
from typing import NamedTuple

import ipywidgets as W
import numpy as np

import minigrad
from minigrad._graph import edge_to

from . import display, labels, panel

MAX_SLIDERS = 16  # per input: the explorer is for the small functions of a lesson


class ExploreView(NamedTuple):
    """One evaluation of ``f`` at the sliders' values, ready to show."""

    values: dict  # {input name: numpy array}
    out: object  # f's output (a tensor)
    grads: dict  # {input name: its .grad after one backward from out (None: out ignores it)}
    seed: str  # how the backward pass was seeded ("1", "ones", or "gradient")
    graph: object  # display.GraphView (backward view: values and gradient on every edge)
    text: str  # deterministic plain text
    html: str


def _array(value):
    """An input's values as a float numpy array (a tensor's dtype kept; numbers: float32)."""
    t = value if isinstance(value, minigrad.Tensor) else minigrad.as_tensor(value)
    t = t.detach()
    if not t.is_floating_point():
        t = t.to(minigrad.get_default_dtype())
    return t.numpy().copy()


def _value(t):
    return "None" if t is None else " ".join(line.strip() for line in labels.value_lines(t))


def explore_view(f, values, *, gradient=None, backend=None):
    """ExploreView of ``out = f(**leaves)``, leaves made from ``values`` ({name: array-like});
    the gradients are the leaves' ``.grad`` after ``out.backward(gradient)`` (a non-scalar
    ``out`` without ``gradient`` is seeded with ones, the gradient of ``out.sum()``)."""
    from minigrad.autograd import backward_steps
    arrays = {name: _array(v) for name, v in values.items()}
    leaves = {name: minigrad.from_numpy(a.copy()).requires_grad_(True)
              for name, a in arrays.items()}
    out = f(**leaves)
    if not isinstance(out, minigrad.Tensor):
        raise TypeError(f"f must return a minigrad tensor, got {type(out).__name__}")
    steps, seed_text = None, "no gradient: out does not depend on the inputs"
    if out.requires_grad:
        if gradient is not None:
            seed, seed_text = minigrad.as_tensor(gradient).to(out.dtype).reshape(out.shape), \
                "gradient"
        else:
            seed = minigrad.ones_like(out.detach())
            seed_text = "1" if out.numel() == 1 else "ones"
        # retain_graph: the graph is drawn after the pass, with the gradients it recorded
        steps = list(backward_steps([edge_to(out)], [seed], retain_graph=True))
    grads = {name: leaf.grad for name, leaf in leaves.items()}
    names = {**leaves, "out": out}
    graph = display.draw_graph(out, names=names, view="backward", steps=steps, backend=backend)
    text = _text(arrays, out, grads, seed_text)
    return ExploreView(arrays, out, grads, seed_text, graph, text, _html(arrays, out, grads,
                                                                          seed_text))


def _text(arrays, out, grads, seed_text):
    lines = [f"Explorer: out = {_value(out.detach())}"]
    for name, a in arrays.items():
        lines.append(f"  {name} = {_value(minigrad.from_numpy(a))}   "
                     f"∂out/∂{name} = {_value(grads[name])}")
    if seed_text == "ones":
        lines.append("  (out is not a scalar: backward seeded with ones, the gradient of "
                     "out.sum())")
    return "\n".join(lines)


def _html(arrays, out, grads, seed_text):
    e = html.escape
    rows = [f"<tr><th style='text-align:left'>out</th><td><code>{e(_value(out.detach()))}"
            "</code></td></tr>"]
    for name, a in arrays.items():
        rows.append(f"<tr><th style='text-align:left'>{e(name)}</th><td><code>"
                    f"{e(_value(minigrad.from_numpy(a)))}</code></td>"
                    f"<th style='text-align:left'>∂out/∂{e(name)}</th><td><code>"
                    f"{e(_value(grads[name]))}</code></td></tr>")
    note = ("<p>out is not a scalar: backward seeded with ones (the gradient of out.sum()).</p>"
            if seed_text == "ones" else "")
    return ("<table class='minigrad-explorer' style='border-collapse:collapse'>"
            + "".join(rows) + "</table>" + note)


def _element_labels(name, shape):
    if len(shape) == 0:
        return [name]
    return [f"{name}[{', '.join(str(i) for i in idx)}]" for idx in np.ndindex(*shape)]


def default_range(array, step):
    """(min, max) of a slider: the values with room either side (at least 2, their own
    spread, and their largest size), on the slider's step."""
    lo, hi = float(np.min(array)), float(np.max(array))
    room = max(2.0, hi - lo, abs(lo), abs(hi))
    return (float(np.floor((lo - room) / step) * step), float(np.ceil((hi + room) / step) * step))


class Explorer(W.VBox):
    """Sliders for the inputs of ``f`` (one per element), given as keywords with their starting
    values (``Explorer(f, x=tensor)``); the output, the graph's values and the gradients update
    at every change.

    ranges: {input name: (min, max)} (default: around the starting values); step: the
    sliders' step; gradient: the seed of backward for a non-scalar output (default ones).
    ``sliders[name]`` lists an input's sliders in row-major order. renderer: the function
    evaluating and drawing (default ``explore_view``); an error it raises is shown in the widget.
    """

    def __init__(self, f, *, ranges=None, step=0.1, gradient=None, backend=None, renderer=None,
                 **inputs):
        if not inputs:
            raise TypeError("Explorer needs the inputs of f as keywords with their starting "
                            "values, e.g. Explorer(f, x=minigrad.tensor([1.0, 2.0]))")
        self.f = f
        self.gradient = gradient
        self.backend = backend
        self.renderer = renderer or explore_view
        self.view = None
        self.error = None
        ranges = dict(ranges or {})
        self._shapes, self._dtypes, self.sliders = {}, {}, {}
        rows = []
        for name, value in inputs.items():
            array = _array(value)
            if array.size > MAX_SLIDERS:
                raise ValueError(f"Explorer shows one slider per element: {name} has "
                                 f"{array.size} elements (at most {MAX_SLIDERS})")
            lo, hi = ranges.get(name) or default_range(array, step)
            self._shapes[name], self._dtypes[name] = array.shape, array.dtype
            self.sliders[name] = [
                W.FloatSlider(value=float(v), min=lo, max=hi, step=step, description=label,
                              continuous_update=True, readout_format=".2f"
                              ).add_class("minigrad-explorer-slider")
                for v, label in zip(array.reshape(-1), _element_labels(name, array.shape))]
            rows.append(W.HBox(self.sliders[name], layout=W.Layout(flex_flow="row wrap")))
        # the minigrad-explorer-* classes are stable hooks for the browser tests and for styling
        self.info = W.HTML().add_class("minigrad-explorer-info")
        self.error_box = W.HTML().add_class("minigrad-explorer-error")
        self.picture = W.Output().add_class("minigrad-explorer-picture")
        super().__init__(rows + [self.error_box, self.info, self.picture])
        self.add_class("minigrad-explorer-widget")
        for sliders in self.sliders.values():
            for slider in sliders:
                slider.observe(self._on_change, names="value")
        self._show()

    @property
    def values(self):
        """{input name: numpy array} of the sliders' values."""
        return {name: np.array([s.value for s in sliders], dtype=self._dtypes[name])
                .reshape(self._shapes[name]) for name, sliders in self.sliders.items()}

    def _on_change(self, change):
        self._show()

    def _show(self):
        """Evaluate at the sliders' values and show it; an error is shown, never raised."""
        panel.render_into(self, lambda: self.renderer(self.f, self.values, gradient=self.gradient,
                                                      backend=self.backend))

    @property
    def text(self):
        """What the widget shows, as deterministic plain text."""
        if self.error is not None:
            return f"Explorer: error\n{self.error}"
        return self.view.text

    def __repr__(self):
        return self.text.splitlines()[0]

    def _repr_mimebundle_(self, **kwargs):
        try:  # never raises: this is what a notebook keeps when no kernel runs
            bundle = super()._repr_mimebundle_(**kwargs)
        except Exception:  # noqa: BLE001
            bundle = {}
        if self.view is None:
            return panel.static_bundle(bundle, self.text, panel.error_html(self.text))
        return panel.static_bundle(bundle, self.text,
                                   self.view.html + panel.svg_img(self.view.graph))
