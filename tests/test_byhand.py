"""minigrad.grading.byhand: a "by hand" function that delegates to autograd or optim is caught
(by the ast of its source, or when it runs with those APIs unavailable), an honest one is not.

The honest functions' values are compared with PyTorch's gradients of the same functions.
"""
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest
import torch as pt

import minigrad as torch
from minigrad.grading.byhand import (attempt, attributes_read, autograd_unavailable,
                                     delegating_calls)

ROOT = pathlib.Path(__file__).resolve().parents[1]
UNAVAILABLE = "raised RuntimeError: not available in this exercise"
XS = [0.3, -1.2, 2.0]
VS = [1.0, 0.5, -2.0]


def x_and_v():
    return torch.tensor(XS, requires_grad=True), torch.tensor(VS)


# --- VJPs of x·sin(x): one by hand, and the ways of handing it to autograd -------------------

def vjp_by_hand(x, v):
    return v * (torch.sin(x) + x * torch.cos(x))


def vjp_autograd_grad(x, v):
    y = x * torch.sin(x)
    return torch.autograd.grad(y, x, v)[0]


def vjp_backward(x, v):
    x = x.detach().requires_grad_()
    (x * torch.sin(x)).backward(v)
    return x.grad


def vjp_through_vars(x, v):
    autograd = vars(torch)["auto" "grad"]
    return autograd.grad(x * torch.sin(x), x, v)[0]


def vjp_through_vars_twice(x, v):
    g = vars(vars(torch)["auto" "grad"])["gr" "ad"]  # no call named "grad" in the source
    return g(x * torch.sin(x), x, v)[0]


_bound_before = torch.autograd.grad


def vjp_bound_before(x, v):
    return _bound_before(x * torch.sin(x), x, v)[0]


def vjp_functional(x, v):
    return torch.autograd.functional.vjp(lambda t: t * torch.sin(t), x.detach(), v)[1]


# --- SGD steps: by hand, and wrapping optim.SGD or reaching .data by a string ----------------

def sgd_by_hand(w, lr):
    with torch.no_grad():
        w -= lr * w.grad
    return w


def sgd_wrapping_optim(w, lr):
    opt = torch.optim.SGD([w], lr=lr)
    opt.step()
    return w


def sgd_through_getattr(w, lr):
    d = getattr(w, "da" "ta")
    d -= lr * w.grad
    return w


def fresh_w():
    w = torch.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (w * w).sum().backward()
    return w


def test_an_honest_vjp_passes_both_checks_and_matches_pytorch():
    assert delegating_calls(vjp_by_hand) == []
    x, v = x_and_v()
    with autograd_unavailable():
        got = attempt(vjp_by_hand, x, v)
    xt = pt.tensor(XS, requires_grad=True)
    (xt * pt.sin(xt)).backward(pt.tensor(VS))
    np.testing.assert_allclose(got.detach().numpy(), xt.grad.numpy(), rtol=1e-6)


@pytest.mark.parametrize("fn, calls", [
    (vjp_autograd_grad, ["grad"]),
    (vjp_backward, ["backward"]),
    (vjp_through_vars, ["grad"]),
    (vjp_functional, ["vjp"]),
])
def test_the_ast_finds_delegating_calls(fn, calls):
    assert delegating_calls(fn) == calls


@pytest.mark.parametrize("fn", [vjp_autograd_grad, vjp_backward, vjp_through_vars,
                                vjp_through_vars_twice, vjp_bound_before, vjp_functional])
def test_a_delegating_vjp_fails_when_run_without_autograd(fn):
    x, v = x_and_v()
    assert not isinstance(attempt(fn, x, v), str)  # it does work with autograd
    with autograd_unavailable():
        assert attempt(fn, x, v).startswith(UNAVAILABLE)


def test_names_bound_out_of_sight_escape_the_ast_but_not_the_run():
    assert delegating_calls(vjp_through_vars_twice) == []
    assert delegating_calls(vjp_bound_before) == []


def test_an_honest_sgd_step_passes_and_matches_pytorch():
    assert delegating_calls(sgd_by_hand) == []
    w = fresh_w()
    with autograd_unavailable():
        got = attempt(sgd_by_hand, w, 0.1)
    wt = pt.tensor([1.0, -2.0, 0.5], requires_grad=True)
    (wt * wt).sum().backward()
    pt.optim.SGD([wt], lr=0.1).step()
    np.testing.assert_allclose(got.detach().numpy(), wt.detach().numpy(), rtol=1e-6)
    assert got.is_leaf


def test_wrapping_optim_sgd_is_caught_both_ways():
    assert delegating_calls(sgd_wrapping_optim) == ["SGD", "step"]
    w = fresh_w()
    with autograd_unavailable():
        assert attempt(sgd_wrapping_optim, w, 0.1).startswith(UNAVAILABLE)
    np.testing.assert_array_equal(w.detach().numpy(), [1.0, -2.0, 0.5])  # no step was taken


def test_getattr_with_a_split_string_is_caught_by_the_ast():
    assert delegating_calls(sgd_through_getattr) == ["getattr"]


def test_attributes_read_finds_data_however_it_is_reached():
    def legacy(w, lr):
        w.data.sub_(lr * w.grad.data)

    def by_dunder(w, lr):
        d = object.__getattribute__(w, "da" "ta")
        d -= lr * w.grad

    assert attributes_read(legacy, {"data"}) == ["data"]
    assert attributes_read(sgd_through_getattr, {"data"}) == ["getattr"]
    assert attributes_read(by_dunder, {"data"}) == ["__getattribute__"]
    assert attributes_read(sgd_by_hand, {"data"}) == []
    assert attributes_read(legacy, {"grad"}) == ["grad"]


def test_imports_eval_and_exec_are_caught():
    def sneaky(x):
        import importlib
        exec("pass")
        return eval("x")

    def from_import(x):
        from minigrad.autograd import grad as g
        return g(x.sum(), x)
    assert delegating_calls(sneaky) == ["eval", "exec", "import"]
    assert delegating_calls(from_import) == ["import"]


def test_allowed_and_keep_let_one_api_through():
    def hvp(f, x, v):
        (g,) = torch.autograd.grad(f(x), x, create_graph=True)
        return torch.autograd.grad((g * v).sum(), x)[0]

    assert delegating_calls(hvp) == ["grad"]
    assert delegating_calls(hvp, allowed={"grad"}) == []
    x, v = torch.tensor([0.5, -1.0], requires_grad=True), torch.tensor([1.0, 2.0])
    with autograd_unavailable(keep=("grad",)):
        got = attempt(hvp, lambda t: (t ** 3).sum(), x, v)
        assert attempt(vjp_backward, *x_and_v()).startswith(UNAVAILABLE)
    np.testing.assert_allclose(got.numpy(), 6 * np.array([0.5, -1.0]) * [1.0, 2.0])  # 6x·v


def test_everything_is_restored_after_the_block_even_after_an_error():
    before = (torch.Tensor.backward, torch.autograd.grad, torch.optim.SGD.step)
    with pytest.raises(ZeroDivisionError):
        with autograd_unavailable():
            1 / 0
    assert (torch.Tensor.backward, torch.autograd.grad, torch.optim.SGD.step) == before
    x, v = x_and_v()
    assert not isinstance(attempt(vjp_autograd_grad, x, v), str)


def test_attempt_returns_the_value_or_the_error_as_text():
    assert attempt(lambda a, b: a + b, 1, 2) == 3
    assert attempt(lambda: {}["k" * 300]) == "raised KeyError: '" + "k" * 119


def test_byhand_imports_only_minigrad_and_the_standard_library():
    code = ("import sys, minigrad; before = set(sys.modules); import minigrad.grading.byhand\n"
            "print(sorted({m.split('.')[0] for m in set(sys.modules) - before}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    new = set(eval(proc.stdout))  # noqa: S307  (our own subprocess's list of names)
    assert new - set(sys.stdlib_module_names) <= {"minigrad"}
