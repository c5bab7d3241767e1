"""The backward pass: a short loop that knows no op by name.

``backward_steps`` walks the graph from the roots in PyTorch's order (a node runs once every
gradient for it has arrived; among ready nodes the newest first) and yields one ``Step`` per node
it runs. ``backward()``, ``autograd.grad()`` and the step-through widget all consume it.
"""
import heapq
from typing import NamedTuple

from . import _anomaly
from . import _grad_mode
from . import _hooks
from ._graph import AccumulateGrad, sum_to_shape
from ._tensor import Tensor


class Step(NamedTuple):
    """One node run by the backward pass."""

    node: object  # the grad_fn (or AccumulateGrad) that ran
    grad_output: object  # the gradient that arrived at it (summed over every path)
    grad_inputs: tuple  # what it sent along each of its next_functions (None where nothing)


def _count_dependencies(roots):
    """How many edges lead into each node reachable from ``roots`` (iterative walk)."""
    deps = {}
    stack = list(dict.fromkeys(roots))  # a root given twice is walked once
    seen = set(roots)
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is None:
                continue
            deps[child] = deps.get(child, 0) + 1
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return deps


def _needed(roots, deps, targets):
    """The nodes on some path from the roots to a target (so nothing else is run)."""
    order, remaining = [], dict(deps)
    ready = [r for r in set(roots) if remaining.get(r, 0) == 0]
    while ready:
        node = ready.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                remaining[child] -= 1
                if remaining[child] == 0:
                    ready.append(child)
    needed = set()  # a target itself only has its gradient captured: it does not run
    for node in reversed(order):
        if any(c in needed or c in targets for c, _ in node.next_functions):
            needed.add(node)
    return needed


def backward_steps(roots, grads, retain_graph=False, create_graph=False, capture=None,
                   accumulate=True):
    """Run the backward pass from ``roots`` (nodes) seeded with ``grads``, yielding each Step.

    capture: for ``autograd.grad``, a dict {node: None} to fill with the gradient arriving at each
    of those nodes instead of accumulating into any leaf's ``.grad``.
    accumulate: False for a dry run that leaves every ``.grad`` untouched (leaves and retain_grad
    tensors alike) and calls no hook, so that the gradient flow can be shown without side effects.
    """
    deps = _count_dependencies(roots)
    needed = _needed(roots, deps, capture) if capture is not None else None
    buffers = {}
    for node, g in zip(roots, grads):
        buffers[node] = buffers[node] + g if node in buffers else g
    ready = []
    for i, node in enumerate(roots):  # in order, as PyTorch's graph root hands them on
        if deps.get(node, 0) == 0 and node not in roots[i + 1:]:
            heapq.heappush(ready, (node.seq, node))
    call = _call if accumulate else _apply  # a dry run calls no hook
    with _grad_mode.set_grad_enabled(create_graph):
        while ready:
            node = heapq.heappop(ready)[1]
            g = buffers.pop(node)
            if node._hooks is not None and accumulate:  # tensor hooks see (may replace) g first
                g = node._hooks.run_tensor_hooks(g)
            if node._retained is not None and accumulate:  # retain_grad: after the tensor hooks
                _retain(node, g, create_graph)
            if capture is not None and node in capture:
                capture[node] = g
            if needed is not None and node not in needed:
                continue
            if isinstance(node, AccumulateGrad):
                if capture is None and accumulate:
                    _accumulate(node.variable, g, create_graph)
                    _hooks.run_post_accumulate(node.variable)  # hooks that read the new .grad
                yield Step(node, g, ())
                continue
            grads_in = call(node, g) if not _anomaly.enabled else _anomaly.run(call, node, g)
            sent = []
            for (child, _), gi, dtype, shape in zip(node.next_functions, grads_in,
                                                    *node.input_meta):
                if child is None:
                    sent.append(None)
                    continue
                if gi is not None and (gi._data.shape != shape or gi._data.dtype != dtype):
                    gi = _fit(gi, dtype, shape)
                sent.append(gi)
                deps[child] -= 1  # a None gradient (zero) still counts as arrived
                wanted = needed is None or child in needed or child in capture
                if gi is not None and wanted:  # else: off every path to autograd.grad's inputs
                    buffers[child] = buffers[child] + gi if child in buffers else gi
                if deps[child] == 0 and child in buffers:
                    heapq.heappush(ready, (child.seq, child))
            if not retain_graph:
                node.release()
            yield Step(node, g, tuple(sent))


def _apply(node, g):
    """The node's backward alone, without its hooks."""
    return node.apply(g)


def _call(node, g):
    """The node's backward, between its pre-hooks and post-hooks when it has any."""
    hooks = node._hooks
    if hooks is None:
        return node.apply(g)
    g = hooks.run_pre(g)
    grads = node.apply(g)
    if hooks.post:  # post-hooks see the gradients as they will be sent (shapes and dtypes fixed)
        grads = hooks.run_post([None if gi is None or child is None else _fit(gi, dtype, shape)
                                for (child, _), gi, dtype, shape in zip(
                                    node.next_functions, grads, *node.input_meta)], g)
    return grads


def _fit(g, dtype, shape):
    """g summed back over broadcast axes and cast to its input's dtype."""
    g = sum_to_shape(g, shape)
    return g if g._data.dtype == dtype else g.to(dtype)


def _accumulate(leaf, g, create_graph):
    """leaf.grad += g (a fresh tensor the first time; part of the graph with create_graph)."""
    if leaf._grad is None:
        if not create_graph:  # a fresh copy: .grad never shares memory with a gradient in flight
            leaf._grad = Tensor._make(g._data.copy())
        else:  # the copy is recorded, as PyTorch's: a leaf's .grad is copied into fresh memory
            # (CopyBackwards), a retained non-leaf's is cloned (CloneBackward0)
            leaf._grad = _copy_into_new(g) if leaf.grad_fn is None else g.clone()
        return
    if not create_graph:
        g = g.detach()
    if create_graph or leaf._grad.requires_grad:
        leaf._grad = leaf._grad + g
    else:
        leaf._grad._data += g._data
        leaf._grad._vc[0] += 1


def _copy_into_new(g):
    """g copied into new memory by a recorded copy (``empty(...).copy_(g)``)."""
    import numpy as np
    from .ops import OPS
    from ._graph import apply
    return apply(OPS["index_put"], np.zeros_like(g._data), g, key=(Ellipsis,),
                 name="CopyBackwards")


def _retain(node, g, create_graph):
    tensor = node._retained()
    if tensor is not None:
        _accumulate(tensor, g, create_graph)


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None):
    """Run every step (``Tensor.backward``, ``autograd.backward``, ``autograd.grad``)."""
    from ._args import engine_flag
    from ._graph import edge_to

    retain_graph = engine_flag(retain_graph)
    create_graph = engine_flag(create_graph)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"got {len(tensors)} tensors and {len(grad_tensors)} gradients")
    roots = []
    for i, t in enumerate(tensors):
        node = edge_to(t)
        if node is None:
            raise RuntimeError(f"element {i} of tensors does not require grad and does not have "
                               "a grad_fn")
        roots.append(node)
    capture = None
    if inputs is not None:
        capture = {}
        for t in inputs:
            node = edge_to(t)
            if node is None:
                raise RuntimeError("One of the differentiated Tensors does not require grad")
            capture[node] = None
    for _ in backward_steps(roots, grad_tensors, retain_graph, create_graph, capture):
        pass
    if capture is None:
        return None
    return tuple(capture[edge_to(t)] for t in inputs)
