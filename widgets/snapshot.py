"""What a drawing reads from a live graph, read now or kept as it is now.

A graph changes after it is drawn: ``backward()`` frees what its nodes saved, a tensor nobody
holds any more is collected, a value or a ``.grad`` is changed in place. ``draw_graph`` reads the
graph once, so its picture is the graph at that moment (``State(live=True)``: every read made
while drawing). A widget that draws later (the backward stepper, one step per click) takes a
``frozen`` state when it is made: the text of every tensor (shape, dtype, values, ``.grad``,
badges), what each node saved and whether it was freed, and a reference to each tensor so none
is collected; then every later drawing shows the graph as it was then.
"""
from typing import NamedTuple

from . import labels, nodes, walk


class TensorText(NamedTuple):
    """What a box says about one tensor."""

    ndim: int
    shape: str
    dtype: str
    values: list  # value lines
    is_leaf: bool
    requires_grad: bool
    retains_grad: bool
    hooks: int
    grad_slot: bool  # backward fills its .grad
    grad: object  # its .grad (a copy in a frozen state), or None
    storage: object  # labels.storage_key: equal for a tensor and its detach()


def tensor_text(t, copy=False):
    """TensorText of ``t`` as it is now (``copy``: its ``.grad`` copied, not shared)."""
    grad = nodes.read_grad(t) if nodes.has_grad_slot(t) else None
    if copy and grad is not None:
        grad = grad.detach().clone()
    return TensorText(len(t.shape), labels.shape_text(t), labels.dtype_text(t),
                      labels.value_lines(t), bool(t.is_leaf), bool(t.requires_grad),
                      bool(t.retains_grad), nodes.hook_count(t), nodes.has_grad_slot(t), grad,
                      labels.storage_key(t))


class State:
    """The graph's state as a drawing reads it: live (read at each call) or frozen (read once,
    by ``frozen``)."""

    def __init__(self):
        self.live = True
        self._freed, self._outputs, self._constants, self._texts = {}, {}, {}, {}

    def freed(self, node):
        """True once backward freed what ``node`` saved."""
        return self._freed[node] if node in self._freed else nodes.saved_freed(node)

    def output(self, node):
        """The tensor ``node`` produced (None when it is gone)."""
        return self._outputs[node] if node in self._outputs else nodes.output_of(node)

    def constant(self, node, position):
        """The value at input ``position`` that needs no gradient (None when unknown)."""
        if (node, position) in self._constants:
            return self._constants[(node, position)]
        return nodes.constant_input(node, position)

    def number(self, node, position):
        """True when that input is a Python number the op was given."""
        return position in nodes.numbers(node)

    def text(self, t):
        """TensorText of ``t`` (read once per state: a drawing asks more than once)."""
        found = self._texts.get(id(t))
        if found is None:
            found = self._texts[id(t)] = (t, tensor_text(t))
        return found[1]

    def requires_grad(self, t):
        """``t.requires_grad`` (cheap where the state is live: no values are read)."""
        found = self._texts.get(id(t))
        return found[1].requires_grad if found is not None else bool(t.requires_grad)

    def is_leaf(self, t):
        """``t.is_leaf``."""
        found = self._texts.get(id(t))
        return found[1].is_leaf if found is not None else bool(t.is_leaf)

    def storage(self, t):
        """labels.storage_key of ``t``."""
        found = self._texts.get(id(t))
        return found[1].storage if found is not None else labels.storage_key(t)


def frozen(roots, names=()):
    """A State of the graph behind ``roots`` (tensors) and of the tensors of ``names`` (a
    {name: tensor}), read now and kept: later drawings show the graph as it is now."""
    state = State()
    state.live = False
    order = walk.topological([t.grad_fn for t in roots if t.grad_fn is not None])
    tensors = [t for t in roots] + [t for t in dict(names).values() if nodes.is_tensor(t)]
    for node in order:
        if walk.is_leaf_node(node):
            tensors.append(node.variable)
            continue
        state._freed[node] = nodes.saved_freed(node)
        out = state._outputs[node] = nodes.output_of(node)
        tensors.append(out)
        for i, (child, _) in enumerate(node.next_functions):
            if child is None:
                value = state._constants[(node, i)] = nodes.constant_input(node, i)
                tensors.append(value)
    for t in tensors:
        if t is not None and id(t) not in state._texts:
            state._texts[id(t)] = (t, tensor_text(t, copy=True))  # t kept: its id stays its own
    return state
