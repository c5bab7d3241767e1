"""Stepping through the backward pass, one node at a time.

    from widgets import BackwardStepper
    BackwardStepper(out)            # scalar out: seeded with 1, as out.backward()
    BackwardStepper(y, gradient=v)  # non-scalar y: seeded with v, as y.backward(v)

The steps are recorded once from the engine's own step generator
(``minigrad.autograd.backward_steps``, the loop ``backward()`` runs), then shown one by one:
``step_view`` (pure: no widget) returns the graph with the current node highlighted and the
gradients that have flowed so far, and the text of the step; ``BackwardStepper`` only wires
controls to it.
"""
import html
import inspect
from typing import NamedTuple

import ipywidgets as W

import minigrad
from minigrad._graph import AccumulateGrad, edge_to

from . import display, labels, nodes, panel, rules, snapshot, walk

HIGHLIGHT = dict(color="#e65100", penwidth="3")
HIGHLIGHT_FILL = "#ffe082"  # the running op


class Sent(NamedTuple):
    """What one step sends along one input of its node."""

    argument: str  # the input's name in the op's rule, as the graph names it (y, t₁, 3...)
    target: str  # who receives it (a tensor's name, or a node's name)
    grad: object  # the gradient sent (None: the input needs no gradient)
    earlier: object  # what the target had already received from earlier senders, or None
    total: object  # earlier + grad when the target is reached again (the ``+=``), else None


class StepView(NamedTuple):
    """Step ``k`` of a recorded backward pass, ready to show."""

    k: int
    count: int
    node: object  # the node that runs at this step
    title: str  # its name (MulBackward0, or AccumulateGrad for the leaf x)
    rule: str  # the op's local derivative rule, from the registry, in the graph's names
    grad_output: object  # the gradient arriving at the node (summed over every path)
    sent: tuple  # Sent, one per input
    grads: dict  # {tensor name: its .grad once this step has run (None: no grad)}
    graph: object  # display.GraphView with the node highlighted
    text: str  # deterministic plain text of the step
    html: str  # the same as HTML


def record_backward(out, gradient=None, *, accumulate=False, engine=None):
    """``(steps, before)``: the Steps of one backward pass from ``out`` seeded with ``gradient``
    (None: 1 for a scalar), run by the engine with ``retain_graph=True``; and {node: .grad
    before the pass (a copy, or None)} of every tensor whose ``.grad`` the pass fills.

    accumulate: False (a dry run: no ``.grad`` changes, no hook runs) or True (the real
    ``out.backward(gradient, retain_graph=True)``: hooks run and ``.grad`` is filled, once).
    engine: None (minigrad's) or another backward pass, called as ``engine(root, seed)``; see
    ``widgets.engines`` for its protocol.
    """
    from minigrad.autograd import _make_grads, backward_steps
    if not isinstance(out, minigrad.Tensor):
        raise TypeError(f"BackwardStepper steps through minigrad's backward pass: out must be "
                        f"a minigrad tensor, got {type(out).__name__}")
    (seed,) = _make_grads([out], [gradient])
    root = edge_to(out)
    if root is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    before = {}
    for node in walk.topological([root]):
        tensor = _filled_tensor(node)
        if tensor is not None:
            before[node] = None if tensor._grad is None else tensor._grad.detach().clone()
    if engine is not None:
        from .engines import run_engine
        return run_engine(engine, root, seed, accumulate=accumulate), before
    steps = list(backward_steps([root], [seed], retain_graph=True, create_graph=False,
                                accumulate=accumulate))
    return steps, before


def _filled_tensor(node):
    """The tensor whose ``.grad`` backward fills at ``node`` (a leaf, or a retain_grad tensor)."""
    if isinstance(node, AccumulateGrad):
        return node.variable
    retained = getattr(node, "_retained", None)
    return retained() if retained is not None else None


def grads_after(steps, k, before):
    """{node: the .grad of its tensor once steps 0..k have run}, from the recorded steps."""
    grads = dict(before)
    for step in steps[:k + 1]:
        if step.node in grads:
            old = grads[step.node]
            g = step.grad_output.detach()
            grads[step.node] = g.clone() if old is None else old + g
    return grads


def _shown_grads(grads):
    """[(tensor, .grad to show)] for the drawing: each filled tensor's ``.grad`` at this step."""
    return [(_filled_tensor(node), g) for node, g in grads.items()
            if _filled_tensor(node) is not None]


def _namer(names):
    by_id = {}
    for name, t in names.items():
        by_id.setdefault(id(t), str(name))
    return by_id


def _tensor_of(node):
    return node.variable if isinstance(node, AccumulateGrad) else nodes.output_of(node)


def _describe(node, by_id):
    """``x`` for a named tensor's node, else ``AddBackward0`` (and ``y (AddBackward0)`` when its
    output is named)."""
    tensor = _tensor_of(node)
    name = by_id.get(id(tensor)) if tensor is not None else None
    name = name or by_id.get(node)  # the name the drawing gave an unnamed tensor (t₁)
    if isinstance(node, AccumulateGrad):
        return name or f"leaf {labels.shape_text(node.variable)}"
    return f"{name} ({node.name()})" if name else node.name()


def _value(t):
    """A tensor's values on one line (``[[4.5, 6.0], [7.5, 9.0]]``), or ``None``."""
    return "None" if t is None else " ".join(line.strip() for line in labels.value_lines(t))


def _sent(steps, k, by_id, box_names):
    """Sent for each input of step k's node, with the ``+=`` of a node reached again; each
    input named as the graph's boxes and rules name it (``box_names``, from the drawing)."""
    received = {}
    for step in steps[:k]:
        for (child, _), g in zip(step.node.next_functions, step.grad_inputs):
            if child is not None and g is not None:
                received[child] = received[child] + g if child in received else g
    step = steps[k]
    argument_names = nodes.argument_names(step.node) if step.node.next_functions else ()
    sent = []
    for i, ((child, _), g) in enumerate(zip(step.node.next_functions, step.grad_inputs)):
        name = box_names.get(child if child is not None else (step.node, i), argument_names[i])
        if child is None or g is None:
            sent.append(Sent(name, "constant (no gradient)", None, None, None))
            continue
        earlier = received.get(child)
        total = None if earlier is None else earlier + g
        received[child] = g if earlier is None else total
        sent.append(Sent(name, _describe(child, by_id), g, earlier, total))
    return tuple(sent)


def _graph_names(names, order):
    """The names that label the graph: tensors of the graph, and tensors needing no gradient
    (a named tensor outside the graph would be drawn as an extra node, shifting the ids)."""
    inside = set()
    for node in order:
        tensor = _tensor_of(node)
        if tensor is not None:
            inside.add(id(tensor))
    return {name: t for name, t in names.items()
            if nodes.is_tensor(t) and (not t.requires_grad or id(t) in inside)}


def _dot_ids(out, order):
    """{node: (id of its drawn item, id of its output's item)}: ids are given in topological
    order, the consumed before the consumer; an op's constant inputs come just before it."""
    if out.grad_fn is None:  # a leaf alone: one item
        return {edge_to(out): ("n0", "n0")}
    ids, n = {}, 0
    for node in reversed(order):
        if walk.is_leaf_node(node):
            ids[node] = (f"n{n}", f"n{n}")
            n += 1
            continue
        n += sum(1 for child, _ in node.next_functions if child is None)
        ids[node] = (f"n{n}", f"n{n + 1}")
        n += 2
    return ids


def _statement(body, item):
    """Index of the DOT statement declaring ``item`` in ``body`` (None if absent)."""
    for i, line in enumerate(body):
        if line.lstrip().startswith(f"{item} ["):
            return i
    return None


def _drawn_as(line, node):
    """True when the DOT statement ``line`` draws ``node`` (a check on the numbering)."""
    if walk.is_leaf_node(node):
        return " class=leaf " in line or " class=output " in line
    label = line.split(" [label=", 1)[1] if " [label=" in line else ""
    return label.lstrip('"').startswith(node.name()) and " class=op" in line


def _highlight(digraph, node, ids):
    """Restyle the item(s) of ``node`` in the DOT body and the edges carrying its gradients
    (the class ``current`` marks them in the DOT and the SVG). False, and nothing restyled,
    when the node is not drawn where expected: better no highlight than a wrong one."""
    body = digraph.body
    item, output = ids.get(node, (None, None))
    at = _statement(body, item) if item is not None else None
    if at is None or not _drawn_as(body[at], node):
        return False
    node_style = f' color="{HIGHLIGHT["color"]}" penwidth={HIGHLIGHT["penwidth"]}'
    restyle = {at: node_style + (f' fillcolor="{HIGHLIGHT_FILL}" style=filled'
                                 if item != output else "")}
    if item != output:  # an op: its output tensor, the edges into it (what it sends) and
        # the edge out of it (what it receives)
        restyle[_statement(body, output)] = node_style
        edge_style = (f' color="{HIGHLIGHT["color"]}" fontcolor="{HIGHLIGHT["color"]}" '
                      "penwidth=2.5")
        for i, line in enumerate(body):
            src, arrow, rest = line.strip().partition(" -> ")
            dst = rest.split(" ", 1)[0]
            if arrow and "dir=back" in rest and (dst == item or (src == item and dst == output)):
                restyle[i] = edge_style
    for i, extra in restyle.items():
        if i is None:
            continue
        line = body[i].rstrip("\n")
        if " -> " not in line:
            line = _add_class(line)
        body[i] = line[:-1] + extra + "]\n"
    return True


def _add_to_legend(digraph, text):
    """One more line in the drawing's legend (its first line is ``legend``)."""
    for i, line in enumerate(digraph.body):
        if line.lstrip().startswith('legend [label="legend\\l'):
            digraph.body[i] = line.replace('legend\\l', f'legend\\l{text}\\l', 1)
            return


def _add_class(line):
    """``class=op`` -> ``class="op current"``."""
    start = line.find(" class=")
    if start < 0:
        return line
    end = line.find(" ", start + 1)
    kind = line[start + 7:end].strip('"')
    return f'{line[:start]} class="{kind} current"{line[end:]}'


def step_view(steps, k, out, *, names=None, before=None, backend=None, state=None):
    """StepView of step ``k`` (0-based) of ``steps`` (Steps of a backward pass from ``out``, as
    ``record_backward`` records them): the graph with that node highlighted and the gradients
    of steps 0..k on its edges, the leaves' ``.grad`` as they stand then, and the step's text.

    names: {name: tensor} for labels. before: {node: .grad before the pass} (None: as now).
    state: the ``snapshot.State`` to draw the graph from (None: the graph as it is now).
    """
    if not 0 <= k < len(steps):
        raise IndexError(f"step {k} out of range: the pass has {len(steps)} steps")
    names = dict(names or {})
    root = edge_to(out)
    order = walk.topological([root]) if out.grad_fn is not None else []
    if before is None:
        before = {n: _filled_tensor(n)._grad for n in walk.topological([root])
                  if _filled_tensor(n) is not None}
    graph_names = _graph_names(names, order)
    by_id = _namer(graph_names)
    step = steps[k]
    grads = grads_after(steps, k, before)
    view = display.draw_graph(out, names=graph_names, view="backward", steps=steps[:k + 1],
                              max_nodes=None, backend=backend, grads=_shown_grads(grads),
                              state=state)
    by_id.update((node, name) for node, name in view.summary.labels.items()
                 if not isinstance(node, tuple))  # unnamed tensors, by their boxes' names
    view.graph.attr(label=f"step {k + 1}/{len(steps)}: {_title(step.node, by_id)}", labelloc="t")
    if _highlight(view.graph, step.node, _dot_ids(out, order)):
        _add_to_legend(view.graph, "orange: the node that runs at this step, its edges what "
                                   "it receives and sends")
    shown = {}
    for node, g in grads.items():
        label = by_id.get(id(_filled_tensor(node))) or _describe(node, by_id)
        n = 2
        while label in shown:  # two unnamed leaves of one shape stay apart
            label, n = f"{label.rsplit(' #', 1)[0]} #{n}", n + 1
        shown[label] = g
    rule = view.summary.labels.get((step.node, "rule"), "")  # in the graph's own names
    sent = _sent(steps, k, by_id, view.summary.labels)
    text = _text(k, len(steps), step, rule, sent, grads, before, by_id, shown)
    body = _html(k, len(steps), step, rule, sent, grads, before, by_id, shown)
    return StepView(k, len(steps), step.node, _title(step.node, by_id), rule, step.grad_output,
                    sent, shown, view, text, body)


def _title(node, by_id):
    if isinstance(node, AccumulateGrad):
        return f"AccumulateGrad into {_describe(node, by_id)}.grad"
    return _describe(node, by_id)


def _accumulation(node, grads, before, by_id):
    """``x.grad = g`` the first time, ``x.grad += g`` (old + g = new) when it had a value."""
    name = f"{_describe(node, by_id)}.grad" if isinstance(node, AccumulateGrad) else (
        f"{by_id.get(id(_filled_tensor(node)), 'retained')}.grad")
    old = before.get(node)
    if old is None:
        return f"{name} = {_value(grads[node])}"
    return f"{name} += g: {_value(old)} + g = {_value(grads[node])}"


def _text(k, count, step, rule, sent, grads, before, by_id, shown):
    lines = [f"BackwardStepper: step {k + 1}/{count} — {_title(step.node, by_id)}"]
    if rule:
        lines.append(f"  local rule: {rule}")
    lines.append(f"  upstream gradient: {_value(step.grad_output)}")
    for s in sent:
        if s.grad is None:
            lines.append(f"  {s.argument}: no gradient (a constant)")
            continue
        lines.append(f"  sends {rules.bar(s.argument)} = {_value(s.grad)} to {s.target}")
        if s.total is not None:
            lines.append(f"    += reached again: {_value(s.earlier)} + {_value(s.grad)} = "
                         f"{_value(s.total)}")
    if step.node in grads:
        lines.append(f"  {_accumulation(step.node, grads, before, by_id)}")
    lines.append("  .grad at this step: "
                 + ", ".join(f"{n} = {_value(g)}" for n, g in shown.items()))
    return "\n".join(lines)


def _html(k, count, step, rule, sent, grads, before, by_id, shown):
    e = html.escape
    rows = [f"<tr><th style='text-align:left'>step</th><td>{k + 1} / {count}: "
            f"<b>{e(_title(step.node, by_id))}</b></td></tr>"]
    if rule:
        rows.append(f"<tr><th style='text-align:left'>local rule</th><td>{e(rule)}</td></tr>")
    rows.append("<tr><th style='text-align:left'>upstream gradient</th>"
                f"<td><code>{e(_value(step.grad_output))}</code></td></tr>")
    for s in sent:
        if s.grad is None:
            rows.append(f"<tr><th style='text-align:left'>{e(s.argument)}</th>"
                        "<td>no gradient (a constant)</td></tr>")
            continue
        cell = f"<code>{e(_value(s.grad))}</code> → {e(s.target)}"
        if s.total is not None:
            cell += (f"<br><b>+=</b> (reached again): <code>{e(_value(s.earlier))}</code> + "
                     f"<code>{e(_value(s.grad))}</code> = <code>{e(_value(s.total))}</code>")
        rows.append(f"<tr><th style='text-align:left'>sends {e(rules.bar(s.argument))}</th>"
                    f"<td>{cell}</td></tr>")
    if step.node in grads:
        rows.append("<tr><th style='text-align:left'>accumulates</th>"
                    f"<td><code>{e(_accumulation(step.node, grads, before, by_id))}</code>"
                    "</td></tr>")
    filled = ", ".join(f"{e(n)} = <code>{e(_value(g))}</code>" for n, g in shown.items())
    rows.append(f"<tr><th style='text-align:left'>.grad at this step</th><td>{filled}</td></tr>")
    return ("<table class='minigrad-step' style='border-collapse:collapse'>" + "".join(rows)
            + "</table>")


class BackwardStepper(W.VBox):
    """Step through ``out.backward(gradient)``: play / previous / next and a slider over the
    steps the engine runs, each shown on the graph with the gradients it receives and sends.

    ``slider.value`` is the step shown (0-based); ``next()`` and ``previous()`` move it.
    The steps are recorded once, at construction, by the engine's step generator with
    ``retain_graph=True``, so ``out.backward()`` still works afterwards; the graph's state is
    kept then too (``snapshot.frozen``: values, ``.grad``, what the nodes saved), so each click
    shows the graph as it was when the stepper was made, whatever later cells do to it (a
    ``backward()`` that frees its saved tensors, a tensor changed in place, a name given to
    another tensor). By default
    (``accumulate=False``) it is a dry run: no ``.grad`` changes and no hook runs; the
    ``.grad`` shown at each step comes from the recorded steps. With ``accumulate=True`` it is
    the real ``out.backward(gradient, retain_graph=True)``, run once: hooks run and every
    ``.grad`` is then what one backward leaves (stepping back and forth changes nothing more).

    names: {name: tensor} for the labels (default: the caller's variables). renderer: the
    function drawing a step (default ``step_view``); an error it raises is shown in the widget.
    engine: another backward pass to step through instead of minigrad's, such as one a student
    wrote: ``engine(root, grad)`` yields ``(node, grad_output, grad_inputs)`` for each node it
    runs (the protocol is in ``widgets.engines``).
    """

    def __init__(self, out, gradient=None, *, names=None, accumulate=False, backend=None,
                 renderer=None, engine=None, **kwargs):
        if names is None:
            names = display._caller_names(inspect.currentframe().f_back)
        self.out = out
        self.names = dict(names)
        self.state = snapshot.frozen([out], self.names)  # before the pass: as it is now
        self.steps, self.before = record_backward(out, gradient, accumulate=accumulate,
                                                  engine=engine)
        self.renderer = renderer or step_view
        self.backend = backend
        self.view = None  # the StepView shown (None while an error is shown)
        self.error = None  # the text of the last error, or None
        last = len(self.steps) - 1
        self.play = W.Play(value=0, min=0, max=last, step=1, interval=1500, description="play")
        # the minigrad-stepper-* classes are stable hooks for the browser tests and for styling
        self.slider = W.IntSlider(value=0, min=0, max=last, step=1, description="step",
                                  readout=False, continuous_update=True
                                  ).add_class("minigrad-stepper-slider")
        self.counter = W.Label().add_class("minigrad-stepper-counter")
        W.link((self.play, "value"), (self.slider, "value"))  # kernel-side: works headless
        self.previous_button = W.Button(description="◀ previous", tooltip="previous step"
                                        ).add_class("minigrad-stepper-previous")
        self.next_button = W.Button(description="next ▶", tooltip="next step"
                                    ).add_class("minigrad-stepper-next")
        self.previous_button.on_click(lambda _: self.previous())
        self.next_button.on_click(lambda _: self.next())
        self.info = W.HTML().add_class("minigrad-stepper-info")
        self.error_box = W.HTML().add_class("minigrad-stepper-error")
        self.picture = W.Output().add_class("minigrad-stepper-picture")
        controls = W.HBox([self.play, self.previous_button, self.next_button, self.slider,
                           self.counter])
        super().__init__([controls, self.error_box, self.info, self.picture], **kwargs)
        self.add_class("minigrad-stepper-widget")
        self.slider.observe(self._on_slider, names="value")
        self._show(self.slider.value)

    def next(self):
        """Show the next step (stays on the last)."""
        self.slider.value = min(self.slider.value + 1, self.slider.max)

    def previous(self):
        """Show the previous step (stays on the first)."""
        self.slider.value = max(self.slider.value - 1, self.slider.min)

    def _on_slider(self, change):
        self._show(change["new"])

    def _show(self, k):
        """Draw step k, from the state kept at construction, into the widget; an error is
        shown in it, never raised."""
        self.counter.value = f"{k + 1} / {len(self.steps)}"
        panel.render_into(self, lambda: self.renderer(
            self.steps, k, self.out, names=self.names, before=self.before, backend=self.backend,
            state=self.state))

    @property
    def text(self):
        """What the widget shows, as deterministic plain text."""
        if self.error is not None:
            return (f"BackwardStepper: step {self.slider.value + 1}/{len(self.steps)} — "
                    f"error\n{self.error}")
        return self.view.text

    def __repr__(self):
        return self.text.splitlines()[0]

    def _repr_mimebundle_(self, **kwargs):
        # Never raises: this is what a notebook keeps when no kernel runs.
        try:
            bundle = super()._repr_mimebundle_(**kwargs)
        except Exception:  # noqa: BLE001
            bundle = {}
        if self.view is None:
            return panel.static_bundle(bundle, self.text, panel.error_html(self.text))
        alt = f"computation graph at step {self.view.k + 1} of {self.view.count}"
        return panel.static_bundle(bundle, self.text,
                                   self.view.html + panel.svg_img(self.view.graph, alt))

