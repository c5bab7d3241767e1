"""Backward passes other than minigrad's own, to watch in the stepper and the graph view.

A lesson can have students write the backward pass themselves and then watch *their* loop run
on the same pictures as the real one:

    def my_engine(root, grad):              # root: out.grad_fn, grad: d out / d out
        ...                                 # count dependencies, apply each node's VJP, ...
        yield node, grad_output, grad_inputs  # one triple per node run, in the order run

    BackwardStepper(out, engine=my_engine)
    draw_graph(out, view="backward", steps=record_steps(out, my_engine))

The protocol is that of ``minigrad.autograd.backward_steps``: an engine is called with the node
the output's gradient flows into (``out.grad_fn``, or a leaf's ``AccumulateGrad``) and the seed
gradient (a tensor of ``out``'s shape), and returns an iterable of ``(node, grad_output,
grad_inputs)``: the node it ran, the gradient it ran it on, and what it sent along each entry of
``node.next_functions`` (``None`` where nothing; ``()`` for an ``AccumulateGrad``). It must not free
what the nodes saved (``node.apply(g)`` does not). Whatever it writes into ``.grad`` is put back
afterwards unless ``accumulate=True``.
"""
import minigrad
from minigrad._engine import Step

from . import walk


def record_steps(out, engine, gradient=None, *, accumulate=False):
    """The ``Step``s of ``engine`` run on the graph behind ``out``, seeded with ``gradient``
    (None: 1 for a scalar ``out``), checked against the graph; every ``.grad`` of the graph's
    leaves is as before unless ``accumulate``."""
    from minigrad._graph import edge_to
    from minigrad.autograd import _make_grads
    if not isinstance(out, minigrad.Tensor):
        raise TypeError(f"out must be a minigrad tensor, got {type(out).__name__}")
    (seed,) = _make_grads([out], [gradient])
    root = edge_to(out)
    if root is None:
        raise RuntimeError("element 0 of tensors does not require grad and does not have a "
                           "grad_fn")
    return run_engine(engine, root, seed, accumulate=accumulate)


def run_engine(engine, root, seed, *, accumulate=False):
    """``engine(root, seed)`` run to the end, its items checked and made ``Step``s."""
    if not callable(engine):
        raise TypeError(f"engine must be callable as engine(root, grad), got "
                        f"{type(engine).__name__}")
    graph = set(walk.topological([root]))
    kept = _grads_of(graph) if not accumulate else None
    try:
        items = engine(root, seed)
        if items is None or not hasattr(items, "__iter__"):
            raise TypeError(f"engine(root, grad) must return or yield (node, grad_output, "
                            f"grad_inputs) triples, got {type(items).__name__}")
        return [_step(item, k, graph) for k, item in enumerate(items)]
    finally:
        if kept is not None:
            _put_back(kept)


def _step(item, k, graph):
    """``item`` (the engine's k-th) as a Step, or a TypeError/ValueError saying what is wrong."""
    if not isinstance(item, tuple) or len(item) != 3:
        raise TypeError(f"step {k + 1}: an engine yields (node, grad_output, grad_inputs) "
                        f"triples, got {item!r:.80}")
    node, grad_output, grad_inputs = item
    if node not in graph:
        raise ValueError(f"step {k + 1}: {node!r:.80} is not a node of this graph (an engine "
                         f"yields the nodes it reached through next_functions)")
    grad_inputs = tuple(grad_inputs)
    if len(grad_inputs) != len(node.next_functions):
        raise ValueError(f"step {k + 1}: {node.name()} has {len(node.next_functions)} "
                         f"next_functions, the engine sent {len(grad_inputs)} gradients")
    for g in (grad_output,) + grad_inputs:
        if g is not None and not isinstance(g, minigrad.Tensor):
            raise TypeError(f"step {k + 1}: gradients are tensors (or None), got "
                            f"{type(g).__name__}")
    return Step(node, grad_output, grad_inputs)


def _grads_of(graph):
    """[(leaf, its .grad object, a copy of its values)] for every leaf of the graph."""
    kept = []
    for node in graph:
        if walk.is_leaf_node(node):
            g = node.variable._grad
            kept.append((node.variable, g, None if g is None else g._data.copy()))
    return kept


def _put_back(kept):
    """Every leaf's ``.grad`` as it was: the same object, with the same values."""
    for leaf, g, values in kept:
        leaf._grad = g
        if g is not None and g._data.shape == values.shape and (g._data != values).any():
            g._data[...] = values  # changed in place (``leaf.grad += g``): values back too
