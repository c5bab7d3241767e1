"""``draw_graph``: the computation graph behind a tensor, shown inline in Jupyter.

    from widgets import draw_graph
    draw_graph(out)                   # forward view: names, shapes, values, .grad, badges
    draw_graph(out, view="backward")  # the same graph with the gradient flowing on each edge

The result is a ``GraphView``: Jupyter's rich display shows it (SVG when a renderer is found, else
its DOT source and a one-line install hint: never an error in a cell); ``.source`` is the DOT
text and ``.save("graph.svg")`` writes a file.
"""
import base64
import html
import inspect
import os
import warnings

from . import flow as _flow
from . import nodes, render
from .graph import build_graph


class GraphView:
    """A drawn computation graph: ``.graph`` (graphviz.Digraph), ``.source`` (DOT text),
    ``.save(path)``; displays itself in Jupyter."""

    def __init__(self, digraph, summary, backend=None):
        self.graph = digraph
        self.summary = summary
        self.backend = backend  # None: the first renderer found; "dot", "graphviz-pure", "source"
        self._rendered = {}

    @property
    def source(self):
        """The DOT text of the graph (the same text on every run for the same graph)."""
        return self.graph.source

    def render(self, format="svg"):
        """``render.Rendered`` of this graph in ``format``, rendered once and kept."""
        if format not in self._rendered:
            self._rendered[format] = render.render(self.source, format, self.backend)
        return self._rendered[format]

    def save(self, path, format=None):
        """Write the graph to ``path`` (format from the suffix: .svg, .png, or .gv/.dot for the
        DOT text). Without a renderer it writes the DOT text beside it and warns. Returns the
        path written."""
        path = os.fspath(path)
        format = format or os.path.splitext(path)[1].lstrip(".").lower() or "svg"
        if format in ("gv", "dot"):
            return _write(path, self.source.encode("utf-8"))
        done = self.render(format)
        if done.data is None:
            fallback = os.path.splitext(path)[0] + ".gv"
            warnings.warn(f"{render.INSTALL_HINT} Wrote the DOT source to {fallback} instead "
                          f"({done.error}).", RuntimeWarning, stacklevel=2)
            return _write(fallback, self.source.encode("utf-8"))
        return _write(path, done.data)

    def __repr__(self):
        s = self.summary
        more = f", {s.hidden} more not drawn" if s.hidden else ""
        return f"GraphView({s.root}: {s.view} view, {s.nodes} nodes, {s.edges} edges{more})"

    def _repr_mimebundle_(self, include=None, exclude=None):
        # Jupyter calls this to display the object: it must never raise.
        try:
            done = self.render("svg")
        except Exception as error:  # noqa: BLE001  (any failure becomes the text fallback)
            done = render.Rendered(None, "svg", None, "", f"{type(error).__name__}: {error}")
        if done.data is not None:
            return {"image/svg+xml": done.data.decode("utf-8"), "text/plain": repr(self)}
        return {"text/plain": f"{repr(self)}\n{render.INSTALL_HINT}\n{self.source}",
                "text/html": _source_html(self.source)}


def draw_graph(out, *, names=None, view="forward", steps=None, max_nodes=150, focus=None,
               radius=2, modules=None, backend=None, grads=None, state=None):
    """Draw the graph that computed ``out`` (a tensor, or a list of them; minigrad or PyTorch).

    names: {name: tensor} for the labels (default: the variables of the calling frame).
    view: "forward", or "backward" for the gradient flowing back along every edge, computed on
    the graph without touching any ``.grad`` (or taken from ``steps``, recorded Steps).
    max_nodes: drawn nodes at most (the rest summarised); focus/radius: draw only the
    neighbourhood of one tensor; modules: an ``nn.Module`` whose submodules cluster their ops;
    backend: "dot", "graphviz-pure" or "source" to choose the renderer (default: the first found).
    grads: [(tensor, gradient or None)] to show as those tensors' ``.grad`` instead of their own
    (a step of a backward pass that has not filled them yet). state: a ``snapshot.State`` to
    draw from (default: the graph as it is now).
    """
    if backend not in (None, "source") + render.BACKENDS:
        raise ValueError(f"backend must be one of {render.BACKENDS + ('source',)}, got {backend!r}")
    roots = list(out) if isinstance(out, (list, tuple)) else [out]
    for t in roots:
        if not nodes.is_tensor(t):
            raise TypeError(f"draw_graph() expects a tensor (or a list of tensors), got "
                            f"{type(t).__name__}")
    if names is None:
        names = _caller_names(inspect.currentframe().f_back)
    flow = _flow.gradient_flow(roots, steps) if view == "backward" else None
    digraph, summary = build_graph(roots, names=names, view=view, flow=flow,
                                   max_nodes=max_nodes, focus=focus, radius=radius,
                                   modules=modules, grads=grads, state=state)
    return GraphView(digraph, summary, backend)


def _caller_names(frame):
    """{name: tensor} of the tensors the calling code has in variables (its locals, then its
    module's globals); names starting with ``_`` (Jupyter's ``_``, ``_3``...) are skipped."""
    found = {}
    scopes = [frame.f_locals] if frame is not None else []
    if frame is not None and frame.f_globals is not frame.f_locals:
        scopes.append(frame.f_globals)
    for scope in scopes:
        for name, value in list(scope.items()):
            if not name.startswith("_") and name not in found and nodes.is_tensor(value):
                found[name] = value
    return found


class SideBySide:
    """Several drawn graphs in a row, each with its title (e.g. minigrad's and PyTorch's)."""

    def __init__(self, views, titles):
        self.views = list(views)
        self.titles = list(titles)

    def __repr__(self):
        shown = ", ".join(f"{t}: {v!r}" for t, v in zip(self.titles, self.views))
        return f"SideBySide({shown})"

    def _repr_html_(self):
        cells = []
        for title, view in zip(self.titles, self.views):
            try:  # displaying must never raise
                done = view.render("svg")
            except Exception as error:  # noqa: BLE001
                done = render.Rendered(None, "svg", None, "", str(error))
            if done.data is not None:  # as an image: the two SVGs' ids can never clash
                body = ('<img src="data:image/svg+xml;base64,'
                        f'{base64.b64encode(done.data).decode("ascii")}" style="max-width:100%">')
            else:
                body = _source_html(view.source)
            cells.append(f'<figure style="margin:0 1em;flex:1"><figcaption><b>'
                         f'{html.escape(title)}</b></figcaption>{body}</figure>')
        return '<div style="display:flex;align-items:flex-start">' + "".join(cells) + "</div>"


def side_by_side(*views, titles=None):
    """Show ``GraphView``s next to each other, with ``titles`` (escaped) above them."""
    titles = titles or [f"graph {i + 1}" for i in range(len(views))]
    return SideBySide(views, titles)


def _source_html(source):
    return (f"<p>{html.escape(render.INSTALL_HINT)}</p>"
            f"<pre>{html.escape(source)}</pre>")


def _write(path, data):
    with open(path, "wb") as f:
        f.write(data)
    return path
