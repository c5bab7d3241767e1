"""Reductions: sum, mean, prod, max/min (with indices along a dim), amax/amin, argmax/argmin,
norm, logsumexp, softmax and log_softmax."""
import builtins
import numbers

import numpy as np

from .. import _args
from .._graph import apply
from .._tensor import Tensor, _wrap_dim
from ._common import ALL_DIMS, _check_tensor, _dim_given, _dims, _new, _op, _type_word
from .elementwise import maximum, minimum, to


def sum(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Σ over ``dim`` (an int or tuple; None: everything); ints and bools sum to int64."""
    _check_tensor(input, "sum")
    dtype = _args.dtype_arg(dtype, "sum")
    dim = dim if axis is None else axis  # numpy's name, which PyTorch accepts too
    if dtype is not None:
        input = to(input, dtype)
    keepdim = _args.bool_arg(keepdim, "keepdim", "sum")
    out = apply(_op("sum"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)
    return out if dtype is None or out.dtype is dtype else to(out, dtype)  # bool stays bool


def mean(input, dim=None, keepdim=False, *, dtype=None, axis=None):
    """Average over ``dim`` (floating point tensors only)."""
    _check_tensor(input, "mean")
    dtype = _args.dtype_arg(dtype, "mean")
    dim = dim if axis is None else axis  # numpy's name, which PyTorch accepts too
    if dtype is not None:
        if not dtype.is_floating_point:
            raise RuntimeError("mean(): could not infer output dtype. Optional dtype must be "
                               "either a floating point or complex dtype. Got: "
                               + _type_word(_new(np.empty(0, dtype.np))))
        input = to(input, dtype)
    if not input.is_floating_point():
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: " + _type_word(input))
    keepdim = _args.bool_arg(keepdim, "keepdim", "mean")
    return apply(_op("mean"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)


def prod(input, dim=ALL_DIMS, keepdim=False, *, dtype=None):
    """Π over ``dim`` (an int; None: everything)."""
    _check_tensor(input, "prod")
    dtype = _args.dtype_arg(dtype, "prod")
    if dtype is not None:
        input = to(input, dtype)
    keepdim = _args.bool_arg(keepdim, "keepdim", "prod")
    dim = _dim_given(dim, "prod")
    out = apply(_op("prod"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)
    return out if dtype is None or out.dtype is dtype else to(out, dtype)  # bool stays bool


class _MinMax(tuple):
    """The (values, indices) pair of max/min along a dim, named as PyTorch's return type."""

    def __new__(cls, values, indices, name):
        self = tuple.__new__(cls, (values, indices))
        self._name = name
        return self

    values = property(lambda self: self[0])
    indices = property(lambda self: self[1])

    def __repr__(self):
        return (f"torch.return_types.{self._name}(\nvalues={self[0]!r},\nindices="
                f"{self[1]!r})")


def _extremum(input, dim, keepdim, which):
    keepdim = _args.bool_arg(keepdim, "keepdim", which)
    if isinstance(dim, Tensor):
        return maximum(input, dim) if which == "max" else minimum(input, dim)
    dim = _dim_given(dim, which)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{which}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return apply(_op("a" + which), input, dim=None, keepdim=False)
    d = _wrap_dim(dim, input.ndim)
    _check_reduced_size(input, d, which)
    if input.ndim == 0:  # one element: it is the extremum, at index 0
        idx = np.zeros((), dtype=np.int64)
    else:
        idx = (np.argmax if which == "max" else np.argmin)(input._data, axis=d, keepdims=keepdim)
    values = apply(_op(which + "_dim"), input, dim=d, keepdim=keepdim, indices=idx)
    return _MinMax(values, _new(idx.astype(np.int64)), which)


def max(input, dim=ALL_DIMS, keepdim=False):
    """The largest element; with ``dim``, (values, indices) along it; with a tensor, maximum."""
    return _extremum(input, dim, keepdim, "max")


def min(input, dim=ALL_DIMS, keepdim=False):
    """The smallest element; with ``dim``, (values, indices) along it; with a tensor, minimum."""
    return _extremum(input, dim, keepdim, "min")


def _reduce_extremum(input, dim, keepdim, which):
    keepdim = _args.bool_arg(keepdim, "keepdim", which)
    dims = _dims(dim, input.ndim) if dim != () else None
    if dims is None and input.numel() == 0:
        raise RuntimeError(f"{which}(): Expected reduction dim to be specified for input.numel() "
                           "== 0. Specify the reduction dim with the 'dim' argument.")
    for d in dims or ():
        _check_reduced_size(input, d, which)
    if dims is None:  # every dim, named as such (None would name the node max()'s MaxBackward1)
        dims = tuple(range(input.ndim))
    return apply(_op(which), input, dim=dims, keepdim=keepdim)


def amax(input, dim=(), keepdim=False):
    """The largest value over ``dim`` (all dims by default); ties share the gradient."""
    return _reduce_extremum(input, dim, keepdim, "amax")


def amin(input, dim=(), keepdim=False):
    """The smallest value over ``dim`` (all dims by default); ties share the gradient."""
    return _reduce_extremum(input, dim, keepdim, "amin")


def _check_reduced_size(input, d, who):
    """PyTorch's IndexError for max/min/argmax... over an empty dimension."""
    if input.ndim and input.shape[d] == 0:
        raise IndexError(f"{who}(): Expected reduction dim {d} to have non-zero size.")


def _arg_extremum(fn, input, dim, keepdim, who):
    keepdim = _args.bool_arg(keepdim, "keepdim", who)
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{who}(): does not support bool input")
    if dim is None:
        if input.numel() == 0:
            raise IndexError(f"{who}(): Expected reduction dim to be specified for input.numel() "
                             "== 0.")
        out = np.asarray(fn(input._data), dtype=np.int64)
        return _new(out.reshape((1,) * input.ndim) if keepdim else out)
    d = _wrap_dim(dim, input.ndim)
    _check_reduced_size(input, d, who)
    if input.ndim == 0:
        return _new(np.zeros((), dtype=np.int64))
    return _new(fn(input._data, axis=d, keepdims=keepdim).astype(np.int64))


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when dim is None)."""
    return _arg_extremum(np.argmax, input, dim, keepdim, "argmax")


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when dim is None)."""
    return _arg_extremum(np.argmin, input, dim, keepdim, "argmin")


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm over ``dim`` (None: all elements; "fro" means 2)."""
    if p in ("fro", None):
        p = 2
    elif p == "nuc":
        if input.ndim < 2:
            raise RuntimeError("linalg.matrix_norm: The input tensor A must have at least 2 "
                               "dimensions.")
        raise NotImplementedError("minigrad has no nuclear norm (p='nuc')")
    elif isinstance(p, str):
        raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
    elif not isinstance(p, (numbers.Number, np.generic)) or isinstance(p, builtins.bool):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{_args.type_name(p)}")
    if not input.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_type_word(input)}")
    dtype = _args.dtype_arg(dtype, "linalg_vector_norm")
    if dtype is not None:
        if not dtype.is_floating_point:
            raise RuntimeError("linalg.vector_norm: dtype should be floating point or complex, "
                               f"but got {dtype.legacy[:-6]}")
        input = to(input, dtype)
    keepdim = _args.bool_arg(keepdim, "keepdim", "norm")
    return apply(_op("norm"), input, p=p, dim=_dims(dim, input.ndim), keepdim=keepdim)


def logsumexp(input, dim, keepdim=False):
    """ln Σ exp(input) over ``dim``, computed stably."""
    keepdim = _args.bool_arg(keepdim, "keepdim", "logsumexp")
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' (position 1) must be tuple of ints, not "
                        "NoneType")
    return apply(_op("logsumexp"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)


def _check_softmax_dtype(input, dim, who):
    """PyTorch's softmax kernels exist for floating point dtypes only."""
    if not input.is_floating_point():
        kernel = "lastdim_kernel_impl" if dim == builtins.max(input.ndim - 1, 0) else "kernel_impl"
        raise NotImplementedError(f'"{who}_{kernel}" not implemented for \'{_type_word(input)}\'')


def softmax(input, dim, dtype=None):
    """exp(input) normalised to sum to 1 along ``dim``."""
    return _along_dim("softmax", input, dim, dtype)


def log_softmax(input, dim, dtype=None):
    """log(softmax(input)) along ``dim``, computed stably."""
    return _along_dim("log_softmax", input, dim, dtype)


def _along_dim(name, input, dim, dtype):
    """Registry op ``name`` (softmax, log_softmax) along ``dim``, in ``dtype`` when given."""
    dtype = _args.dtype_arg(dtype, name)
    if dtype is not None:
        input = to(input, dtype)
    dim = _wrap_dim(dim, input.ndim)
    _check_softmax_dtype(input, dim, name)
    return apply(_op(name), input, dim=dim)
