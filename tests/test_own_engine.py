"""A backward pass written by hand, watched in the stepper and the graph view (``engine=``,
``widgets.record_steps``): the steps shown are the ones that engine ran, the leaves' ``.grad``
is untouched by a dry run, and an engine that breaks the protocol is told what is wrong.

Expected values come from PyTorch when it is installed, else from the math of each graph.
"""
import numpy as np
import pytest

import minigrad
from widgets import BackwardStepper, draw_graph, record_steps
from widgets.walk import is_leaf_node, topological


def unbroadcast(g, shape):
    """g summed over the axes broadcasting added or stretched, back to ``shape``."""
    while g.dim() > len(shape):
        g = g.sum(0)
    for axis, n in enumerate(shape):
        if n == 1 and g.shape[axis] != 1:
            g = g.sum(axis, keepdim=True)
    return g


def hand_engine(root, grad, add=True):
    """The loop a student writes: count dependencies, run ready nodes, add into buffers and
    leaves (written here as the lesson writes it, independently of minigrad's engine).
    add=False: the classic mistake, a gradient arriving at a node replaces the one before."""
    deps, stack, seen = {}, [root], {root}
    while stack:
        node = stack.pop()
        for child, _ in node.next_functions:
            if child is not None:
                deps[child] = deps.get(child, 0) + 1
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
    buffers, ready = {root: grad}, [root]
    while ready:
        node = ready.pop()
        g = buffers.pop(node)
        if is_leaf_node(node):
            leaf = node.variable
            leaf.grad = g.clone() if leaf.grad is None else leaf.grad + g
            yield node, g, ()
            continue
        with minigrad.no_grad():  # the pass itself is not recorded (no create_graph)
            grads = node.apply(g)
        sent = []
        for (child, _), gi, shape in zip(node.next_functions, grads, node.input_meta[1]):
            if child is None:
                sent.append(None)
                continue
            gi = unbroadcast(gi, shape)
            buffers[child] = buffers[child] + gi if child in buffers and add else gi
            deps[child] -= 1
            if deps[child] == 0:
                ready.append(child)
            sent.append(gi)
        yield node, g, tuple(sent)


def assigning_engine(root, grad):
    """Gradients assigned instead of added: the last path to arrive wins."""
    return hand_engine(root, grad, add=False)


def diamond(L):
    """x feeds two branches that meet again, w is broadcast over rows, c is detached."""
    x = L.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
    w = L.tensor([1.5, 2.0, -0.5], requires_grad=True)
    a = x * w
    c = a.detach() * 3
    out = ((a.sin() + a * a) * x + c).sum() + (x + x).mean()
    return out, (x, w)


def test_the_stepper_shows_the_hand_engine_and_its_gradients_are_the_real_ones():
    out, (x, w) = diamond(minigrad)
    stepper = BackwardStepper(out, engine=hand_engine, names={"x": x, "w": w, "out": out})
    assert x.grad is None and w.grad is None, "a dry run left .grad filled"
    real = {s.node: s for s in minigrad.autograd.backward_steps(
        [out.grad_fn], [minigrad.tensor(1.0)], retain_graph=True, accumulate=False)}
    assert [s.node for s in stepper.steps] != [], "no step recorded"
    assert set(s.node for s in stepper.steps) == set(real), "not every node ran once"
    for s in stepper.steps:  # same gradient into and out of every node as minigrad's engine
        np.testing.assert_allclose(s.grad_output.numpy(), real[s.node].grad_output.numpy())
        for mine, theirs in zip(s.grad_inputs, real[s.node].grad_inputs):
            assert (mine is None) == (theirs is None)
            if mine is not None:
                np.testing.assert_allclose(mine.numpy(), theirs.numpy(), rtol=1e-6)
    for _ in range(len(stepper.steps) - 1):
        stepper.next()
    assert stepper.text.startswith(f"BackwardStepper: step {len(stepper.steps)}/"
                                   f"{len(stepper.steps)}")
    out.backward()
    shown = stepper.view.grads
    np.testing.assert_allclose(shown["x"].numpy(), x.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(shown["w"].numpy(), w.grad.numpy(), rtol=1e-6)


def test_hand_engine_matches_pytorch_on_the_diamond():
    torch = pytest.importorskip("torch")
    out, (x, w) = diamond(minigrad)
    record_steps(out, hand_engine, accumulate=True)
    t_out, (tx, tw) = diamond(torch)
    t_out.backward()
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-5)
    np.testing.assert_allclose(w.grad.numpy(), tw.grad.numpy(), rtol=1e-5)


def test_x_plus_x_times_x_is_12_by_hand_and_not_when_assigning():
    """d/dx (x + x)·x = 4x = 12 at x = 3; assigning keeps one path's gradient only (3 or 6),
    and the stepper shows the wrong engine's wrong gradient."""
    x = minigrad.tensor(3.0, requires_grad=True)
    out = (x + x) * x
    record_steps(out, hand_engine, accumulate=True)
    assert x.grad.item() == 12.0
    x.grad = None
    record_steps(out, assigning_engine, accumulate=True)
    wrong = x.grad.item()
    assert wrong in (3.0, 6.0)
    x.grad = None
    stepper = BackwardStepper(out, engine=assigning_engine, names={"x": x})
    stepper.slider.value = len(stepper.steps) - 1
    assert stepper.view.grads["x"].item() == wrong
    assert x.grad is None, "the dry run changed .grad"


def test_a_dry_run_puts_back_grads_changed_in_place():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    x.grad = minigrad.tensor([10.0, 20.0])
    kept = x.grad

    def in_place(root, grad):
        for node, g, sent in hand_engine(root, grad):
            if is_leaf_node(node):
                node.variable.grad.data.add_(100.0)
            yield node, g, sent

    steps = record_steps((x * x).sum(), in_place)
    assert len(steps) == 3
    assert x.grad is kept
    assert x.grad.tolist() == [10.0, 20.0]


def test_draw_graph_takes_the_hand_engine_steps():
    x = minigrad.tensor([1.0, 2.0, 3.0], requires_grad=True)
    out = (x * x).sum()
    steps = record_steps(out, hand_engine)
    source = draw_graph(out, view="backward", steps=steps, names={"x": x}, backend="source")
    dot = source.graph.source
    for value in ("2., 4., 6.", "2, 4, 6", "[2.0, 4.0, 6.0]"):
        if value in dot:
            break
    else:
        pytest.fail(f"the gradient 2x = [2, 4, 6] is on no edge:\n{dot}")


@pytest.mark.parametrize("engine, message", [
    (lambda root, grad: None, "must return or yield (node, grad_output, grad_inputs)"),
    (lambda root, grad: [(root, grad)], "step 1: an engine yields (node, grad_output, "
                                         "grad_inputs) triples"),
    (lambda root, grad: [(object(), grad, ())], "step 1: <object object"),
    (lambda root, grad: [(root, grad, ())], "step 1: MulBackward0 has 2 next_functions, the "
                                            "engine sent 0 gradients"),
    (lambda root, grad: [(root, 1.0, (None, None))], "step 1: gradients are tensors (or None)"),
    (42, "engine must be callable as engine(root, grad), got int"),
])
def test_an_engine_that_breaks_the_protocol_is_told_what_is_wrong(engine, message):
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    out = x * x
    with pytest.raises((TypeError, ValueError)) as raised:
        BackwardStepper(out, minigrad.ones(2), engine=engine, names={"x": x})
    assert message in str(raised.value)


def test_an_engine_that_raises_leaves_grad_as_it_was():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)

    def half_way(root, grad):
        steps = hand_engine(root, grad)
        for node, g, sent in steps:
            yield node, g, sent
            if is_leaf_node(node):
                raise ZeroDivisionError("broken on purpose")

    out = (x * x).sum()
    with pytest.raises(ZeroDivisionError):
        record_steps(out, half_way)
    assert x.grad is None
    assert all(not n.saved_freed for n in topological([out.grad_fn]))
