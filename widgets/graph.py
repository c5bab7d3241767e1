"""Computation graph -> ``graphviz.Digraph``: pure functions, nothing of Jupyter's.

What is drawn: a tensor node for every leaf and for every op's output, an op node for every
grad_fn (its name and the local derivative rule from the op registry), and a constant node for
every input that needs no gradient. Edges run forward, one per argument in argument order (so
``x + x`` has two). Node ids are ``n0, n1, ...`` in topological order, so the same graph gives the
same DOT text on every run. Labels are plain text, escaped: a name like ``<script>`` stays text.
"""
from typing import NamedTuple

import graphviz

from . import labels, nodes, rules, snapshot, walk

FONT = "Helvetica"
# Each kind differs in line style as well as colour, so it reads on a projector and in grey.
STYLES = {
    "leaf": dict(shape="box", style="rounded,filled,bold", fillcolor="#cfe2ff", color="#1f4e99"),
    "tensor": dict(shape="box", style="rounded", color="#444444"),
    "output": dict(shape="box", style="rounded,filled,bold", fillcolor="#c8e6c9",
                   color="#1b5e20", peripheries="2"),
    "constant": dict(shape="box", style="rounded,dashed", color="#888888",
                     fontcolor="#555555"),
    "detach": dict(shape="box", style="rounded,filled,dashed", fillcolor="#ffe0b2",
                   color="#e65100"),
    "op": dict(shape="ellipse", style="filled", fillcolor="#eeeeee", color="#444444",
               ordering="in"),
    "op_freed": dict(shape="ellipse", style="filled,dashed", fillcolor="#fdecea",
                     color="#c62828", ordering="in"),
    "more": dict(shape="note", style="dashed", color="#888888"),
}
EDGE_STYLES = {
    "forward": dict(color="#444444"),
    "constant": dict(color="#888888", style="dashed"),
    "backward": dict(color="#c62828", fontcolor="#c62828", dir="back"),
    "detach": dict(color="#e65100", fontcolor="#e65100", style="dotted", arrowhead="tee"),
    "more": dict(color="#888888", style="dashed"),
}
EDGE_VALUES = 4  # gradients on edges are shown in full up to this many elements


class Summary(NamedTuple):
    """What a drawing holds, for a deterministic one-line description."""

    root: str
    view: str
    nodes: int
    edges: int
    hidden: int  # graph nodes summarised as "… N more nodes"
    # {node: the name its tensor's box carries (a variable's, or t₁, t₂…); (node, position):
    # that of a constant input (its value, or c₁, c₂…)}: the names the rules speak in
    # and (node, "rule"): an op's rule in those names
    labels: dict = {}


class _Standalone:
    """A root tensor with no node of its own to walk from (a leaf, or one without a graph)."""

    next_functions = ()

    def __init__(self, tensor):
        self.variable = tensor


class _Item:
    __slots__ = ("kind", "node", "tensor", "position", "id", "cluster", "source", "name",
                 "shown_name", "number", "inputs", "output")

    def __init__(self, kind, node, tensor=None, position=None):
        self.kind, self.node, self.tensor, self.position = kind, node, tensor, position
        self.id = self.cluster = self.source = self.output = None
        self.name = ""  # how the rules call it: a variable's name, a number's value, or t₁, c₁…
        self.shown_name = False  # the box shows the name on its first line
        self.number = False  # a Python number the op was given (x + 2)
        self.inputs = ()


def build_graph(roots, *, names=None, view="forward", flow=None, max_nodes=150, focus=None,
                radius=2, modules=None, grads=None, state=None):
    """``(graphviz.Digraph, Summary)`` of the graph behind ``roots`` (tensors).

    names: {name: tensor} for labels. view: "forward", or "backward" to label every edge with the
    gradient flowing back along it (``flow``: a ``flow.Flow``). max_nodes: drawn nodes at most,
    the ones nearest the outputs (None: all); the rest become one "… N more nodes" node.
    focus: a tensor whose neighbourhood (``radius`` edges) alone is drawn. modules: an
    ``nn.Module`` whose parameters name the leaves and whose ops are grouped in one cluster per
    submodule. grads: [(tensor, gradient or None)] shown as those tensors' ``.grad``.
    state: a ``snapshot.State`` to read the graph's values from (default: the graph as it is now).
    """
    if view not in ("forward", "backward"):
        raise ValueError(f"view must be 'forward' or 'backward', got {view!r}")
    # A parameter is named by its module ("fc1.weight") before any variable that holds it.
    names = {**(dict(modules.named_parameters()) if modules is not None else {}), **(names or {})}
    by_id = {}
    for name, t in names.items():
        by_id.setdefault(id(t), str(name))
    order, produced = _walk(roots, names)
    total = sum(_item_count(n) for n in order)
    if focus is not None:
        near = walk.neighbourhood(order, _node_of(focus, order), radius)
        order = [n for n in order if n in near]
    kept = []
    count = 0
    for node in order:  # nearest the outputs first
        k = _item_count(node)
        if kept and max_nodes is not None and count + k > max_nodes:
            break
        kept.append(node)
        count += k
    ctx = _Context(roots, by_id, produced, view, flow, grads)
    ctx.state = state = state if state is not None else snapshot.State()
    ctx.freed = any(state.freed(n) for n in order if not walk.is_leaf_node(n))
    items, edges = _items_and_edges(kept[::-1], ctx)
    hidden = total - count
    if hidden:
        more = _Item("more", None)
        more.id = "more"
        items.insert(0, more)
        edges = _merge_hidden_inputs(edges, more)
    _find_detached(items, edges, names, state)
    for n, item in enumerate(i for i in items if i.kind != "more"):
        item.id = f"n{n}"
    _name_items(items, ctx, names)
    if modules is not None:
        _cluster(items, kept, modules)
    digraph = _digraph(items, edges, ctx, hidden, flow, focus)
    root_name = ", ".join(ctx.name(t) or "output" for t in roots)
    box_names = {}  # {node: its tensor's box name, (node, position): a constant input's}
    for item in items:
        if item.kind in ("leaf", "tensor", "output") and item.node is not None:
            box_names[item.node] = item.name
        elif item.kind in ("constant", "detach") and item.position is not None:
            box_names[(item.node, item.position)] = item.name
        elif item.kind in ("op", "op_freed"):
            box_names[(item.node, "rule")] = _rule_text(item)
    return digraph, Summary(root_name, view, len(items), len(edges), hidden, box_names)


class _Context:
    """Names, outputs and the gradient flow, shared by the label builders."""

    def __init__(self, roots, by_id, produced, view, flow, grads=None):
        self.grads = {id(t): g for t, g in grads or ()}
        self.roots = {id(t) for t in roots}
        self.by_id = by_id
        self.produced = produced
        self.view = view
        self.steps = flow.steps if (flow is not None and view == "backward") else {}
        first = by_id.get(id(roots[0])) if roots else None
        self.root_name = first if first and len(roots) == 1 else "out"
        self.freed = False  # some node's saved tensors were freed by a backward
        self.state = None  # the snapshot.State read

    def name(self, tensor):
        return self.by_id.get(id(tensor)) if tensor is not None else None


def _walk(roots, names):
    """Nodes nearest the outputs first, and {node: the tensor it produced} where known."""
    produced = {}
    for t in names.values():  # named tensors tell which tensor a PyTorch node produced
        if nodes.is_tensor(t) and t.grad_fn is not None:
            produced.setdefault(t.grad_fn, t)
    for t in roots:
        if t.grad_fn is not None:
            produced[t.grad_fn] = t
    order = walk.topological([t.grad_fn for t in roots if t.grad_fn is not None])
    leaves = {id(n.variable): n for n in order if walk.is_leaf_node(n)}
    extra = [_Standalone(t) for t in roots if t.grad_fn is None and id(t) not in leaves]
    return extra + order, produced


def _node_of(tensor, order):
    """The node standing for ``tensor`` in the walked graph (ValueError if it is not there)."""
    for node in order:
        if node is tensor.grad_fn or getattr(node, "variable", None) is tensor:
            return node
    raise ValueError("focus: this tensor is not part of the drawn graph")


def _item_count(node):
    if walk.is_leaf_node(node):
        return 1
    return 2 + sum(1 for child, _ in node.next_functions if child is None)


def _items_and_edges(forward_nodes, ctx):
    """Items in topological order (ids ``n0``...), and edges (src, dst, kind, label lines);
    ``src`` None stands for an input that is not drawn."""
    items, edges, producer = [], [], {}
    for node in forward_nodes:
        if walk.is_leaf_node(node):
            t = node.variable
            kind = "output" if id(t) in ctx.roots else (
                "leaf" if ctx.state.requires_grad(t) else "constant")
            item = _Item(kind, node, t)
            items.append(item)
            producer[node] = item
            continue
        args = nodes.argument_names(node)
        inputs = []
        for i, (child, _) in enumerate(node.next_functions):
            if child is None:
                const = _Item("constant", node, ctx.state.constant(node, i), i)
                const.number = ctx.state.number(node, i)
                items.append(const)
                inputs.append(const)
            else:
                inputs.append(producer.get(child))
        op = _Item("op_freed" if ctx.state.freed(node) else "op", node)
        items.append(op)
        out_tensor = ctx.produced.get(node)
        if out_tensor is None:
            out_tensor = ctx.state.output(node)
        out = _Item("output" if out_tensor is not None and id(out_tensor) in ctx.roots
                    else "tensor", node, out_tensor)
        items.append(out)
        producer[node] = out
        op.inputs, op.output = tuple(inputs), out
        step = ctx.steps.get(node)
        for i, src in enumerate(inputs):
            kind = "constant" if src is not None and src.kind == "constant" else "forward"
            grad = None
            if ctx.view == "backward":
                kind = "constant" if kind == "constant" else "backward"
                grad = step.grad_inputs[i] if step is not None and i < len(
                    step.grad_inputs) else None
            # the label is a function of the names given later (x, or x̄ and its gradient)
            edges.append((src, op, kind, _EdgeLabel(src, args[i], grad, len(inputs) > 1)))
        edges.append((op, out, "backward" if ctx.view == "backward" else "forward", []))
    return items, edges


class _EdgeLabel:
    """An edge's label, made once the boxes have their names: the input's name when the op
    has several inputs, and in the backward view the gradient sent along it (``ȳ`` and its
    values)."""

    def __init__(self, src, argument, grad, several):
        self.src, self.argument, self.grad, self.several = src, argument, grad, several

    def lines(self):
        name = self.src.name if self.src is not None and self.src.name else self.argument
        if self.grad is not None:
            return ([rules.bar(name)] if self.several else []) + labels.value_lines(
                self.grad, EDGE_VALUES)
        return [name] if self.several else []


# Names for the boxes the code did not name: single letters the registry's rules do not use
# for anything else, then u1, u2…; never the name of a tensor of the calling code.
_FREE_LETTERS = "uvsqrmh"  # (not f, g: the names functions often have)


def _name_items(items, ctx, names):
    """Give every box the name its op's rules use: its variable's name; a number's value; else
    a letter no tensor of the calling code is called (u, v, …; k for a constant), shown on
    the box."""
    taken = {str(n) for n in names}
    free = iter([c for c in _FREE_LETTERS if c not in taken] + [
        f"u{n}" for n in range(1, len(items) + 2) if f"u{n}" not in taken])
    # constants of unknown value apart (k, k1…), so that the other letters do not depend on
    # whether a library keeps the numbers it was given (minigrad does, PyTorch does not)
    free_constants = iter([c for c in ["k"] + [f"k{n}" for n in range(1, len(items) + 2)]
                           if c not in taken])
    for item in items:
        if item.kind in ("op", "op_freed", "more"):
            continue
        name = ctx.name(item.tensor)
        if name:
            item.name, item.shown_name = name, True
        elif item.kind in ("constant", "detach") and item.tensor is not None and \
                ctx.state.text(item.tensor).ndim == 0:
            item.name = ctx.state.text(item.tensor).values[0]  # the rules show the number
        else:
            constant = item.kind in ("constant", "detach")
            item.name, item.shown_name = next(free_constants if constant else free), True


def _merge_hidden_inputs(edges, more):
    """Edges from nodes not drawn become one edge from ``more`` per node that is drawn (a
    stack of 5,000 tensors gets one edge, labelled with the count, not 5,000)."""
    hidden = {}
    for src, dst, _, _ in edges:
        if src is None:
            hidden[dst] = hidden.get(dst, 0) + 1
    merged = []
    for src, dst, kind, label in edges:
        if src is not None:
            merged.append((src, dst, kind, label))
        elif dst in hidden:
            count = hidden.pop(dst)
            merged.append((more, dst, "more", [f"{count} inputs"] if count > 1 else label))
    return merged


def _find_detached(items, edges, names, state):
    """Constants that share memory with a tensor that requires grad are ``detach()`` cuts:
    restyle them and draw the cut, a dotted edge from the tensor they were detached from (a
    tensor of the graph, or a named one outside it, drawn just before the cut)."""
    inside, outside = {}, {}
    for item in items:
        t = item.tensor
        if item.kind in ("leaf", "tensor", "output") and t is not None and \
                state.requires_grad(t):
            inside.setdefault(state.storage(t), item)
    for t in names.values():
        if nodes.is_tensor(t) and state.requires_grad(t):
            outside.setdefault(state.storage(t), t)
    placed, result = {}, []
    for item in items:
        if item.kind == "constant" and item.tensor is not None:
            key = state.storage(item.tensor)
            source = inside.get(key) if key is not None else None
            if source is None and key in outside and key is not None:
                source = placed.get(key)
                if source is None:
                    t = outside[key]
                    kind = "leaf" if state.is_leaf(t) else "tensor"
                    source = placed[key] = _Item(kind, None, t)
                    result.append(source)
            if source is not None:
                item.kind, item.source = "detach", source
                edges.append((source, item, "detach", ["detach()"]))
        result.append(item)
    items[:] = result


def _cluster(items, kept, modules):
    """Group the ops of each submodule: an op belongs to the module whose parameters it reads,
    directly or through ops that read only that module's parameters (``W.t()``)."""
    owner = {id(p): name.rpartition(".")[0] for name, p in modules.named_parameters()}
    types = {name: type(m).__name__ for name, m in modules.named_modules()}
    params_of = {}  # node -> prefixes of the parameters it reads (only through parameters)
    cluster = {}
    for node in kept[::-1]:
        if walk.is_leaf_node(node):
            prefix = owner.get(id(node.variable))
            if prefix is not None:
                params_of[node] = {prefix}
                cluster[node] = prefix
            continue
        found, pure = set(), True
        for child, _ in node.next_functions:
            via = params_of.get(child) if child is not None else None
            if via is None:
                pure = False
            else:
                found |= via
        if pure and found:
            params_of[node] = found
        if found:
            cluster[node] = _common_prefix(found)
    for item in items:
        name = cluster.get(item.node) if item.node is not None else None
        if name:
            item.cluster = f"{name} ({types[name]})" if name in types else name


def _common_prefix(prefixes):
    parts = [p.split(".") for p in sorted(prefixes)]
    common = []
    for level in zip(*parts):
        if len(set(level)) > 1:
            break
        common.append(level[0])
    return ".".join(common)


def _digraph(items, edges, ctx, hidden, flow, focus):
    g = graphviz.Digraph("graph", graph_attr=dict(rankdir="TB", fontname=FONT, fontsize="11"),
                         node_attr=dict(fontname=FONT, fontsize="11"),
                         edge_attr=dict(fontname=FONT, fontsize="10"))
    notes = []
    if flow is not None and ctx.view == "backward" and flow.note:
        notes.append(flow.note)
    if focus is not None:
        notes.append(f"around {ctx.name(focus) or 'the focus tensor'}")
    if notes:
        g.attr(label=_label(notes), labelloc="t")
    clusters = {}
    for item in items:
        if item.cluster is None:
            _add_node(g, item, ctx, hidden)
        else:
            clusters.setdefault(item.cluster, []).append(item)
    for k, (title, members) in enumerate(clusters.items()):
        with g.subgraph(name=f"cluster_{k}") as sub:
            sub.attr(label=_label([title]), style="rounded,dashed", color="#7b1fa2")
            for item in members:
                _add_node(sub, item, ctx, hidden)
    for src, dst, kind, label in edges:
        attrs = dict(EDGE_STYLES[kind])
        if isinstance(label, _EdgeLabel):
            label = label.lines()
        if label:
            attrs["label"] = _label(label)
        g.edge(src.id, dst.id, **attrs)
    _legend(g, items, edges, ctx)
    return g


# What each style means, in the legend of a drawing (only the styles it uses are listed).
NODE_MEANINGS = {
    "leaf": "blue box: leaf that requires grad (backward fills its .grad)",
    "tensor": "box: tensor computed by an op",
    "output": "green double box: the output drawn from",
    "constant": "dashed box: constant (needs no gradient)",
    "detach": "orange dashed box: detach() (values without history)",
    "op": "ellipse: op, its grad_fn and its rule (x̄: the gradient for x)",
    "op_freed": "red dashed ellipse: op whose saved tensors backward freed",
}
EDGE_MEANINGS = {
    "forward": "arrow: data flowing forward",
    "backward": "red arrow: gradient flowing back, with its value",
    "constant": "dashed arrow: a constant's data",
    "detach": "dotted arrow: detach() (no gradient flows back)",
}


def _legend(g, items, edges, ctx):
    """One note listing what each style the drawing uses means (its id ``legend`` stays
    apart from the graph's ``n0, n1…``)."""
    lines = [NODE_MEANINGS[k] for k in NODE_MEANINGS if any(item.kind == k for item in items)]
    lines += [EDGE_MEANINGS[k] for k in EDGE_MEANINGS
              if any(kind == k for _, _, kind, _ in edges)]
    if lines:
        g.node("legend", _label(["legend"] + lines, left=True), shape="note", fontsize="9",
               color="#aaaaaa", fontcolor="#555555", **{"class": "legend"})


def _add_node(g, item, ctx, hidden):
    if item.kind == "more":
        lines = [f"… {hidden} more nodes"]
    elif item.kind in ("op", "op_freed"):
        lines = _op_lines(item, ctx)
    else:
        lines = _tensor_lines(item, ctx)
    left = item.kind not in ("op", "op_freed", "more")
    g.node(item.id, _label(lines, left), **{"class": item.kind}, **STYLES[item.kind])


def _rule_text(item):
    """The op's rule in the names of its boxes, on one line ('' when the op has none)."""
    op = nodes.op_entry(item.node)
    if op is None or not op.math:
        return ""
    forward, grads = named_rule(op, nodes.argument_names(item.node), item)
    return ";  ".join([forward, ",  ".join(grads)] if grads else [forward])


def _op_lines(item, ctx):
    node = item.node
    lines = [node.name()] + [part for part in _rule_text(item).split(";  ") if part]
    if ctx.state.freed(node):
        lines.append("saved tensors freed")
    return lines


def named_rule(op, arguments, item):
    """``(forward, [gradient clauses])`` of ``op``'s rule in the names of the op's boxes."""
    symbols, constant = {}, set()
    out_symbol = rules.output_symbol(op.math)
    if item.output is not None and item.output.name:
        symbols[out_symbol] = item.output.name
    for argument, src in zip(arguments, item.inputs):
        if len(argument) != 1 or src is None or not src.name:
            continue
        for letter in {argument, argument.upper()} - {out_symbol.lower(), out_symbol}:
            symbols.setdefault(letter, src.name)
        if src.kind in ("constant", "detach"):
            constant.update({argument, argument.upper()})
    given = {letter: labels.number_text(value) for attr, letter in rules.ATTRIBUTE_LETTERS.items()
             if (value := nodes.number_attribute(item.node, attr)) is not None}
    return rules.named_rule(op.math, symbols, constant, unit=nodes.alpha(item.node) == 1,
                            given=given)


def _not_kept(item, ctx):
    """Why a box has no value: minigrad keeps only what backward needs (and frees that after
    it); PyTorch's graph shows no tensor it was not given by name."""
    if item.node is not None and not nodes.is_minigrad_node(item.node):
        return "(value not shown: PyTorch's graph does not expose it)"
    if ctx.freed:
        return "(value not kept)"
    return "(value not kept: backward does not need it)"


def _tensor_lines(item, ctx):
    t = item.tensor
    name = item.name if item.shown_name else ""
    lines = [name] if name else []
    step = ctx.steps.get(item.node) if item.node is not None else None
    if t is None:
        if item.kind == "constant":
            freed = ctx.state.freed(item.node)
            return lines + ["constant", "(saved value freed)" if freed else _not_kept(item, ctx)]
        lines.append(_not_kept(item, ctx))
        return lines + (_titled(f"∂{ctx.root_name}/∂{item.name} =", step.grad_output)
                        if step is not None else [])
    text = ctx.state.text(t)
    dtype = "" if item.number else text.dtype  # a number's dtype is the op's
    lines.append(" ".join(s for s in (text.shape, dtype) if s))
    lines += text.values
    if text.grad_slot:
        grad = ctx.grads[id(t)] if id(t) in ctx.grads else text.grad
        if grad is not None:
            lines += _titled(".grad:", grad)
        elif ctx.view != "backward":  # beside ∂out/∂x it would read as a contradiction
            lines.append(".grad: None")
    if ctx.view == "backward":
        if step is not None and item.kind != "constant" and item.kind != "detach":
            lines += _titled(f"∂{ctx.root_name}/∂{item.name} =", step.grad_output)
    lines.append(" · ".join(_badges(item, text)))
    return lines


def _titled(title, tensor):
    values = labels.value_lines(tensor)
    return [f"{title} {values[0]}"] if len(values) == 1 else [title] + values


def _badges(item, t):
    if item.kind == "detach":
        return ["detach(): no gradient flows back"]
    badges = []
    if item.kind == "constant":
        badges.append("constant")
    elif t.is_leaf:
        badges.append("leaf")
    if t.requires_grad:
        badges.append("requires_grad")
    if t.retains_grad:
        badges.append("retains_grad")
    hooks = t.hooks
    if hooks:
        badges.append(f"hooks: {hooks}")
    return badges


def _label(lines, left=False):
    """Plain-text label: DOT escapes disabled (backslashes), entities disabled (&), and never
    read as an HTML-like label, whatever the user's names contain. ``left``: lines left-aligned
    (values line up like printed arrays)."""
    end = "\\l" if left else "\\n"
    text = end.join(line.replace("\\", "\\\\").replace("&", "&amp;").replace("\n", " ")
                    for line in lines)
    return graphviz.nohtml(text + end if left else text)
