"""Functions without derivatives, computed directly on the data: comparisons, logical and bitwise
ops, equal/isclose/allclose, all/any, isnan/isinf/isfinite, floor_divide, nonzero, predicates."""
import builtins
import numbers

import numpy as np

from .. import _args
from .. import _dtype
from .. import _grad_mode
from .._tensor import Tensor, _wrap_dim, as_operand
from ._common import _check_broadcast, _check_operand, _check_tensor, _new, _type_word


_COMPARE_NAMES = {"equal": "eq", "not_equal": "ne", "less": "lt", "less_equal": "le",
                  "greater": "gt", "greater_equal": "ge"}


def _compare(fn):
    def compare(input, other):
        if not isinstance(other, (Tensor, numbers.Number, np.ndarray, np.generic)):
            _check_operand(other, _COMPARE_NAMES[fn.__name__])
        a, b = as_operand(input), as_operand(other)
        _check_broadcast(a, b)
        common = _dtype.result_type(a, b).np
        return _new(fn(a._data.astype(common, copy=False), b._data.astype(common, copy=False)))
    compare.__name__ = _COMPARE_NAMES[fn.__name__]
    compare.__doc__ = f"Elementwise {fn.__name__.replace('_', ' ')} as a bool tensor."
    return compare


eq, ne, lt, le, gt, ge = (_compare(f) for f in (np.equal, np.not_equal, np.less, np.less_equal,
                                                np.greater, np.greater_equal))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(fn, name):
    def op(input, other):
        if not isinstance(other, (Tensor, numbers.Number, np.ndarray, np.generic)):
            return NotImplemented
        a, b = as_operand(input), as_operand(other)
        _check_broadcast(a, b)
        common = _dtype.result_type(a, b)
        if common.is_floating_point:
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for "
                                      f"'{_type_word(_new(np.empty(0, common.np)))}'")
        return _new(fn(a._data.astype(common.np, copy=False), b._data.astype(common.np,
                                                                            copy=False)))
    return op


bitwise_and = _logical(np.bitwise_and, "bitwise_and")
bitwise_or = _logical(np.bitwise_or, "bitwise_or")
bitwise_xor = _logical(np.bitwise_xor, "bitwise_xor")


def logical_not(input):
    return _new(np.logical_not(input._data))


def bitwise_not(input):
    if input._data.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type "
                        "tensors")
    return _new(np.invert(input._data))


@_args.tensors("other")
def equal(input, other):
    """True when both have the same shape and elements."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def check_tolerances(rtol, atol, who):
    """rtol and atol as floats, neither negative (PyTorch's isclose checks)."""
    rtol = _args.float_arg(rtol, "rtol", who, 3)
    atol = _args.float_arg(atol, "atol", who, 4)
    for name, tol in (("rtol", rtol), ("atol", atol)):
        if tol < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got "
                               f"{_args.number_text(tol)}")
    return rtol, atol


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True when isclose holds everywhere."""
    check_tolerances(rtol, atol, "allclose")
    _args.bool_arg(equal_nan, "equal_nan", "allclose")
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    """|input − other| ≤ atol + rtol·|other| elementwise (both of one dtype)."""
    _check_tensor(other, "isclose", "other", 2)
    rtol, atol = check_tolerances(rtol, atol, "isclose")
    equal_nan = _args.bool_arg(equal_nan, "equal_nan", "isclose")
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_type_word(input)} did not match {_type_word(other)}")
    _check_broadcast(input, other)
    with np.errstate(all="ignore"):
        return _new(np.isclose(input._data, other._data, rtol=rtol, atol=atol,
                               equal_nan=equal_nan))


def all(input, dim=None, keepdim=False):
    """True where every element (along dim) is nonzero."""
    keepdim = _args.bool_arg(keepdim, "keepdim", "all")
    return _new(np.all(input._data, axis=None if dim is None else _wrap_dim(dim, input.ndim),
                       keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    """True where some element (along dim) is nonzero."""
    keepdim = _args.bool_arg(keepdim, "keepdim", "any")
    return _new(np.any(input._data, axis=None if dim is None else _wrap_dim(dim, input.ndim),
                       keepdims=keepdim))


def isnan(input):
    return _new(np.isnan(input._data))


def isinf(input):
    return _new(np.isinf(input._data))


def isfinite(input):
    return _new(np.isfinite(input._data))


def _rounded_division(fn, input, other):
    """fn(input, other) in PyTorch's result dtype, with no gradient (floor/trunc/remainder)."""
    a, b = as_operand(input), as_operand(other)
    _check_broadcast(a, b)
    dtype = _dtype.result_type(a, b)
    x, y = a._data.astype(dtype.np, copy=False), b._data.astype(dtype.np, copy=False)
    if not dtype.is_floating_point and (y == 0).any():
        raise RuntimeError("ZeroDivisionError")
    with np.errstate(all="ignore"):
        return _new(np.asarray(fn(x, y)).astype(dtype.np, copy=False))


def floor_divide(input, other):
    """⌊input / other⌋ elementwise (no gradient)."""
    return _rounded_division(np.floor_divide, input, other)


def nonzero(input, *, as_tuple=False):
    """The indices of the nonzero elements: (n, ndim) int64, or one tensor per dim."""
    as_tuple = _args.bool_arg(as_tuple, "as_tuple", "nonzero")
    if input.ndim == 0:  # a 0-d tensor counts as one dimension in the tuple form only
        found = builtins.bool(input._data)
        if as_tuple:
            return (_new(np.zeros(1 if found else 0, dtype=np.int64)),)
        return _new(np.zeros((1 if found else 0, 0), dtype=np.int64))
    idx = np.nonzero(input._data)
    if as_tuple:
        return tuple(_new(i.astype(np.int64)) for i in idx)
    return _new(np.stack(idx, axis=1).astype(np.int64))


def numel(input):
    return input.numel()


def is_tensor(obj):
    return isinstance(obj, Tensor)


def is_floating_point(input):
    return input.is_floating_point()


def is_grad_enabled():
    return _grad_mode._enabled
