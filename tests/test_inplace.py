"""In-place operations and version counters against PyTorch's: results, gradients, grad_fn
names, and the errors (leaf, view of a leaf, a saved tensor modified) with their exact texts."""
import numpy as np
import pytest

import minigrad
from compare import outcome


def _torch():
    return pytest.importorskip("torch")


def assert_same(got, expected, where="result"):
    """Equal results: tensors (dtype, shape, values to float32 precision), grad_fns by class
    name, and anything else by ==, also inside tuples and lists."""
    if isinstance(expected, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(expected), where
        for k, (g, e) in enumerate(zip(got, expected)):
            assert_same(g, e, f"{where}[{k}]")
    elif hasattr(expected, "detach") and hasattr(expected, "tolist"):
        assert type(got).__name__ == "Tensor" and str(got.dtype) == str(expected.dtype), where
        assert tuple(got.shape) == tuple(expected.shape), where
        np.testing.assert_allclose(np.asarray(got.detach().tolist(), dtype=float),
                                   np.asarray(expected.detach().tolist(), dtype=float),
                                   rtol=1e-5, atol=1e-6, err_msg=where)
        assert got.requires_grad == expected.requires_grad, where
    elif expected is not None and hasattr(expected, "next_functions"):
        assert type(got).__name__ == type(expected).__name__, where
    else:
        assert got == expected, where


def same_as_torch(fn):
    """fn gives the same result (or error, with the same text) under minigrad and torch."""
    torch = _torch()
    expected = outcome(fn, torch)
    got = outcome(fn, minigrad)
    if expected[0] == "ok":
        assert got[0] == "ok", got
        assert_same(got[1], expected[1])
    else:
        assert got == expected
    return got


LEAF_ERROR = "a leaf Variable that requires grad is being used in an in-place operation."
VIEW_ERROR = ("a view of a leaf Variable that requires grad is being used in an in-place "
              "operation.")


# ---- operators and methods on non-leaves ---------------------------------------------------
@pytest.mark.parametrize("op", ["+=", "-=", "*=", "/="])
def test_augmented_assignment_on_a_non_leaf(op):
    def run(L):
        x = L.tensor([1.0, -2.0, 3.0], requires_grad=True)
        y = x * 2
        other = x.exp()
        if op == "+=":
            y += other
        elif op == "-=":
            y -= other
        elif op == "*=":
            y *= other
        else:
            y /= other
        y.sum().backward()
        return y, y.grad_fn, y._version, x.grad

    same_as_torch(run)


def test_augmented_assignment_gradient_is_the_math():
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = x * 3  # 3x
    y *= x  # 3x²
    y += 1  # 3x² + 1
    y /= x  # 3x + 1/x
    y -= x  # 2x + 1/x
    y.sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 - 1 / np.array([1.0, 2.0]) ** 2, rtol=1e-12)
    assert y._version == 4 and type(y.grad_fn).__name__ == "SubBackward0"


@pytest.mark.parametrize("method", ["add_", "sub_", "mul_", "div_", "add_alpha", "sub_alpha",
                                    "pow_", "exp_", "neg_", "sqrt_", "abs_", "relu_", "tanh_",
                                    "sigmoid_", "clamp_", "copy_", "zero_", "fill_",
                                    "fill_tensor"])
def test_inplace_methods_on_a_non_leaf(method):
    def run(L):
        x = L.tensor([0.5, -1.5, 2.0], requires_grad=True)
        w = L.tensor([1.5, 0.25, -0.5], requires_grad=True)
        y = x * 2
        calls = {
            "add_": lambda: y.add_(w), "sub_": lambda: y.sub_(w), "mul_": lambda: y.mul_(w),
            "div_": lambda: y.div_(w), "add_alpha": lambda: y.add_(w, alpha=3),
            "sub_alpha": lambda: y.sub_(w, alpha=0.5), "pow_": lambda: y.pow_(2),
            "exp_": lambda: y.exp_(), "neg_": lambda: y.neg_(), "sqrt_": lambda: y.abs_().sqrt_(),
            "abs_": lambda: y.abs_(), "relu_": lambda: y.relu_(), "tanh_": lambda: y.tanh_(),
            "sigmoid_": lambda: y.sigmoid_(), "clamp_": lambda: y.clamp_(-1.0, 2.0),
            "copy_": lambda: y.copy_(w * w), "zero_": lambda: y.zero_(),
            "fill_": lambda: y.fill_(1.5), "fill_tensor": lambda: y.fill_(w.sum()),
        }
        assert calls[method]() is y  # in place: returns self
        (y * y).sum().backward()
        return y, y.grad_fn, [n for n, _ in y.grad_fn.next_functions], y._version, x.grad, w.grad

    same_as_torch(run)


def test_inplace_on_a_tensor_that_does_not_require_grad():
    # x becomes part of the graph: an in-place op with an operand that requires grad.
    def run(L):
        v = L.tensor([4.0, 5.0, 6.0], requires_grad=True)
        x = L.tensor([1.0, 2.0, 3.0])
        x.mul_(v)
        x.add_(v)
        before = x.is_leaf, x.requires_grad, x.grad_fn
        (x * x).sum().backward()
        return before, x, v.grad

    same_as_torch(run)


def test_inplace_chain_keeps_every_gradient():
    x = minigrad.tensor([1.0, 2.0], dtype=minigrad.float64, requires_grad=True)
    y = x.sin()  # sin saves its input x, not y: y may change
    y.mul_(x)  # x·sin x  (mul saves the value of y before the change)
    y.add_(x)  # x·sin x + x
    y.sum().backward()
    a = np.array([1.0, 2.0])
    np.testing.assert_allclose(x.grad.numpy(), np.sin(a) + a * np.cos(a) + 1, rtol=1e-12)


# ---- leaves and views of leaves ------------------------------------------------------------
@pytest.mark.parametrize("case, message", [
    ("iadd", LEAF_ERROR), ("add_", LEAF_ERROR), ("mul_", LEAF_ERROR), ("zero_", LEAF_ERROR),
    ("fill_", LEAF_ERROR), ("copy_", LEAF_ERROR), ("exp_", LEAF_ERROR),
    ("setitem_mask", LEAF_ERROR),
    ("setitem_ellipsis", LEAF_ERROR), ("slice_iadd", VIEW_ERROR), ("select_mul_", VIEW_ERROR),
    ("view_mul_", VIEW_ERROR), ("t_zero_", VIEW_ERROR), ("setitem_int", VIEW_ERROR),
    ("setitem_slice", VIEW_ERROR), ("unsqueeze_add_", VIEW_ERROR),
])
def test_leaf_and_view_of_leaf_errors(case, message):
    def run(L):
        x = L.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        if case == "iadd":
            x += 1
        elif case == "add_":
            x.add_(1)
        elif case == "mul_":
            x.mul_(L.ones(3))
        elif case == "zero_":
            x.zero_()
        elif case == "fill_":
            x.fill_(2)
        elif case == "copy_":
            x.copy_(L.ones(2, 3))
        elif case == "exp_":
            x.exp_()
        elif case == "setitem_mask":
            x[x > 2] = 0.0
        elif case == "setitem_ellipsis":
            x[...] = 0.0
        elif case == "slice_iadd":
            v = x[0:1]
            v += 1
        elif case == "select_mul_":
            x[1].mul_(2)
        elif case == "view_mul_":
            x.view(6).mul_(2)
        elif case == "t_zero_":
            x.t().zero_()
        elif case == "setitem_int":
            x[0] = 1.0
        elif case == "setitem_slice":
            x[:, 1:] = 0.0
        elif case == "unsqueeze_add_":
            x.unsqueeze(0).add_(1)

    assert outcome(run, minigrad) == ("RuntimeError", message)
    assert outcome(run, _torch()) == ("RuntimeError", message)  # the texts are PyTorch's


def test_leaf_is_unchanged_after_the_error():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        x.add_(1)
    assert x.tolist() == [1.0, 2.0] and x._version == 0 and x.is_leaf


# ---- no_grad: the manual SGD step ----------------------------------------------------------
def test_manual_sgd_step_in_no_grad():
    def run(L):
        weights = L.tensor([1.0, -2.0, 0.5], requires_grad=True)
        target = L.tensor([0.0, 1.0, 2.0])
        history = []
        for _ in range(3):
            loss = ((weights - target) ** 2).sum()
            loss.backward()
            with L.no_grad():
                weights -= 0.1 * weights.grad
            history.append((loss.item(), weights.tolist(), weights.grad.tolist()))
            weights.grad.zero_()
        return history, weights.is_leaf, weights.requires_grad, weights.grad_fn, weights._version

    same_as_torch(run)
    w = minigrad.tensor([1.0, -2.0], requires_grad=True)
    (w * w).sum().backward()  # grad 2w
    with minigrad.no_grad():
        w -= 0.1 * w.grad
        w.mul_(2)
        w[0] = 5.0
    assert w.tolist() == pytest.approx([5.0, -3.2])
    assert w.is_leaf and w.requires_grad and w.grad_fn is None and w._version == 3
    w.grad.zero_()
    assert w.grad.tolist() == [0.0, 0.0]
    (w * 3).sum().backward()  # the leaf still works after being changed in no_grad
    assert w.grad.tolist() == [3.0, 3.0]


# ---- a saved tensor modified: the error ----------------------------------------------------
@pytest.mark.parametrize("case", [
    "output_of_exp", "output_of_sigmoid", "output_of_tanh_zeroed", "input_of_mul",
    "input_of_sin_setitem", "output_then_inplace_again", "leaf_changed_via_detach",
    "input_of_pow", "exponent_of_number_pow", "mul_scalar_does_not_save", "matmul_weight_not_needed", "double_dtype",
])
def test_modified_by_an_inplace_operation(case):
    def run(L):
        x = L.tensor([[1.0, 2.0], [3.0, -4.0]], requires_grad=True)
        if case == "output_of_exp":
            y = x.exp()
            z = y * 1
            y.add_(1)
            z.sum().backward()
        elif case == "output_of_sigmoid":
            y = x.sigmoid()
            y += 1
            y.sum().backward()
        elif case == "output_of_tanh_zeroed":
            y = x.tanh()
            z = y * 3
            y.zero_()
            z.sum().backward()
        elif case == "input_of_mul":
            a = x * 1
            b = a * a
            a.add_(1)
            b.sum().backward()
        elif case == "input_of_sin_setitem":
            a = x * 1
            b = a.sin()
            a[0, 0] = 7.0
            b.sum().backward()
        elif case == "output_then_inplace_again":
            y = x * 2
            y.exp_()
            y.add_(1)
            y.sum().backward()
        elif case == "leaf_changed_via_detach":
            y = (x * x).sum()
            x.detach().mul_(2)
            y.backward()
        elif case == "input_of_pow":
            a = x + 0
            b = a ** 2
            a.mul_(2)
            b.sum().backward()
        elif case == "exponent_of_number_pow":  # 2 ** a saves a (the rule at a 0 base reads it)
            a = x + 0
            b = 2.0 ** a
            a.mul_(2)
            b.sum().backward()
        elif case == "mul_scalar_does_not_save":  # y * 2 saves only the 2: no error
            y = x * 1
            z = y * 2
            y.add_(1)
            z.sum().backward()
            return x.grad
        elif case == "matmul_weight_not_needed":  # data @ W saves data only (W's gradient)
            data = L.tensor([[1.0, 0.5], [2.0, -1.0]])
            h = data @ x
            with L.no_grad():
                x.mul_(0.5)
            h.sum().backward()
            return x.grad
        elif case == "double_dtype":
            a = x.double()
            b = a * a
            a += 1
            b.sum().backward()

    result = same_as_torch(run)
    if not case.endswith(("does_not_save", "not_needed")):
        assert result[0] == "RuntimeError"
        assert result[1].startswith("one of the variables needed for gradient computation has "
                                    "been modified by an inplace operation: [torch.")
        assert result[1].endswith("Hint: enable anomaly detection to find the operation that "
                                  "failed to compute its gradient, with torch.autograd."
                                  "set_detect_anomaly(True, check_nan=False).")


def test_modified_error_text():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    z = y * 1
    y.add_(1)
    with pytest.raises(RuntimeError) as info:
        z.sum().backward()
    assert str(info.value) == (
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]], which is output 0 of Exp, is at version 1; "
        "expected version 0 instead. Hint: enable anomaly detection to find the operation that "
        "failed to compute its gradient, with torch.autograd.set_detect_anomaly(True, "
        "check_nan=False).")
    w = minigrad.tensor([1.0, 2.0], requires_grad=True)
    loss = (w * w).sum()
    with minigrad.no_grad():
        w.add_(1)  # a leaf has no "which is output 0 of" part
    with pytest.raises(RuntimeError, match=r"operation: \[torch.FloatTensor \[2\]\] is at "
                                           r"version 1; expected version 0 instead\."):
        loss.backward()


# ---- version counters and .data ------------------------------------------------------------
def test_version_counter_increments_like_torch():
    def run(L):
        x = L.tensor([1.0, 2.0, 3.0])
        seen = [x._version]
        x += 1
        seen.append(x._version)
        v = x[1:]  # a view shares the counter
        v.mul_(2)
        seen += [x._version, v._version]
        x[0] = 5.0
        seen += [x._version, v._version]
        d = x.detach()  # so does detach()
        d.zero_()
        seen += [x._version, d._version]
        x.data.add_(1)  # but not .data
        seen += [x._version]
        y = x + 1  # a new tensor starts at 0
        seen += [y._version]
        x.fill_(2.0)
        x.copy_(L.ones(3))
        x.clamp_(0, 1)
        seen += [x._version]
        return seen, x

    same_as_torch(run)


def test_data_shares_storage_but_not_the_version():
    def run(L):
        x = L.tensor([1.0, 2.0], requires_grad=True)
        d = x.data
        d[0] = 9.0
        y = x * x
        x.data.mul_(2)  # not seen by autograd: backward uses the new values silently
        y.sum().backward()
        return x, x._version, d._version, d.requires_grad, d.is_leaf, x.grad

    same_as_torch(run)
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    x.data[1] = 7.0
    assert x.tolist() == [1.0, 7.0] and x.requires_grad and x._version == 0
    x.data = minigrad.tensor([5.0, 6.0])
    assert x.tolist() == [5.0, 6.0] and x.requires_grad and x.is_leaf


# ---- setitem on a non-leaf ----------------------------------------------------------------
@pytest.mark.parametrize("case", ["int", "slice", "mask", "index_tensor", "value_from_x",
                                  "broadcast", "into_plain_tensor"])
def test_setitem_on_a_non_leaf(case):
    def run(L):
        x = L.tensor([[1.0, -2.0, 3.0], [0.5, 2.5, -1.0]], requires_grad=True)
        v = L.tensor([4.0, 5.0, 6.0], requires_grad=True)
        y = x.exp()
        if case == "int":
            y[1] = v * v
        elif case == "slice":
            y[:, 1:] = v[:2] * 2
        elif case == "mask":
            y[x > 1] = 0.0
        elif case == "index_tensor":
            y[L.tensor([0, 1]), L.tensor([2, 0])] = v[0]
        elif case == "value_from_x":
            y[0, 0] = x[1, 1] * 10
        elif case == "broadcast":
            y[:, 0] = v.sum()
        elif case == "into_plain_tensor":
            y = L.zeros(2, 3)
            y[0] = v
        (y * y).sum().backward()
        return y, y.grad_fn, y._version, x.grad, v.grad

    same_as_torch(run)
