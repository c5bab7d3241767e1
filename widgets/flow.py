"""The gradient flowing back along every edge, for the backward view of a graph.

It comes from the engine itself: ``minigrad.autograd.backward_steps`` run on the graph with
``retain_graph=True`` (nothing is freed) and ``accumulate=False`` (no ``.grad`` changes, not even
of ``retain_grad`` tensors), so drawing never changes what the user's own backward computes.
"""
from typing import NamedTuple

from . import nodes, walk


class Flow(NamedTuple):
    """Steps by node (``Step(node, grad_output, grad_inputs)``), or why there are none."""

    steps: dict
    note: str  # '' when every step is known


def gradient_flow(roots, steps=None):
    """``Flow`` of the backward pass from the root tensors, each seeded with ones (d out/d out).

    steps: Steps already recorded (from ``minigrad.autograd.backward_steps``) to draw instead.
    """
    if steps is not None:
        return Flow({s.node: s for s in steps}, "")
    if any(nodes.is_torch(t) for t in roots):
        return _torch_flow(roots)
    import minigrad
    from minigrad.autograd import backward_steps
    tops = [t for t in roots if t.grad_fn is not None]
    if not tops:
        return Flow({}, "")
    try:
        run = backward_steps([t.grad_fn for t in tops], [minigrad.ones_like(t) for t in tops],
                             retain_graph=True, accumulate=False)
        return Flow({s.node: s for s in run}, "")
    except RuntimeError as error:  # saved tensors freed by an earlier backward, or changed
        return Flow({}, _unavailable(error))


class Step(NamedTuple):
    """One node of a PyTorch graph run by hand: the same fields as minigrad's engine Step."""

    node: object
    grad_output: object
    grad_inputs: tuple


def _torch_flow(roots):
    """The same for a PyTorch graph: each node called on its gradient, in the engine's order
    (calling a node directly runs no hook and fills no ``.grad``)."""
    import torch  # the user passed PyTorch tensors, so it is imported already
    tops = [t for t in roots if t.grad_fn is not None]
    buffers = {}
    for t in tops:
        buffers[t.grad_fn] = buffers.get(t.grad_fn, 0) + torch.ones_like(t)
    steps = {}
    try:
        with torch.no_grad():
            for node in walk.topological([t.grad_fn for t in tops]):
                g = buffers.pop(node, None)
                if g is None or walk.is_leaf_node(node):
                    steps[node] = Step(node, g, ())
                    continue
                sent = node(g)
                sent = list(sent) if isinstance(sent, tuple) else [sent]
                for i, ((child, slot), gi) in enumerate(zip(node.next_functions, sent)):
                    if child is None or gi is None:
                        continue
                    # PyTorch's engine, not the node, sums a broadcast gradient back to shape.
                    gi = sent[i] = gi.sum_to_size(_expected_shape(child, slot))
                    buffers[child] = buffers[child] + gi if child in buffers else gi
                steps[node] = Step(node, g, tuple(sent))
    except RuntimeError as error:
        return Flow({}, _unavailable(error))
    return Flow(steps, "")


def _expected_shape(node, slot):
    """The shape of the gradient a PyTorch node takes at input ``slot``."""
    if walk.is_leaf_node(node):
        return node.variable.shape
    return tuple(node._input_metadata[slot].shape)


def _unavailable(error):
    """The note shown instead of the flow when backward cannot run on the graph."""
    text = str(error)
    why = ("backward() freed the saved tensors" if "freed" in text
           else text.split(". ")[0][:120])
    return (f"gradient flow unavailable: {why}. Draw it before backward(), or call "
            "backward(retain_graph=True).")
