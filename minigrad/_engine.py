"""The backward pass: a short loop that knows no op by name.

``backward_steps`` walks the graph from the roots in PyTorch's order (a node runs once every
gradient for it has arrived; among ready nodes the newest first) and yields one ``Step`` per node
it runs. ``backward()``, ``autograd.grad()`` and the step-through widget all consume it.

The loop is the plain algorithm: count each node's dependencies, keep a queue of ready nodes, run
a node's VJP, sum what it sends into its children's buffers, accumulate into the leaves. What
PyTorch adds is kept out of the loop, each addition in a function of its own below it:

- ``_arrived``: tensor hooks, ``retain_grad`` and ``autograd.grad``'s capture, on the gradient
  that has arrived at a node;
- ``_run_node``: the node's pre- and post-hooks around its VJP, and anomaly mode;
- ``_fit``: a gradient summed back over broadcast axes and cast to its input's dtype;
- ``_accumulate``: into a leaf's ``.grad``, then the leaf's post-accumulate hooks;
- ``_needed``: with ``autograd.grad(inputs=...)`` only the nodes between roots and inputs run.

A plain pass (``create_graph=False``) moves numpy arrays from node to node and runs each VJP on
them (``_math``); with ``create_graph=True`` the gradients are tensors and every VJP is recorded.
"""
import contextlib
import functools
import heapq
import operator

import numpy as np

from . import _anomaly
from . import _grad_mode
from . import _hooks
from . import _math
from ._args import engine_flag
from ._graph import AccumulateGrad, apply, edge_to
from .ops import OPS
from ._tensor import Tensor


def backward_steps(roots, grads, retain_graph=False, create_graph=False, capture=None,
                   accumulate=True):
    """Run the backward pass from ``roots`` (nodes) seeded with ``grads``, yielding each Step.

    capture: for ``autograd.grad``, a dict {node: None} to fill with the gradient arriving at each
    of those nodes instead of accumulating into any leaf's ``.grad``.
    accumulate: False for a dry run that leaves every ``.grad`` untouched (leaves and retain_grad
    tensors alike) and calls no hook, so that the gradient flow can be shown without side effects.
    """
    plain = not create_graph  # numpy arrays flow: nothing will differentiate these gradients
    deps = _count_dependencies(roots)
    needed = _needed(roots, deps, capture) if capture is not None else None
    buffers = {}  # node -> the sum of the gradients that have arrived at it so far
    for node, g in zip(roots, grads):
        g = g._data if plain else g
        buffers[node] = buffers[node] + g if node in buffers else g
    ready = []  # (seq, node): the newest node first
    for i, node in enumerate(roots):  # in order, as PyTorch's graph root hands them on
        if deps.get(node, 0) == 0 and node not in roots[i + 1:]:
            heapq.heappush(ready, (node.seq, node))
    quiet = _quiet_numpy()
    with _grad_mode.enable_grad() if create_graph else _grad_mode.no_grad():
        while ready:
            node = heapq.heappop(ready)[1]  # every gradient for it has arrived
            g = buffers.pop(node)
            if node._hooks is not None or node._retained is not None or (
                    capture is not None and node in capture):
                g = _arrived(node, g, create_graph, capture, accumulate)
            if needed is not None and node not in needed:
                continue
            if isinstance(node, AccumulateGrad):  # a leaf: into its .grad
                if capture is None and accumulate:
                    _accumulate(node.variable, g, create_graph)
                yield _step((node, g, ()))
                continue
            with quiet or np.errstate(all="ignore"):  # 1/0 is inf, 0/0 nan, as in PyTorch
                grads = _run_node(node, g, accumulate)  # the VJP: one gradient per input
                sent = []  # what goes along each edge, fitted to its input's shape and dtype
                for (child, _), gi, dtype, shape in zip(node.next_functions, grads,
                                                        *node.input_meta):
                    if child is None:
                        sent.append(None)
                        continue
                    if gi is not None:
                        meta = gi if plain else gi._data
                        if meta.shape != shape or meta.dtype.char != dtype:
                            gi = _fit(gi, dtype, shape)
                        if needed is None or child in needed or child in capture:  # summed
                            buffers[child] = buffers[child] + gi if child in buffers else gi
                    sent.append(gi)
                    deps[child] -= 1  # a None gradient (zero) still counts as arrived
                    if deps[child] == 0 and child in buffers:  # its last gradient: ready
                        heapq.heappush(ready, (child.seq, child))
            if not retain_graph:
                node.release()  # its saved tensors
            yield _step((node, g, sent))


class Step(tuple):
    """One node run by the backward pass: ``(node, grad_output, grad_inputs)``, the node, the
    gradient that arrived at it (summed over every path) and what it sent along each of its
    next_functions (None where nothing).

    The gradients read as tensors; a plain pass hands numpy arrays from node to node, and a step
    wraps them only when they are read."""

    __slots__ = ()

    def __new__(cls, node, grad_output, grad_inputs):
        return tuple.__new__(cls, (node, grad_output, grad_inputs))

    node = property(operator.itemgetter(0))

    @property
    def grad_output(self):
        return _tensor(self[1])

    @property
    def grad_inputs(self):
        return tuple([_tensor(g) for g in self[2]])

    def __iter__(self):
        return iter((self[0], self.grad_output, self.grad_inputs))

    def __repr__(self):
        return (f"Step(node={self.node!r}, grad_output={self.grad_output!r}, "
                f"grad_inputs={self.grad_inputs!r})")


_step = functools.partial(tuple.__new__, Step)  # Step(node, g, sent), made by the loop at C speed


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


# ---- what PyTorch adds to the plain algorithm --------------------------------------------------
def _needed(roots, deps, targets):
    """The nodes on some path from the roots to a target (so nothing else is run)."""
    order, remaining = [], dict(deps)
    ready = [r for r in set(roots) if remaining.get(r, 0) == 0]
    while ready:  # the nodes in an order where each comes before its children
        node = ready.pop()
        order.append(node)
        for child, _ in node.next_functions:
            if child is not None:
                remaining[child] -= 1
                if remaining[child] == 0:
                    ready.append(child)
    needed = set()  # a target itself only has its gradient captured: it does not run
    for node in reversed(order):
        for child, _ in node.next_functions:
            if child in needed or child in targets:
                needed.add(node)
                break
    return needed


def _arrived(node, g, create_graph, capture, accumulate):
    """The gradient that has arrived at ``node``, as its tensor hooks leave it (they may replace
    it), after ``retain_grad`` has kept it and ``autograd.grad`` has captured it. A dry run calls
    no hook and keeps nothing."""
    if accumulate and (node._hooks is not None or node._retained is not None):
        t = _tensor(g)
        if node._hooks is not None:  # tensor hooks see (may replace) the gradient first
            t = node._hooks.run_tensor_hooks(t)
        if node._retained is not None:  # retain_grad: after the tensor hooks
            tensor = node._retained()
            if tensor is not None:
                _accumulate(tensor, t, create_graph, hooks=False)
        g = t if create_graph else t._data
    if capture is not None and node in capture:
        capture[node] = _tensor(g)
    return g


def _run_node(node, g, accumulate):
    """The node's VJP, between its pre-hooks and post-hooks when it has any (a dry run calls no
    hook); in anomaly mode, checked for NaN and traced back to the forward code on error."""
    hooks = node._hooks if accumulate else None
    if hooks is None and not _anomaly.enabled:
        return node.vjp(g)
    if hooks is None:
        return _anomaly.run(_vjp, node, g)
    tensors = isinstance(g, Tensor)
    g = hooks.run_pre(_tensor(g))
    grads = _anomaly.run(_vjp, node, g) if _anomaly.enabled else node.vjp(g)
    if hooks.post:  # post-hooks see the gradients as they will be sent (shapes and dtypes fixed)
        grads = hooks.run_post([None if gi is None or child is None else _fit(gi, dtype, shape)
                                for (child, _), gi, dtype, shape in zip(
                                    node.next_functions, grads, *node.input_meta)], g)
    return [gi if gi is None or tensors else gi._data for gi in grads]


def _vjp(node, g):
    return node.vjp(g)


def _fit(g, dtype, shape):
    """g summed back over broadcast axes and cast to its input's dtype (arrays or tensors);
    ``dtype`` is a numpy dtype code (``input_meta``'s)."""
    g = _math.sum_to(g, shape)
    if isinstance(g, Tensor):
        return g if g._data.dtype.char == dtype else g.to(np.dtype(dtype))
    return g if g.dtype.char == dtype else np.asarray(g).astype(dtype)


def _accumulate(leaf, g, create_graph, hooks=True):
    """leaf.grad += g (a fresh tensor the first time; part of the graph with create_graph), then
    the leaf's post-accumulate hooks, which read the new .grad."""
    if leaf._grad is None:
        if not create_graph:  # a fresh copy: .grad never shares memory with a gradient in flight
            leaf._grad = Tensor._make(np.array(g._data if isinstance(g, Tensor) else g))
        else:  # the copy is recorded, as PyTorch's: a leaf's .grad is copied into fresh memory
            # (CopyBackwards), a retained non-leaf's is cloned (CloneBackward0)
            leaf._grad = _copy_into_new(g) if leaf.grad_fn is None else g.clone()
    elif create_graph or leaf._grad.requires_grad:
        leaf._grad = leaf._grad + (g if create_graph else _tensor(g).detach())
    else:
        leaf._grad._data += g._data if isinstance(g, Tensor) else g
        leaf._grad._vc[0] += 1
    if hooks:
        _hooks.run_post_accumulate(leaf)


def _copy_into_new(g):
    """g copied into new memory by a recorded copy (``empty(...).copy_(g)``)."""
    return apply(OPS["index_put"], np.zeros_like(g._data), g, key=(Ellipsis,),
                 name="CopyBackwards")


def _tensor(g):
    """A gradient as a tensor (a plain pass moves numpy arrays)."""
    return g if g is None or isinstance(g, Tensor) else Tensor._make(np.asarray(g))


def _quiet_numpy():
    """A context that does nothing when numpy's floating-point warnings are already off (as
    ``run_backward`` turns them off for its whole pass), else None: each node then turns them
    off for its own numpy work."""
    return _NOTHING if np.geterr() == _QUIET else None


_NOTHING = contextlib.nullcontext()


_QUIET = {"divide": "ignore", "over": "ignore", "under": "ignore", "invalid": "ignore"}


def run_backward(tensors, grad_tensors, retain_graph, create_graph, inputs=None):
    """Run every step (``Tensor.backward``, ``autograd.backward``, ``autograd.grad``)."""
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
    with np.errstate(all="ignore"):
        for _ in backward_steps(roots, grad_tensors, retain_graph, create_graph, capture):
            pass
    if capture is None:
        return None
    return tuple(capture[edge_to(t)] for t in inputs)
