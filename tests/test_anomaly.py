"""Anomaly mode: NaN detection in backward and the forward traceback of the failing node."""
import re
import warnings

import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch")


def user_warnings(caught):
    """The UserWarning texts, without PyTorch's note about where in C++ it was raised."""
    return [re.sub(r" \(Triggered internally at [^)]*\.\)$", "", str(w.message))
            for w in caught if w.category is UserWarning]


def run_nan_backward(lib):
    """x·inf·0 makes NaN in the forward; its backward (0·inf) returns NaN."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="ignore"), lib.autograd.detect_anomaly():
            x = lib.tensor([0.0, 1.0], requires_grad=True)
            q = (x * float("inf")) * 0  # the op the NaN comes from
            with pytest.raises(RuntimeError) as info:
                q.sum().backward()
    return str(info.value), user_warnings(caught)


def test_nan_error_and_forward_traceback_match_torch():
    err_m, warns_m = run_nan_backward(minigrad)
    err_t, warns_t = run_nan_backward(torch)
    assert err_m == err_t == "Function 'MulBackward0' returned nan values in its 0th output."
    assert warns_m[0] == warns_t[0] == ("Anomaly Detection has been enabled. This mode will "
                                        "increase the runtime and should only be enabled for "
                                        "debugging.")
    head = "Error detected in MulBackward0. Traceback of forward call that caused the error:\n"
    assert warns_m[1].startswith(head) and warns_t[1].startswith(head)
    # the traceback ends at the line of this file that made the node, in both
    line = '    q = (x * float("inf")) * 0  # the op the NaN comes from\n'
    assert warns_m[1].endswith(line)
    assert line in warns_t[1]
    assert f'File "{__file__}"' in warns_m[1] and "in run_nan_backward" in warns_m[1]


def test_no_trace_recorded_outside_anomaly_mode():
    def run(lib):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            x = lib.tensor([0.0], requires_grad=True)
            y = x * float("nan")
            with lib.autograd.detect_anomaly(), pytest.raises(RuntimeError) as info:
                y.sum().backward()
        return str(info.value), user_warnings(caught)[1:]

    assert run(minigrad) == run(torch)
    x = minigrad.tensor([1.0], requires_grad=True)
    assert (x * 2).grad_fn._trace is None  # the normal path records nothing


def test_check_nan_false_lets_nan_through():
    for lib in (minigrad, torch):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly(check_nan=False):
                x = lib.tensor([0.0], requires_grad=True)
                (x.sqrt() * 0).sum().backward()
        assert np.isnan(x.grad.item()), lib.__name__


def test_error_in_a_custom_backward_shows_where_it_was_made():
    def run(lib):
        class Boom(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                raise ValueError("boom")

        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            with lib.autograd.detect_anomaly():
                y = Boom.apply(lib.ones(2, requires_grad=True))
                with pytest.raises(ValueError, match="boom"):
                    y.sum().backward()
        return user_warnings(caught)[1]

    got, expected = run(minigrad), run(torch)
    head = "Error detected in BoomBackward. Traceback of forward call that caused the error:\n"
    assert got.startswith(head) and expected.startswith(head)
    line = "    y = Boom.apply(lib.ones(2, requires_grad=True))\n"  # format_list strips indents
    assert got.endswith(line) and line in expected


def test_flags_and_set_detect_anomaly_like_torch():
    for lib in (minigrad, torch):
        assert not lib.is_anomaly_enabled()
        with lib.autograd.set_detect_anomaly(True, check_nan=False):
            assert lib.is_anomaly_enabled() and not lib.is_anomaly_check_nan_enabled()
        assert not lib.is_anomaly_enabled() and lib.is_anomaly_check_nan_enabled()
        lib.autograd.set_detect_anomaly(True)
        try:
            assert lib.is_anomaly_enabled()
        finally:
            lib.autograd.set_detect_anomaly(False)
        assert not lib.is_anomaly_enabled()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.autograd.set_detect_anomaly(False)  # only detect_anomaly warns
        assert not caught


def test_nan_in_a_gradient_nobody_needs_is_ignored():
    """log(−1) is NaN, so the gradient for the constant factor c would be NaN: it is never sent
    (PyTorch does not even compute it), so anomaly mode has nothing to report."""
    for lib in (minigrad, torch):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            with lib.autograd.detect_anomaly():
                x = lib.tensor([-1.0, 2.0], requires_grad=True)
                c = lib.tensor([0.0, 1.0])
                (x.log() * c).sum().backward()
        assert x.grad.tolist() == [0.0, 0.5], lib.__name__


def test_normal_backward_unaffected():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with minigrad.autograd.detect_anomaly():
            (x.exp() * x).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp([1.0, 2.0]) * (1 + np.array([1.0, 2.0])),
                               rtol=1e-6)


# ---- in-place changes to saved tensors (the error whose hint points at anomaly mode) ---------
def _modified_non_leaf(lib):
    w = lib.ones(3, requires_grad=True)
    y = w * 2
    z = y * y
    y.add_(1)
    z.sum().backward()


def _modified_constant(lib):
    w = lib.ones(3)
    y = lib.ones(3, requires_grad=True)
    z = y * w
    w.add_(1)
    z.sum().backward()


def _modified_saved_output(lib):
    y = lib.ones(3, requires_grad=True)
    z = y.exp()
    z.add_(1)
    z.sum().backward()


def _modified_output_of_tanh(lib):
    y = lib.ones(3, requires_grad=True)
    w = y.tanh()
    w.add_(1)
    w.sum().backward()


def _modified_double(lib):
    y = lib.ones(2, 3, requires_grad=True, dtype=lib.float64)
    z = y.sin()
    y2 = z * 1
    q = y2 * y2
    y2.mul_(2)
    q.sum().backward()


def _leaf_in_place(lib):
    lib.ones(3, requires_grad=True).add_(1)


def _view_of_leaf_in_place(lib):
    y = lib.ones(3, requires_grad=True)
    y[:2].add_(1)


def _view_of_leaf_mul(lib):
    y = lib.ones(3, requires_grad=True)
    y.view(3).mul_(2)


def _not_saved_is_fine(lib):
    y = lib.ones(3, requires_grad=True)
    w = y * 2
    z = w.exp()  # saves its output, not w
    w.add_(1)
    z.sum().backward()
    return y.grad.tolist()


@pytest.mark.parametrize("case", [_modified_non_leaf, _modified_constant, _modified_saved_output,
                                  _modified_output_of_tanh, _modified_double, _leaf_in_place,
                                  _view_of_leaf_in_place, _view_of_leaf_mul],
                         ids=lambda f: f.__name__.strip("_"))
def test_in_place_errors_match_torch(case):
    def run(lib):
        try:
            case(lib)
        except RuntimeError as e:
            return str(e)
        return None

    got = run(minigrad)
    assert got is not None and got == run(torch)


def test_in_place_change_of_an_unsaved_tensor_is_allowed():
    np.testing.assert_allclose(_not_saved_is_fine(minigrad), _not_saved_is_fine(torch),
                               rtol=1e-6)
    np.testing.assert_allclose(_not_saved_is_fine(minigrad), [2 * np.exp(2.0)] * 3, rtol=1e-6)
