"""Backward hooks and retained gradients: what fires, in which order, with which values."""
import gc

import numpy as np
import pytest

import minigrad
from compare import error_of

torch = pytest.importorskip("torch")


def values(v):
    """Hook arguments as plain data (tensors to lists; tuples kept), for comparing logs."""
    if isinstance(v, tuple):
        return tuple(values(e) for e in v)
    if v is None:
        return None
    return v.detach().tolist()


def hook_order_log(lib):
    """Tensor hooks on a non-leaf (with retain_grad between them), Node pre- and post-hooks,
    and two leaf hooks: log every call and return the final gradients."""
    log = []
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: log.append(("h1", values(g))) or g * 10)
    y.retain_grad()
    y.register_hook(lambda g: log.append(("h2", values(g))) or g + 1)
    x.register_hook(lambda g: log.append(("x1", values(g), x.grad)))
    x.register_hook(lambda g: log.append(("x2", values(g))) or g * 0 + 7)
    y.grad_fn.register_prehook(lambda go: log.append(("pre", values(go))))
    y.grad_fn.register_hook(lambda gi, go: log.append(("post", values(gi), values(go))))
    (y * y).sum().backward()
    return log, y.grad.tolist(), x.grad.tolist()


def test_hook_order_and_values_match_torch():
    log_m, y_grad_m, x_grad_m = hook_order_log(minigrad)
    log_t, y_grad_t, x_grad_t = hook_order_log(torch)
    assert log_m == log_t
    assert [entry[0] for entry in log_m] == ["h1", "h2", "pre", "post", "x1", "x2"]
    # retain_grad runs after every tensor hook (PyTorch 2.x): .grad shows h2's result
    assert y_grad_m == y_grad_t == [41.0, 81.0]
    assert x_grad_m == x_grad_t == [7.0, 7.0]  # the last leaf hook's value is accumulated


def test_leaf_hook_runs_before_accumulation_each_backward():
    seen = []
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    x.register_hook(lambda g: seen.append(None if x.grad is None else x.grad.tolist()))
    (x * 3).sum().backward()
    (x * 3).sum().backward()
    assert seen == [None, [3.0, 3.0]]
    assert x.grad.tolist() == [6.0, 6.0]


def test_hook_sees_the_summed_gradient_once():
    for lib in (minigrad, torch):
        calls = []
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(lambda g: calls.append(g.tolist()))
        (y * 3 + y * 4).sum().backward()
        assert calls == [[7.0, 7.0]], lib.__name__


def test_remove_and_context_manager():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 3
    handle = y.register_hook(lambda g: g * 2)
    y.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [6.0, 6.0]
    handle.remove()
    handle.remove()  # a second remove does nothing
    x.grad = None
    y.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    with x.register_hook(lambda g: g * 0):
        y.sum().backward(retain_graph=True)
    assert x.grad.tolist() == [0.0, 0.0]
    x.grad = None
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    assert isinstance(handle.id, int)


def test_hook_on_a_dropped_non_leaf_still_fires():
    calls = []
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: calls.append(1))
    z = (y * y).sum()
    del y
    gc.collect()
    z.backward()
    assert calls == [1]


@pytest.mark.parametrize("hook", [lambda g: g[:1], lambda g: g.double(), lambda g: 3],
                         ids=["size", "dtype", "not_a_tensor"])
def test_bad_hook_results_raise_like_torch(hook):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y.register_hook(hook)
        y.sum().backward()

    got = error_of(lambda: run(minigrad))
    assert got is not None and got == error_of(lambda: run(torch))


@pytest.mark.parametrize("kind", ["pre_not_tuple", "post_not_tuple", "post_wrong_length"])
def test_bad_node_hook_results_raise_like_torch(kind):
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        if kind == "pre_not_tuple":
            y.grad_fn.register_prehook(lambda go: go[0])
        elif kind == "post_not_tuple":
            y.grad_fn.register_hook(lambda gi, go: gi[0])
        else:
            y.grad_fn.register_hook(lambda gi, go: (gi[0],))
        y.sum().backward()

    got = error_of(lambda: run(minigrad))
    assert got is not None and got == error_of(lambda: run(torch))


def test_node_hooks_can_replace_gradients_like_torch():
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 1.0], requires_grad=True)
        y = x * 2
        y.grad_fn.register_hook(lambda gi, go: (gi[0] * 100, None))
        y.sum().backward()
        assert x.grad.tolist() == [200.0, 200.0], lib.__name__
        x.grad = None
        y = x * 2
        y.grad_fn.register_prehook(lambda go: (go[0] * 5,))
        y.sum().backward()
        assert x.grad.tolist() == [10.0, 10.0], lib.__name__


def test_post_hook_sees_gradients_summed_to_input_shapes():
    results = []
    for lib in (minigrad, torch):
        a = lib.ones(2, 3, requires_grad=True)
        b = lib.ones(3, requires_grad=True)
        z = a * b
        z.grad_fn.register_hook(lambda gi, go: results.append([list(g.shape) for g in gi]))
        z.sum().backward()
    assert results[0] == results[1] == [[2, 3], [3]]


def test_hooks_and_autograd_grad_like_torch():
    out = {}
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 1.0], requires_grad=True)
        x.register_hook(lambda g: g * 3)
        (gx,) = lib.autograd.grad((x * 2).sum(), x)
        y = x * 2
        y.retain_grad()
        (gy,) = lib.autograd.grad((y * 3).sum(), y)
        out[lib.__name__] = (gx.tolist(), gy.tolist(), y.grad.tolist(), x.grad)
    assert out["minigrad"] == out["torch"]
    assert out["minigrad"][0] == [6.0, 6.0] and out["minigrad"][2] == [3.0, 3.0]


def test_register_hook_needs_requires_grad():
    assert error_of(lambda: minigrad.ones(2).register_hook(print)) == \
        error_of(lambda: torch.ones(2).register_hook(print))


def test_retain_grad_flags_and_values_like_torch():
    out = {}
    for lib in (minigrad, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        before = y.retains_grad
        y.retain_grad()
        x.retain_grad()  # a no-op on a leaf
        z = (y * y).sum()
        z.backward()
        out[lib.__name__] = (before, y.retains_grad, x.retains_grad, y.is_leaf,
                             np.round(y.grad.numpy(), 5).tolist(), x.grad.tolist() is not None)
    assert out["minigrad"] == out["torch"]
    assert out["minigrad"][:3] == (False, True, False)


def test_hook_gradient_is_differentiable_with_create_graph():
    out = {}
    for lib in (minigrad, torch):
        seen = []
        x = lib.tensor([2.0], requires_grad=True)
        y = x * x
        y.register_hook(lambda g: seen.append(g.requires_grad))
        (gx,) = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        out[lib.__name__] = (seen, gx.requires_grad, gx.tolist())
    assert out["minigrad"] == out["torch"]


def test_backward_hooks_attribute_counts_hooks():
    x = minigrad.tensor([1.0], requires_grad=True)
    assert x._backward_hooks is None
    x.register_hook(lambda g: g)
    y = x * 2
    y.register_hook(lambda g: g)
    y.register_hook(lambda g: g)
    assert len(x._backward_hooks) == 1 and len(y._backward_hooks) == 2
