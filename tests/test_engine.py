"""The backward engine's semantics against PyTorch's: graphs, order, modes, errors, messages.

Where PyTorch is importable the expected values, messages and graph shapes are computed by
running the same code under ``torch``; the rest follows from the math.
"""
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import minigrad
from compare import outcome
from minigrad import autograd
from minigrad._engine import backward_steps


def _torch():
    return pytest.importorskip("torch")


def assert_same_error(fn):
    """fn raises under minigrad exactly what it raises under torch (type and message)."""
    torch = _torch()
    expected = outcome(fn, torch)
    assert expected[0] != "ok", "the reference does not raise"
    assert outcome(fn, minigrad) == expected


def values(t):
    return None if t is None else np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


# ---- graphs: shared nodes, diamonds, deep chains -------------------------------------------
def test_shared_node_gradients_add_up():
    x = minigrad.tensor(3.0, requires_grad=True)
    ((x + x) * x).backward()
    assert x.grad.item() == 12.0  # d/dx 2x² = 4x


def test_diamond_matches_torch():
    torch = _torch()

    def run(L):
        x = L.tensor([0.5, -1.0, 2.0], dtype=L.float64, requires_grad=True)
        a = x * 2
        b, c = a.sin(), a.cos()
        (b * c + a.exp()).sum().backward()
        return x.grad

    np.testing.assert_allclose(values(run(minigrad)), values(run(torch)), rtol=1e-12)


def test_one_leaf_used_by_many_ops():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * x + x.exp() * x - x / 2
    y.sum().backward()
    e = np.exp([1.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), 2 * np.array([1.0, 2.0]) + e * (1 + np.array(
        [1.0, 2.0])) - 0.5, rtol=1e-6)


def test_deep_chain_of_100000_ops():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0.5
    y.sum().backward()  # iterative: no RecursionError
    assert x.grad.tolist() == [1.0, 1.0]
    assert y.tolist() == [50001.0, 50002.0]
    del y  # freeing a deep graph must not overflow the stack either


# ---- retain_graph, accumulation ------------------------------------------------------------
def test_second_backward_without_retain_graph_errors_like_torch():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        y.backward()
        y.backward()

    assert_same_error(run)

    def run_grad(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x.exp() * 2).sum()
        L.autograd.grad(y, x)
        L.autograd.grad(y, x)

    assert_same_error(run_grad)


def test_saved_tensors_error_is_pytorchs_text():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    with pytest.raises(RuntimeError, match=re.escape(
            "Trying to backward through the graph a second time (or directly access saved "
            "tensors after they have already been freed). Saved intermediate values of the graph "
            "are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if "
            "you need to backward through the graph a second time or if you need to access saved "
            "tensors after calling backward.")):
        y.backward()


def test_retain_graph_allows_a_second_backward_that_accumulates():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    assert x.grad.tolist() == [2.0, 4.0]
    y.backward()
    assert x.grad.tolist() == [4.0, 8.0]
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_graph_without_saved_tensors_can_be_run_twice():
    # Nothing is saved by add and sum, so nothing is freed (as in PyTorch).
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x + 1).sum()
    y.backward()
    y.backward()
    assert x.grad.tolist() == [2.0, 2.0]


def test_accumulation_across_calls_and_zero_():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    g = x.grad
    (3 * x).sum().backward()
    assert x.grad is g  # accumulated in place
    assert x.grad.tolist() == [5.0, 7.0]
    x.grad.zero_()
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    x.grad = None
    (x * 4).sum().backward()
    assert x.grad.tolist() == [4.0, 4.0]


def test_non_scalar_backward_is_a_vector_jacobian_product():
    torch = _torch()

    def run(L):
        x = L.tensor([1.0, 2.0, 3.0], dtype=L.float64, requires_grad=True)
        y = L.stack([x[0] * x[1], x[1] ** 3, x.exp().sum()])
        y.backward(gradient=L.tensor([0.1, 1.0, 0.0001], dtype=L.float64))
        return x.grad

    got = values(run(minigrad))
    np.testing.assert_allclose(got, values(run(torch)), rtol=1e-12)
    e = np.exp([1.0, 2.0, 3.0])  # J^T v by hand
    np.testing.assert_allclose(got, [0.1 * 2 + 1e-4 * e[0], 0.1 * 1 + 12.0 + 1e-4 * e[1],
                                     1e-4 * e[2]], rtol=1e-12)


# ---- backward() errors ---------------------------------------------------------------------
@pytest.mark.parametrize("case", ["non_scalar", "shape_mismatch", "number", "list_of_numbers",
                                  "no_grad_tensor", "leaf_without_grad", "grad_outputs_number",
                                  "non_scalar_grad", "empty_inputs"])
def test_backward_errors_match_torch(case):
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        if case == "non_scalar":
            y.backward()
        elif case == "shape_mismatch":
            y.backward(L.ones(3))
        elif case == "number":
            y.backward(5.0)
        elif case == "list_of_numbers":
            y.backward([1.0, 2.0])
        elif case == "no_grad_tensor":
            (L.tensor([1.0, 2.0]) * 2).sum().backward()
        elif case == "leaf_without_grad":
            L.tensor(1.0).backward()
        elif case == "grad_outputs_number":
            L.autograd.grad(y.sum(), x, grad_outputs=[2.0])
        elif case == "non_scalar_grad":
            L.autograd.grad(y, x)
        elif case == "empty_inputs":
            y.sum().backward(inputs=[])

    assert_same_error(run)


def test_backward_error_texts():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match="^grad can be implicitly created only for scalar "
                                           "outputs$"):
        (x * 2).backward()
    with pytest.raises(RuntimeError, match=re.escape(
            "Mismatch in shape: grad_output[0] has a shape of torch.Size([3]) and output[0] has "
            "a shape of torch.Size([2]).")):
        (x * 2).backward(minigrad.ones(3))
    with pytest.raises(TypeError, match="^gradients can be either Tensors or None, but got "
                                        "float$"):
        (x * 2).backward([1.0, 2.0])
    with pytest.raises(RuntimeError, match="^element 0 of tensors does not require grad and "
                                           "does not have a grad_fn$"):
        minigrad.ones(2).sum().backward()


def test_gradient_of_other_dtype_is_cast_to_the_outputs():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward(minigrad.tensor([1, 2]))
    assert x.grad.dtype == minigrad.float32
    assert x.grad.tolist() == [2.0, 4.0]


# ---- grad modes ----------------------------------------------------------------------------
def test_no_grad_records_nothing():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with minigrad.no_grad():
        y = x * 2 + 1
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()
    assert y.grad_fn is None and not y.requires_grad and y.is_leaf
    assert x.requires_grad


def test_enable_grad_inside_no_grad():
    x = minigrad.tensor(2.0, requires_grad=True)
    with minigrad.no_grad():
        with minigrad.enable_grad():
            y = x * 2
        z = x * 2
    assert y.requires_grad and type(y.grad_fn).__name__ == "MulBackward0"
    assert not z.requires_grad


def test_grad_mode_is_restored_after_an_exception():
    with pytest.raises(ValueError):
        with minigrad.no_grad():
            raise ValueError
    assert minigrad.is_grad_enabled()


def test_set_grad_enabled_as_function_context_manager_and_decorator():
    x = minigrad.tensor(2.0, requires_grad=True)
    minigrad.set_grad_enabled(False)
    try:
        assert not (x * 2).requires_grad
    finally:
        minigrad.set_grad_enabled(True)
    assert (x * 2).requires_grad
    with minigrad.set_grad_enabled(False):
        assert not (x * 2).requires_grad
        with minigrad.set_grad_enabled(True):
            assert (x * 2).requires_grad
        assert not minigrad.is_grad_enabled()
    assert minigrad.is_grad_enabled()

    @minigrad.set_grad_enabled(False)
    def double(t):
        return t * 2

    assert minigrad.is_grad_enabled()  # decorating does not switch the mode
    assert not double(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_no_grad_and_enable_grad_as_decorators():
    x = minigrad.tensor(2.0, requires_grad=True)

    @minigrad.no_grad()
    def f(t):
        return t * 2

    @minigrad.no_grad
    def g(t):
        """doc"""
        return t * 2

    @minigrad.enable_grad()
    def h(t):
        return t * 2

    assert not f(x).requires_grad and not g(x).requires_grad
    assert g.__name__ == "g" and g.__doc__ == "doc"
    with minigrad.no_grad():
        assert h(x).requires_grad
    assert minigrad.is_grad_enabled()


def test_grad_mode_decorators_match_torch():
    torch = _torch()

    def run(L):
        x = L.tensor(2.0, requires_grad=True)
        f = L.no_grad(lambda t: t * 2)
        h = L.enable_grad()(lambda t: t * 2)
        with L.no_grad():
            inner = h(x).requires_grad
        return f(x).requires_grad, inner, L.is_grad_enabled()

    assert run(minigrad) == run(torch)


# ---- .grad, requires_grad, leaves ----------------------------------------------------------
def _recorded(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [(w.category, str(w.message)) for w in caught]


def test_grad_of_non_leaf_warns_like_torch():
    torch = _torch()

    def access(L):
        x = L.tensor(2.0, requires_grad=True)
        y = x * 2
        return lambda: y.grad

    got = _recorded(access(minigrad))
    expected = _recorded(access(torch))
    assert len(got) == len(expected) == 1
    assert got[0][0] is expected[0][0] is UserWarning
    # PyTorch appends where its C++ code raised the warning; the text before that is the same.
    assert got[0][1] == expected[0][1].split(" (Triggered internally at")[0]
    assert got[0][1].startswith("The .grad attribute of a Tensor that is not a leaf Tensor is "
                                "being accessed.")


def test_grad_warning_only_where_torch_warns():
    torch = _torch()
    results = []
    for L in (minigrad, torch):
        x = L.tensor(2.0, requires_grad=True)
        y = x * 2
        y.retain_grad()
        h = x * 3
        (h * y).backward(inputs=[h, x])  # fills h.grad: no warning once it has one
        caught = _recorded(lambda: results.append([values(t.grad) for t in (x, y, h)]))
        assert caught == [], L.__name__
    assert [v.tolist() for v in results[0]] == [v.tolist() for v in results[1]]


@pytest.mark.parametrize("case", ["non_leaf_false", "non_leaf_attr_false", "non_leaf_attr_true",
                                  "int_method", "int_attr", "int_factory", "bool_factory",
                                  "arange_int"])
def test_requires_grad_errors_match_torch(case):
    def run(L):
        y = L.tensor([1.0], requires_grad=True) * 2
        if case == "non_leaf_false":
            y.requires_grad_(False)
        elif case == "non_leaf_attr_false":
            y.requires_grad = False
        elif case == "non_leaf_attr_true":
            y.requires_grad = True
        elif case == "int_method":
            L.tensor([1, 2]).requires_grad_()
        elif case == "int_attr":
            L.tensor([1, 2]).requires_grad = True
        elif case == "int_factory":
            L.tensor([1, 2], requires_grad=True)
        elif case == "bool_factory":
            L.tensor([True], requires_grad=True)
        elif case == "arange_int":
            L.arange(3, requires_grad=True)

    assert_same_error(run)


def test_requires_grad_rules():
    x = minigrad.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad and x.is_leaf
    assert x.requires_grad_(False) is x and not x.requires_grad
    y = minigrad.tensor([1.0], requires_grad=True) * 2
    assert y.requires_grad_() is y  # True on a non-leaf is allowed (nothing changes)
    i = minigrad.tensor([1, 2])
    assert i.requires_grad_(False) is i  # False is fine for any dtype
    for dtype in (minigrad.float16, minigrad.float32, minigrad.float64):
        assert minigrad.ones(2, dtype=dtype, requires_grad=True).requires_grad


def test_only_floating_results_require_grad():
    x = minigrad.tensor([1.5, -2.5], requires_grad=True)
    assert not (x > 0).requires_grad
    assert not x.argmax().requires_grad
    assert not x.long().requires_grad
    assert x.double().requires_grad


def test_detach():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.grad_fn is None
    d[0] = 10.0  # shares storage and version counter with y
    assert y.tolist() == [10.0, 4.0]
    assert y._version == d._version == 1
    e = x.detach()
    e.zero_()  # a detached leaf may be changed in place (no "view of a leaf" error)
    assert x.tolist() == [0.0, 0.0] and x._version == 1


def test_retain_grad():
    x = minigrad.tensor(2.0, requires_grad=True)
    h = x * 3
    assert not h.retains_grad
    h.retain_grad()
    assert h.retains_grad and not x.retains_grad
    (h * h).backward()
    assert h.grad.item() == 12.0 and x.grad.item() == 36.0
    x.retain_grad()  # a no-op on a leaf
    assert not x.retains_grad
    with pytest.raises(RuntimeError, match="^can't retain_grad on Tensor that has "
                                           "requires_grad=False$"):
        minigrad.tensor(1.0).retain_grad()


def test_leaf_backward():
    x = minigrad.tensor(2.0, requires_grad=True)
    x.backward()
    assert x.grad.item() == 1.0
    v = minigrad.tensor([1.0, 2.0], requires_grad=True)
    v.backward(minigrad.tensor([3.0, 4.0]))
    assert v.grad.tolist() == [3.0, 4.0]


# ---- autograd.grad -------------------------------------------------------------------------
def test_grad_returns_without_touching_dot_grad():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    (g,) = autograd.grad((x * x).sum(), x)
    assert g.tolist() == [2.0, 4.0] and x.grad is None and not g.requires_grad


def test_grad_allow_unused_and_materialize_grads():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    w = minigrad.tensor(1.0, requires_grad=True)
    with pytest.raises(RuntimeError, match=re.escape(
            "The differentiated Tensor at index 1 appears to not have been used in the graph. "
            "Set allow_unused=True if this is the desired behavior.")):
        autograd.grad((x * 2).sum(), [x, w])
    gx, gw = autograd.grad((x * 2).sum(), [x, w], allow_unused=True)
    assert gx.tolist() == [2.0, 2.0] and gw is None
    gx, gw = autograd.grad((x * 2).sum(), [x, w], materialize_grads=True)
    assert gw.tolist() == 0.0 and gw.dtype == w.dtype and gw.shape == w.shape
    with pytest.raises(ValueError, match=re.escape(
            "Expected allow_unused to be True or not passed when materialize_grads=True, but "
            "got: allow_unused=False.")):
        autograd.grad((x * 2).sum(), [x, w], allow_unused=False, materialize_grads=True)


def test_grad_with_respect_to_an_intermediate_keeps_its_node():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()
    (g,) = autograd.grad((h * h).sum(), h)
    np.testing.assert_allclose(g.numpy(), 2 * np.exp([1.0, 2.0]), rtol=1e-6)
    # h's own node did not run, so its saved output is still there (as in PyTorch).
    h.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]), rtol=1e-6)


def test_higher_derivatives_of_x_cubed():
    x = minigrad.tensor(2.0, requires_grad=True)
    (g1,) = autograd.grad(x ** 3, x, create_graph=True)
    (g2,) = autograd.grad(g1, x, create_graph=True)
    (g3,) = autograd.grad(g2, x, create_graph=True)
    assert (g1.item(), g2.item(), g3.item()) == (12.0, 12.0, 6.0)  # 3x², 6x, 6
    assert g3.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        autograd.grad(autograd.grad(g3, x)[0], x)  # the 4th derivative is a constant


def test_higher_derivatives_match_torch():
    torch = _torch()

    def run(L):
        x = L.tensor([0.3, -1.2], dtype=L.float64, requires_grad=True)
        y = (x.sin() * x ** 3 + x.exp() / (1 + x * x)).sum()
        out = []
        for _ in range(3):
            (y,) = L.autograd.grad(y, x, create_graph=True)
            out.append(values(y))
            y = y.sum()
        return out

    for got, expected in zip(run(minigrad), run(torch)):
        np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_grad_retain_graph():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x.exp() * x).sum()
    (a,) = autograd.grad(y, x, retain_graph=True)
    (b,) = autograd.grad(y, x)
    assert a.tolist() == b.tolist()
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        autograd.grad(y, x)


def test_backward_create_graph_records_the_gradient():
    torch = _torch()

    def run(L):
        x = L.tensor(2.0, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the reference-cycle warning (tested below)
            (x ** 3).backward(create_graph=True)
        g = x.grad
        names = type(g.grad_fn).__name__, [type(n).__name__ if n else None
                                           for n, _ in g.grad_fn.next_functions]
        x.grad = None
        g.backward()
        return g.item(), names, x.grad.item()

    assert run(minigrad) == run(torch) == (12.0, ("CopyBackwards", [None, "MulBackward0"]), 12.0)


def test_backward_create_graph_warns_once_like_torch(monkeypatch):
    torch = _torch()
    import minigrad._tensor as mg_tensor
    monkeypatch.setattr(mg_tensor, "_WARNED", set())
    x = minigrad.tensor(2.0, requires_grad=True)
    got = _recorded(lambda: (x ** 3).backward(create_graph=True))
    again = _recorded(lambda: (x ** 3).backward(create_graph=True))
    tx = torch.tensor(2.0, requires_grad=True)
    expected = _recorded(lambda: (tx ** 3).backward(create_graph=True))
    assert len(got) == 1 and got[0][0] is UserWarning and again == []
    if expected:  # PyTorch warns once per process: another test may have used it up
        assert got[0][1] == expected[0][1].split(" (Triggered internally at")[0]
    assert got[0][1].startswith("Using backward() with create_graph=True will create a "
                                "reference cycle")


def test_backward_inputs():
    a = minigrad.tensor(2.0, requires_grad=True)
    b = minigrad.tensor(3.0, requires_grad=True)
    (a * b * a).backward(inputs=[a])
    assert a.grad.item() == 12.0 and b.grad is None
    (a * b * a).backward(inputs=[b])
    assert a.grad.item() == 12.0 and b.grad.item() == 4.0
    h = a * b
    (h * a).backward(inputs=[h])
    assert h.grad.item() == 2.0 and a.grad.item() == 12.0


def test_backward_inputs_matches_torch():
    torch = _torch()

    def run(L):
        a = L.tensor([2.0, -1.0], requires_grad=True)
        b = L.tensor([3.0, 0.5], requires_grad=True)
        h = a * b
        y = (h.exp() * a).sum()
        y.backward(inputs=[b, h], retain_graph=True)
        first = (a.grad, values(b.grad), values(h.grad))
        y.backward(inputs=(a,))
        return first, values(a.grad), values(b.grad)

    (m_first, m_a, m_b), (t_first, t_a, t_b) = run(minigrad), run(torch)
    assert m_first[0] is None and t_first[0] is None
    for got, expected in zip(m_first[1:] + (m_a, m_b), t_first[1:] + (t_a, t_b)):
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_multiple_roots():
    torch = _torch()

    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x * x).sum()
        z = x.exp()
        L.autograd.backward([y, z], [None, L.tensor([1.0, 0.5])])
        return values(x.grad)

    np.testing.assert_allclose(run(minigrad), run(torch), rtol=1e-6)


@pytest.mark.parametrize("how", ["backward", "grad"])
def test_the_same_root_given_twice(how):
    """Both gradients of a root given twice arrive (summed), as in PyTorch."""
    torch = _torch()

    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = (x * 3).sum()
        z = x.exp()
        roots, grads = [y, z, y], [L.tensor(1.0), L.tensor([1.0, 0.5]), L.tensor(2.0)]
        if how == "grad":
            return values(L.autograd.grad(roots, x, grads)[0])
        L.autograd.backward(roots, grads)
        return values(x.grad)

    np.testing.assert_allclose(run(minigrad), run(torch), rtol=1e-6)


# ---- dtypes --------------------------------------------------------------------------------
def test_gradient_dtype_is_the_leafs_in_mixed_graphs():
    torch = _torch()

    def run(L):
        a = L.tensor([2.0, 3.0], requires_grad=True)  # float32
        b = L.tensor([0.5, 4.0], dtype=L.float64, requires_grad=True)
        c = L.tensor(1.5, dtype=L.float64, requires_grad=True)  # 0-d: does not promote
        d = L.tensor([1.0, 2.0], requires_grad=True)
        out = ((a * b).sum() + (d * c).sum() + a.double().sum())
        out.backward()
        (ga,) = L.autograd.grad((a * b).sum(), a)
        return [(str(t.grad.dtype), values(t.grad).tolist()) for t in (a, b, c, d)] + [
            str(out.dtype), str((d * c).dtype), str(ga.dtype)]

    assert run(minigrad) == run(torch)


# ---- the graph: grad_fn names and next_functions -------------------------------------------
def _leaves(L, rng_seed, shapes, dtype=None):
    rng = np.random.default_rng(rng_seed)
    return [L.tensor(rng.standard_normal(s), requires_grad=True, dtype=dtype or L.float32)
            for s in shapes]


GRAPHS = {
    "shared": (((),), lambda L, x: (x + x) * x),
    "diamond": (((3,),), lambda L, x: ((x * 2).sin() * (x * 2).cos()).sum()),
    "mlp": (((4, 3), (3, 5), (5,), (5, 2)),
            lambda L, x, w1, b1, w2: ((x @ w1 + b1).relu() @ w2).softmax(1).log().mean()),
    "arith": (((2, 3), (2, 3)),
              lambda L, x, y: (1 - x) + (x - 1) * 2 / y - x / 2 + 3 * x - y / x + 2 ** x
              + x ** 2 + y.abs() ** x - x.pow(3) + x.square() - (-x) + x.reciprocal()),
    "reductions": (((2, 3),),
                   lambda L, x: x.sum() + x.sum(1).sum() + x.mean() + x.mean(0, keepdim=True)
                   .sum() + x.max() + x.max(dim=1).values.sum() + x.amax(1).sum() + x.norm()
                   + x.prod() + x.prod(1).sum() + x.min() + x.logsumexp(1).sum()),
    "shapes": (((2, 3),),
               lambda L, x: x.view(6).sum() + x.reshape(3, 2).t().sum() + x.transpose(0, 1)
               .sum() + x.permute(1, 0).sum() + x.T.sum() + x.unsqueeze(0).squeeze().sum()
               + x.unsqueeze(2).squeeze(2).sum() + x.flatten().sum()),
    "indexing": (((2, 3),),
                 lambda L, x: x[0].sum() + x[:, 1:].sum() + x[[0, 1, 1]].sum() + x[None].sum()
                 + x[..., 1].sum() + x[x > 0].sum() + x[:].sum() + x[0:1].sum()),
    "cat_stack": (((2, 3), (1, 3), (2, 3)),
                  lambda L, x, y, z: L.cat([x, y, x]).sum() * L.stack([x, z], 1).sum()),
    "unary": (((2, 3),),
              lambda L, x: x.sigmoid().tanh().abs().sqrt().sin().cos().exp().log().relu()
              .neg().reciprocal().sign() + x.abs().rsqrt()),
    "where_clamp": (((2, 3), (2, 3)),
                    lambda L, x, y: L.where(x > y, x, y) + x.clamp(min=0) + x.clamp(-0.5, 0.5)
                    + L.maximum(x, y) + L.minimum(x, 0.0 * y) + L.where(x > 0, x, 0.0)),
    "softmax": (((2, 3),), lambda L, x: x.softmax(1) + x.log_softmax(0) + x.softmax(-1).log()),
    "linalg": (((3,), (2, 3), (3, 4)),
               lambda L, v, a, b: (v @ v) + (a @ v).sum() + (a @ b).sum() + L.mv(a, v).sum()
               + L.mm(a, b).sum() + L.dot(v, v) + (v @ b).sum() + L.outer(v, v).sum()),
    "batched_matmul": (((2, 2, 3), (2, 3, 4), (3, 4), (2, 3), (3,), (2, 1, 2, 3), (3, 3, 2)),
                       lambda L, a, b, c, d, v, e, f: (a @ b).sum() + (a @ c).sum()
                       + (d @ b).sum() + (a @ v).sum() + (v @ b).sum() + (e @ f).sum()),
    "dtype": (((2, 3),), lambda L, x: x.double().sum() + x.float().clone().sum()),
    "expand": (((2, 1), (1, 3)), lambda L, x, y: x.expand(2, 3) + y.expand_as(x.expand(2, 3))),
    "inplace": (((2, 3),), lambda L, x: _inplace_chain(x)),
}


def _inplace_chain(x):
    y = x * 2
    y += 1
    y.mul_(y.detach())
    y.exp_()
    y[0] = x[1] * 3
    return y


def walk_together(t_root, m_root, t_leaves, m_leaves):
    """Walk both graphs (iteratively) and check they are the same: node classes, next_functions,
    sharing of nodes, and which leaf each AccumulateGrad stands for. Returns the node pairs."""
    pairs, seen_t, seen_m = [], {}, {}
    stack = [(t_root, m_root, "root")]
    while stack:
        t, m, path = stack.pop()
        if t is None or m is None:
            assert t is None and m is None, f"{path}: {t} vs {m}"
            continue
        assert type(m).__name__ == type(t).__name__, path
        if id(t) in seen_t or id(m) in seen_m:  # the same node reached again: the same in both
            assert seen_t.get(id(t)) is m and seen_m.get(id(m)) is t, f"{path}: sharing"
            continue
        seen_t[id(t)], seen_m[id(m)] = m, t
        pairs.append((t, m))
        if type(t).__name__ == "AccumulateGrad":
            ti = [i for i, leaf in enumerate(t_leaves) if leaf is t.variable]
            mi = [i for i, leaf in enumerate(m_leaves) if leaf is m.variable]
            assert ti == mi, f"{path}: AccumulateGrad of another leaf"
        assert len(m.next_functions) == len(t.next_functions), f"{path}: next_functions"
        for i, ((tc, tn), (mc, mn)) in enumerate(zip(t.next_functions, m.next_functions)):
            assert mn == tn, f"{path}.{i}: output_nr"
            stack.append((tc, mc, f"{path}/{type(t).__name__}.{i}"))
    return pairs


def build(name, L, dtype=None):
    shapes, fn = GRAPHS[name]
    leaves = _leaves(L, 0, shapes, dtype)
    return fn(L, *leaves), leaves


@pytest.mark.parametrize("name", list(GRAPHS))
def test_grad_fn_graph_is_torchs(name):
    torch = _torch()
    t_out, t_leaves = build(name, torch)
    m_out, m_leaves = build(name, minigrad)
    assert m_out.shape == tuple(t_out.shape)
    np.testing.assert_allclose(values(m_out), values(t_out), rtol=1e-4, atol=1e-5)
    walk_together(t_out.grad_fn, m_out.grad_fn, t_leaves, m_leaves)


def test_node_names():
    torch = _torch()
    for L in (minigrad, torch):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        y = x * 2
        y[0] = 5.0
        acc = (x * 1).grad_fn.next_functions[0][0]
        assert y.grad_fn.name() == "torch::autograd::CopySlices"
        assert acc.name() == "torch::autograd::AccumulateGrad"
        assert (x * 2).grad_fn.name() == "MulBackward0"
        assert repr(y).endswith("grad_fn=<CopySlices>)")


# ---- the order in which the engine runs the nodes -------------------------------------------
ORDER_GRAPHS = {
    "shared": (((),), lambda L, x: ((x + x) * x).sin() * x),
    "leaves_of_one_node": (((), (), (), ()), lambda L, a, b, c, d: L.stack([a, b, c, d]).sum()),
    "leaves_reversed": (((), (), (), ()),
                        lambda L, a, b, c, d: L.stack([d, c, b, a, a * 2, b * c]).sum()),
    "product_chain": (((), (), (), ()), lambda L, a, b, c, d: a * b * c * d),
    "diamond": (((3,),), lambda L, x: ((x * 2).sin() * (x * 2).cos() + x.exp()).sum()),
    "two_branches": (((3,), (3,)),
                     lambda L, x, y: ((x * y).exp() + (y - x).sin() * (x + y).cos()).sum()),
    "mlp": (((4, 3), (3, 5), (5,), (5, 2)),
            lambda L, x, w1, b1, w2: ((x @ w1 + b1).relu() @ w2).log_softmax(1).mean()),
    "reused_intermediate": (((2,), (2,)),
                            lambda L, x, y: (lambda z: (z * z + z.exp() * x + z).sum())(x * y)),
}


def _torch_order(nodes, run_backward):
    """The nodes in the order PyTorch's engine runs them (a pre-hook on every node)."""
    order = []
    for node in nodes:
        node.register_prehook(lambda grads, node=node: order.append(node))
    run_backward()
    return order


@pytest.mark.parametrize("name", list(ORDER_GRAPHS))
def test_engine_order_is_torchs(name):
    torch = _torch()
    shapes, fn = ORDER_GRAPHS[name]
    t_leaves, m_leaves = _leaves(torch, 1, shapes), _leaves(minigrad, 1, shapes)
    t_out, m_out = fn(torch, *t_leaves), fn(minigrad, *m_leaves)
    pairs = walk_together(t_out.grad_fn, m_out.grad_fn, t_leaves, m_leaves)
    to_torch = {id(m): t for t, m in pairs}
    expected = _torch_order([t for t, _ in pairs], lambda: t_out.backward(torch.ones_like(t_out)))
    steps = list(backward_steps([m_out.grad_fn], [minigrad.ones_like(m_out)]))
    got = [to_torch[id(s.node)] for s in steps]
    assert [type(n).__name__ for n in got] == [type(n).__name__ for n in expected]
    assert all(a is b for a, b in zip(got, expected))
    # and the gradients are the same
    for t, m in zip(t_leaves, m_leaves):
        assert m.grad is not None and t.grad is not None
        np.testing.assert_allclose(values(m.grad), values(t.grad), rtol=1e-4, atol=1e-6)


def test_engine_order_with_several_roots():
    torch = _torch()
    shapes = ((3,), (3,))

    def fn(L, x, y):
        h = x * y
        return [(h.exp() * x).sum(), (h + y).sin().sum(), h.sum(), h]  # h: also reached inside

    t_leaves, m_leaves = _leaves(torch, 2, shapes), _leaves(minigrad, 2, shapes)
    t_outs, m_outs = fn(torch, *t_leaves), fn(minigrad, *m_leaves)
    to_torch = {}
    for t, m in zip(t_outs, m_outs):
        to_torch.update({id(mn): tn for tn, mn in walk_together(t.grad_fn, m.grad_fn, t_leaves,
                                                                  m_leaves)})
    order = _torch_order(to_torch.values(), lambda: torch.autograd.backward(
        t_outs, [torch.ones_like(o) for o in t_outs]))
    steps = backward_steps([o.grad_fn for o in m_outs], [minigrad.ones_like(o) for o in m_outs])
    got = [to_torch[id(s.node)] for s in steps]
    assert len(got) == len(order) and all(a is b for a, b in zip(got, order))
    for t, m in zip(t_leaves, m_leaves):
        np.testing.assert_allclose(values(m.grad), values(t.grad), rtol=1e-5)


def test_a_none_gradient_still_counts_as_arrived():
    """A node fed by a path whose VJP returns None (zero) still runs for its other paths."""
    torch = _torch()
    grads = []
    for lib in (minigrad, torch):
        class Drop(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 1

            @staticmethod
            def backward(ctx, g):
                return None

        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        (Drop.apply(y) + y * 2).sum().backward()
        grads.append(x.grad.tolist())
    assert grads[0] == grads[1] == [6.0, 6.0]


# ---- random graphs against PyTorch ----------------------------------------------------------
# A program is a list of steps over a growing list of tensors (three leaves that require grad,
# of shapes (3,), (1,) and (2, 3), and one constant): each step applies an op to earlier
# tensors, so nodes are shared, paths meet, broadcasting is undone and detach() cuts paths.
_UNARY = {"tanh": lambda L, a: a.tanh(), "sin": lambda L, a: a.sin(),
          "square": lambda L, a: a * a, "detach": lambda L, a: a.detach() * 1.5,
          "sum_keep": lambda L, a: a.sum(-1, keepdim=True), "exp_half": lambda L, a: (a / 2).exp(),
          "clamp": lambda L, a: a.clamp(-0.5, 0.6), "expand": lambda L, a: a.expand(2, 3),
          "pow": lambda L, a: a ** 3, "mean_all": lambda L, a: a.mean()}
_BINARY = {"add": lambda L, a, b: a + b, "sub": lambda L, a, b: a - b,
           "mul": lambda L, a, b: a * b, "max": lambda L, a, b: L.maximum(a, b * 0.9 + 0.01),
           "div": lambda L, a, b: a / (b * b + 1), "where": lambda L, a, b: L.where(a > 0.1, a, b)}


@st.composite
def _programs(draw):
    steps, n = [], 4
    for _ in range(draw(st.integers(1, 9))):
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(sorted(_UNARY))), draw(st.integers(0, n - 1))))
        else:
            steps.append((draw(st.sampled_from(sorted(_BINARY))), draw(st.integers(0, n - 1)),
                          draw(st.integers(0, n - 1))))
        n += 1
    roots = draw(st.lists(st.integers(4, n - 1), min_size=1, max_size=3))  # may repeat
    how = draw(st.sampled_from(["backward", "grad", "backward_inputs"]))
    return steps, roots, how


def _run_program(L, program):
    steps, roots, how = program
    leaves = [L.tensor(np.linspace(-1.0, 1.2, 3), requires_grad=True),
              L.tensor([0.7], requires_grad=True),
              L.tensor(np.linspace(0.3, -0.8, 6).reshape(2, 3), requires_grad=True)]
    ts = leaves + [L.tensor([0.5, -0.25, 2.0])]
    for op, *args in steps:
        fn = _UNARY.get(op) or _BINARY[op]
        ts.append(fn(L, *[ts[i] for i in args]))
    outs = [ts[i] for i in roots]
    if not any(o.requires_grad for o in outs):
        return "nothing requires grad"
    outs = [o for o in outs if o.requires_grad]
    grads = [L.tensor(np.linspace(0.5, 1.5, o.numel()).reshape(tuple(o.shape))) for o in outs]
    if how == "grad":
        got = L.autograd.grad(outs, leaves, grads, allow_unused=True)
    else:
        L.autograd.backward(outs, grads, inputs=leaves[:2] if how == "backward_inputs" else None)
        got = [leaf.grad for leaf in leaves]
    return [values(g) for g in got]


@settings(max_examples=150)
@given(_programs())
def test_random_graphs_match_torch(program):
    torch = _torch()
    expected, got = _run_program(torch, program), _run_program(minigrad, program)
    if isinstance(expected, str):
        assert got == expected
        return
    for e, g in zip(expected, got):
        assert (e is None) == (g is None), (e, g)
        if e is not None:
            np.testing.assert_allclose(g, e, rtol=1e-6, atol=1e-9)
