"""``autograd.functional`` (jacobian, hessian, vjp, jvp, hvp, vhp) and ``gradcheck``."""
import warnings

import numpy as np
import pytest

import minigrad
from compare import error_of
from minigrad.autograd import functional as AF
from minigrad.autograd.gradcheck import GradcheckError

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(7)
X0 = RNG.standard_normal((2, 3)).astype(np.float32)
Y0 = RNG.standard_normal(3).astype(np.float32)


def assert_same_structure(got, expected, path="result"):
    """Same nesting of tuples, same shapes, values and requires_grad as PyTorch's result."""
    if isinstance(expected, tuple):
        assert isinstance(got, tuple) and len(got) == len(expected), path
        for i, (g, e) in enumerate(zip(got, expected)):
            assert_same_structure(g, e, f"{path}[{i}]")
        return
    assert isinstance(got, minigrad.Tensor), path
    assert tuple(got.shape) == tuple(expected.shape), path
    assert got.requires_grad == expected.requires_grad, path
    np.testing.assert_allclose(got.detach().numpy(), expected.detach().numpy(), rtol=1e-5,
                               atol=1e-6, err_msg=path)


def f_two_in_two_out(x, y):
    return (x * y).sin().sum(), x.exp() * y


def f_scalar(x):
    return (x ** 3).sum()


def f_two_in_scalar(x, y):
    return (x.exp() * y).sum() + (y * y).sum()


CASES = {
    "jacobian_tuples": lambda lib: lib.autograd.functional.jacobian(
        f_two_in_two_out, (lib.tensor(X0), lib.tensor(Y0))),
    "jacobian_single": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x.exp() * 2, lib.tensor(X0)),
    "jacobian_create_graph": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x.exp() * 2, lib.tensor(X0), create_graph=True),
    "jacobian_vectorize": lambda lib: lib.autograd.functional.jacobian(
        lambda x: x.tanh(), lib.tensor(Y0), vectorize=True),
    "jacobian_unused_input": lambda lib: lib.autograd.functional.jacobian(
        lambda x, y: x * 2, (lib.tensor(Y0), lib.tensor(Y0))),
    "hessian_single": lambda lib: lib.autograd.functional.hessian(f_scalar, lib.tensor(Y0)),
    "hessian_tuple": lambda lib: lib.autograd.functional.hessian(
        f_two_in_scalar, (lib.tensor(X0), lib.tensor(Y0))),
    "hessian_create_graph": lambda lib: lib.autograd.functional.hessian(
        f_scalar, lib.tensor(Y0), create_graph=True),
    "vjp_tuples": lambda lib: lib.autograd.functional.vjp(
        f_two_in_two_out, (lib.tensor(X0), lib.tensor(Y0)), (lib.tensor(1.0), lib.ones(2, 3))),
    "vjp_scalar_no_v": lambda lib: lib.autograd.functional.vjp(f_scalar, lib.tensor(Y0)),
    "vjp_create_graph": lambda lib: lib.autograd.functional.vjp(
        lambda x: x.exp(), lib.tensor(Y0), lib.tensor(Y0), create_graph=True),
    "jvp_tuples": lambda lib: lib.autograd.functional.jvp(
        f_two_in_two_out, (lib.tensor(X0), lib.tensor(Y0)), (lib.ones(2, 3), lib.tensor(Y0))),
    "jvp_create_graph": lambda lib: lib.autograd.functional.jvp(
        lambda x: x.exp(), lib.tensor(Y0), lib.tensor(Y0), create_graph=True),
    "hvp_tuples": lambda lib: lib.autograd.functional.hvp(
        f_two_in_scalar, (lib.tensor(X0), lib.tensor(Y0)), (lib.ones(2, 3), lib.tensor(Y0))),
    "vhp_single": lambda lib: lib.autograd.functional.vhp(f_scalar, lib.tensor(Y0),
                                                           lib.tensor(Y0)),
    "vhp_create_graph": lambda lib: lib.autograd.functional.vhp(
        f_scalar, lib.tensor(Y0), lib.tensor(Y0), create_graph=True),
}


@pytest.mark.parametrize("name", list(CASES))
def test_results_match_torch(name):
    assert_same_structure(CASES[name](minigrad), CASES[name](torch))


def test_jacobian_and_hessian_against_the_math():
    y = minigrad.tensor(Y0.astype(np.float64))
    jac = AF.jacobian(lambda t: t.sin(), y)
    np.testing.assert_allclose(jac.numpy(), np.diag(np.cos(Y0.astype(np.float64))), rtol=1e-12)
    hess = AF.hessian(f_scalar, y)
    np.testing.assert_allclose(hess.numpy(), np.diag(6 * Y0.astype(np.float64)), rtol=1e-12)
    v = minigrad.tensor(np.array([1.0, -2.0, 0.5]))
    _, jv = AF.jvp(lambda t: t.sin() * t, y, v)
    a = Y0.astype(np.float64)
    np.testing.assert_allclose(jv.numpy(), (np.cos(a) * a + np.sin(a)) * v.numpy(), rtol=1e-12)


def test_create_graph_results_are_differentiable():
    x = minigrad.tensor(Y0, requires_grad=True)
    _, hv = AF.hvp(f_scalar, x, minigrad.ones(3), create_graph=True)
    assert hv.requires_grad
    hv.sum().backward()  # d/dx Σ 6x·1 = 6
    np.testing.assert_allclose(x.grad.numpy(), np.full(3, 6.0), rtol=1e-6)


@pytest.mark.parametrize("case", [
    "strict_independent_input", "strict_output_no_grad", "strict_linear_hessian",
    "v_wrong_length", "v_wrong_size", "v_missing", "not_a_tensor", "hessian_not_scalar",
    "hvp_tuple_output", "jvp_strict_unused"])
def test_errors_match_torch(case):
    def run(lib):
        F = lib.autograd.functional
        x, y = lib.tensor(Y0), lib.tensor(Y0)
        return {
            "strict_independent_input": lambda: F.jacobian(lambda a, b: a * 2, (x, y),
                                                           strict=True),
            "strict_output_no_grad": lambda: F.vjp(lambda a: lib.ones(3), x, lib.ones(3),
                                                   strict=True),
            "strict_linear_hessian": lambda: F.hessian(lambda a: (a * 2).sum(), x, strict=True),
            "v_wrong_length": lambda: F.vjp(lambda a, b: (a * b, a), (x, y), (lib.ones(3),)),
            "v_wrong_size": lambda: F.jvp(lambda a: a * 2, x, lib.ones(2)),
            "v_missing": lambda: F.vjp(lambda a: a * 2, x),
            "not_a_tensor": lambda: F.jacobian(lambda a: a, (x, 3.0)),
            "hessian_not_scalar": lambda: F.hessian(lambda a: a * a, x),
            "hvp_tuple_output": lambda: F.hvp(lambda a: (a.sum(), a.sum()), x, lib.ones(3)),
            "jvp_strict_unused": lambda: F.jvp(lambda a, b: a * 2, (x, y),
                                               (lib.ones(3), lib.ones(3)), strict=True),
        }[case]()

    got = error_of(lambda: run(minigrad))
    expected = error_of(lambda: run(torch))
    assert got is not None
    assert got == expected


# ---- gradcheck -------------------------------------------------------------------------------
def make_bad_square(lib):
    class BadSquare(lib.autograd.Function):  # backward forgets the factor 2x
        @staticmethod
        def forward(ctx, x):
            return x * x

        @staticmethod
        def backward(ctx, g):
            return g
    return BadSquare


A64 = np.array([0.5, -1.25, 2.0])


def test_gradcheck_passes_on_correct_gradients():
    a = minigrad.tensor(A64, requires_grad=True)
    b = minigrad.tensor(A64[::-1].copy(), requires_grad=True)
    assert minigrad.autograd.gradcheck(lambda u, v: (u * v.exp(), u.sum()), (a, b))
    assert minigrad.autograd.gradcheck(lambda u, k: u * k, (a, 3))
    assert minigrad.autograd.gradgradcheck(lambda u: (u ** 3).sum(), (a,))
    assert minigrad.autograd.gradgradcheck(lambda u, v: u.sin() * v, (a, b))


def test_gradcheck_mismatch_message_matches_torch():
    def run(lib):
        x = lib.tensor(A64, requires_grad=True)
        with pytest.raises(RuntimeError) as info:
            lib.autograd.gradcheck(make_bad_square(lib).apply, (x,))
        return info

    got, expected = run(minigrad), run(torch)
    assert isinstance(got.value, GradcheckError) and isinstance(got.value, RuntimeError)
    assert type(got.value).__name__ == type(expected.value).__name__ == "GradcheckError"
    assert str(got.value) == str(expected.value)
    assert str(got.value).startswith("Jacobian mismatch for output 0 with respect to input 0,\n"
                                     "numerical:tensor([[ 1.0000,")


def test_gradcheck_raise_exception_false_and_options():
    x = minigrad.tensor(A64, requires_grad=True)
    bad = make_bad_square(minigrad).apply
    assert minigrad.autograd.gradcheck(bad, (x,), raise_exception=False) is False
    # a loose enough tolerance accepts even this
    assert minigrad.autograd.gradcheck(bad, (x,), atol=5.0, rtol=0.0)
    x_t = torch.tensor(A64, requires_grad=True)
    assert torch.autograd.gradcheck(make_bad_square(torch).apply, (x_t,), atol=5.0, rtol=0.0)
    assert minigrad.autograd.gradgradcheck(lambda u: bad(u).sum() * u, (x,),
                                           raise_exception=False) is False


def test_gradcheck_input_checks_match_torch():
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ok = lib.autograd.gradcheck(lambda a: a * 2, (lib.ones(2, requires_grad=True),),
                                        raise_exception=False)
        assert [str(w.message) for w in caught if w.category is UserWarning] == [
            "Input #0 requires gradient and is not a double precision floating point or complex. "
            "This check will likely fail if all the inputs are not of double precision floating "
            "point or complex. "], lib.__name__
        assert ok is False  # float32 cannot pass with eps=1e-6
    got = error_of(lambda: minigrad.autograd.gradcheck(lambda a: a, (minigrad.ones(2),)))
    assert got == error_of(lambda: torch.autograd.gradcheck(lambda a: a, (torch.ones(2),)))


def test_gradcheck_of_non_differentiable_output():
    x = minigrad.tensor(A64, requires_grad=True)
    assert minigrad.autograd.gradcheck(lambda a: a.argmax(), (x,))


def test_gradcheck_catches_backward_not_scaled_by_grad_output():
    class Constant(minigrad.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x.sum() * 0 + 1

        @staticmethod
        def backward(ctx, g):
            return minigrad.zeros(3, dtype=minigrad.float64) + 0 * g + 1e-300
    x = minigrad.tensor(A64, requires_grad=True)
    with pytest.raises(GradcheckError, match="backward not multiplied by grad_output"):
        minigrad.autograd.gradcheck(Constant.apply, (x,))
