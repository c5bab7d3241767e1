"""``gradcheck`` and ``gradgradcheck``: compare backward's gradients with finite differences.

For every input that requires grad and every differentiable output, two Jacobians of shape
(input.numel(), output.numel()) are built: the numerical one by central differences
(f(x + eps) − f(x − eps)) / 2eps, one input element at a time, and the analytical one from
backward, one output element at a time (twice, to check that backward is deterministic).
They must agree within ``atol + rtol·|numerical|``; use float64 inputs.
"""
import warnings

import numpy as np

from .. import _creation
from .. import _dtype
from .._functional import check_tolerances
from .._tensor import Tensor

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Error raised by :func:`gradcheck` and :func:`gradgradcheck`."""


def _as_tuple(x):
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable_outputs(x):
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _check_inputs(inputs):
    """At least one input must require grad; warn about the ones that are not float64."""
    any_requires_grad = False
    for idx, inp in enumerate(inputs):
        if isinstance(inp, Tensor) and inp.requires_grad:
            if inp._data.dtype != np.float64:
                warnings.warn(f"Input #{idx} requires gradient and is not a double precision "
                              "floating point or complex. This check will likely fail if all the "
                              "inputs are not of double precision floating point or complex. ",
                              stacklevel=3)
            if any(st == 0 and sz > 1 for st, sz in zip(inp._data.strides, inp._data.shape)):
                raise RuntimeError(f"The {idx}th input has a dimension with stride 0. gradcheck "
                                   "only supports inputs that are non-overlapping to be able to "
                                   "compute the numerical gradients correctly. You should call "
                                   ".contiguous on the input before passing it to gradcheck.")
            any_requires_grad = True
    if not any_requires_grad:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, but "
                         "none of them have requires_grad=True.")


def _numerical_jacobians(func, inputs, outputs, eps):
    """For each input that requires grad: one (in.numel(), out.numel()) Jacobian per output,
    by central differences on the input's own storage (restored afterwards)."""
    result = []
    for inp in inputs:
        if not (isinstance(inp, Tensor) and inp.requires_grad):
            continue
        jacs = [np.zeros((inp.numel(), o.numel()), dtype=o._data.dtype) for o in outputs]
        data = inp._data
        for k in range(inp.numel()):
            idx = np.unravel_index(k, data.shape) if data.ndim else ()
            orig = data[idx].copy()
            data[idx] = orig - eps
            outa = _as_tuple(func(*inputs))
            data[idx] = orig + eps
            outb = _as_tuple(func(*inputs))
            data[idx] = orig
            for jac, a, b in zip(jacs, outa, outb):
                _check_same_dtype_and_shape(a, b, eps, idx)
                jac[k] = ((b._data - a._data) / (2 * eps)).reshape(-1)
        result.append([Tensor._make(j) for j in jacs])
    return result


def _check_same_dtype_and_shape(a, b, eps, idx):
    on_index = f"on index {tuple(int(i) for i in idx)} "
    if a.shape != b.shape:
        raise AssertionError(f"Expected `func` to return outputs with the same shape when inputs "
                             f"are perturbed {on_index}by {eps}, but got: shapes {a.shape} and "
                             f"{b.shape}.")
    if a.dtype is not b.dtype:
        raise AssertionError(f"Expected `func` to return outputs with the same dtype when inputs "
                             f"are perturbed {on_index}by {eps}, but got: dtypes {a.dtype} and "
                             f"{b.dtype}.")


def _analytical_jacobians(inputs, output, nondet_tol, check_grad_dtypes):
    """Backward's Jacobians of ``output``, one row per output element (computed twice)."""
    from . import grad  # the package imports this module before it defines grad
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]

    def rows():
        jacs = [np.zeros((t.numel(), output.numel()), dtype=t._data.dtype) for t in diff_inputs]
        sizes_ok = types_ok = True
        for j in range(output.numel()):
            seed = np.zeros(output._data.size, dtype=output._data.dtype)
            seed[j] = 1.0
            grads = grad(output, diff_inputs, Tensor._make(seed.reshape(output._data.shape)),
                         retain_graph=True, allow_unused=True)
            for jac, g, t in zip(jacs, grads, diff_inputs):
                if g is None:
                    continue
                if g.shape != t.shape:
                    sizes_ok = False
                elif g.dtype is not t.dtype:
                    types_ok = False
                jac[:, j] = g._data.reshape(-1)
        return jacs, sizes_ok, types_ok

    jacs1, sizes_ok, types_ok = rows()
    jacs2, _, _ = rows()
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(jacs1, jacs2):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError("Backward is not reentrant, i.e., running backward with same "
                                 "input and grad_output multiple times gives different values, "
                                 "although analytical gradient matches numerical gradient.The "
                                 f"tolerance for nondeterminism was {nondet_tol}.")
    return [Tensor._make(j) for j in jacs1]


def _allclose(a, n, rtol, atol):
    dt = np.promote_types(a._data.dtype, n._data.dtype)
    return np.allclose(a._data.astype(dt), n._data.astype(dt), rtol=rtol, atol=atol)


def _check_backward_mul_by_grad_output(outputs, inputs):
    """Backward with zero output gradients must give zero input gradients of the right type."""
    from . import grad  # the package imports this module before it defines grad
    diff_inputs = [t for t in inputs if isinstance(t, Tensor) and t.requires_grad]
    grads = grad(outputs, diff_inputs, [_creation.zeros_like(o) for o in outputs],
                 allow_unused=True)
    for gi, di in zip(grads, diff_inputs):
        if gi is None:
            continue
        if not (gi._data == 0).all():
            raise GradcheckError("backward not multiplied by grad_output")
        if gi.dtype is not di.dtype:
            raise GradcheckError("grad is incorrect type")
        if gi.shape != di.shape:
            raise GradcheckError("grad is incorrect size")


def _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes, check_backward_ad):
    rtol, atol = check_tolerances(rtol, atol, "allclose")  # PyTorch meets them in allclose
    tupled_inputs = _as_tuple(inputs)
    _check_inputs(tupled_inputs)
    func_out = _as_tuple(func(*tupled_inputs))
    outputs = _differentiable_outputs(func_out)
    numerical = _numerical_jacobians(func, tupled_inputs, func_out, eps)
    if not outputs:  # nothing to differentiate: the function must then be locally constant
        for per_input in numerical:
            for jac in per_input:
                if (jac._data != 0).any():
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return True
    if not check_backward_ad:
        return True
    keep = [i for i, o in enumerate(func_out) if o.requires_grad]
    for i, o in enumerate(outputs):
        analytical = _analytical_jacobians(tupled_inputs, o, nondet_tol, check_grad_dtypes)
        for j, (a, per_input) in enumerate(zip(analytical, numerical)):
            n = per_input[keep[i]]
            if not _allclose(a, n, rtol, atol):
                raise GradcheckError(f"Jacobian mismatch for output {i:d} with respect to input "
                                     f"{j:d},\nnumerical:{n}\nanalytical:{a}\n")
    _check_backward_mul_by_grad_output(outputs, tupled_inputs)
    return True


def gradcheck(func, inputs, *, eps=1e-6, atol=1e-5, rtol=1e-3, raise_exception=True,
              nondet_tol=0.0, check_undefined_grad=True, check_grad_dtypes=False,
              check_batched_grad=False, check_batched_forward_grad=False, check_forward_ad=False,
              check_backward_ad=True, fast_mode=False, masked=None):
    """True when backward's gradients of ``func`` at ``inputs`` match finite differences
    (|analytical − numerical| ≤ atol + rtol·|numerical|); else GradcheckError (or False when
    ``raise_exception=False``). minigrad always runs the full (slow-mode) comparison."""
    if check_forward_ad or check_batched_grad or check_batched_forward_grad:
        raise NotImplementedError("minigrad has no forward-mode AD or batched gradients: "
                                  "gradcheck checks backward mode only")
    try:
        return _gradcheck(func, inputs, eps, atol, rtol, nondet_tol, check_grad_dtypes,
                          check_backward_ad)
    except GradcheckError:
        if raise_exception:
            raise
        return False


def gradgradcheck(func, inputs, grad_outputs=None, *, eps=1e-6, atol=1e-5, rtol=1e-3,
                  gen_non_contig_grad_outputs=False, raise_exception=True, nondet_tol=0.0,
                  check_undefined_grad=True, check_grad_dtypes=False, check_batched_grad=False,
                  check_fwd_over_rev=False, check_rev_over_rev=True, fast_mode=False,
                  masked=False):
    """gradcheck of the gradients themselves: differentiates backward (create_graph=True)
    with respect to the inputs and the output gradients (random in [-1, 1) when not given)."""
    from . import grad  # the package imports this module before it defines grad
    tupled_inputs = _as_tuple(inputs)
    if grad_outputs is None:
        outputs = _differentiable_outputs(func(*tupled_inputs))
        tupled_grad_outputs = tuple(_random_like(o) for o in outputs)
    else:
        tupled_grad_outputs = _as_tuple(grad_outputs)
    num_outputs = len(tupled_grad_outputs)
    diff_input_idx = {i for i, x in enumerate(tupled_inputs)
                      if isinstance(x, Tensor) and x.requires_grad}
    diff_grad_output_idx = {i for i, x in enumerate(tupled_grad_outputs) if x.requires_grad}

    def new_func(*args):
        input_args = tuple(x.requires_grad_() if i in diff_input_idx else x
                           for i, x in enumerate(args[:-num_outputs]))
        outputs = _differentiable_outputs(func(*input_args))
        grad_outputs = tuple(x.requires_grad_() if i in diff_grad_output_idx else x
                             for i, x in enumerate(args[-num_outputs:]))
        diff_input_args = tuple(x for i, x in enumerate(input_args) if i in diff_input_idx)
        grad_inputs = grad(outputs, diff_input_args, grad_outputs, create_graph=True,
                           allow_unused=True)
        return tuple(g for g in grad_inputs if g is not None)

    return gradcheck(new_func, tupled_inputs + tupled_grad_outputs, eps=eps, atol=atol,
                     rtol=rtol, raise_exception=raise_exception, nondet_tol=nondet_tol,
                     check_undefined_grad=check_undefined_grad,
                     check_grad_dtypes=check_grad_dtypes, fast_mode=fast_mode,
                     check_backward_ad=check_rev_over_rev)


def _random_like(x):
    """Uniform in [-1, 1), x's shape and (floating) dtype, requiring grad (minigrad's RNG)."""
    dtype = x.dtype if x.is_floating_point() else _dtype.float64
    data = _creation.default_generator._rng.uniform(-1, 1, x.shape).astype(dtype.np)
    return Tensor._make(data).requires_grad_(True)
