"""In-place functions (add_, zero_, fill_, copy_, clamp_, pow_...): the op runs out of place, its
result is written into the tensor's storage and the tensor's history is rebased on it."""
import builtins
import numbers

import numpy as np

from .. import _args
from .. import _grad_mode
from .._graph import apply
from .._tensor import Tensor
from ._common import (_C_NAMES, _broadcast_shape, _check_broadcast, _check_operand, _check_sub,
                      _check_tensor, _new, _op, _type_word)
from .elementwise import (_check_bool_kernel, _check_bounds, _check_integer_division,
                          _check_rounding_mode, _promoted_for_scalar, _wrapped_to, to)


def _inplace(self, op, *args, **attrs):
    """Run ``op`` out of place, write the result into self's storage, rebase self's history."""
    if _grad_mode._enabled:
        if self._requires_grad and self.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
        base = self._base
        if base is not None and base.requires_grad:
            if base.grad_fn is None:
                raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                                   "an in-place operation.")
            raise RuntimeError("minigrad does not support in-place operations on a view of a "
                               "tensor that requires grad; use an out-of-place operation "
                               "(e.g. y = y + 1) instead.")
    snapshot = self
    recorded = _grad_mode._enabled and (self.requires_grad or builtins.any(
        isinstance(a, Tensor) and a.requires_grad for a in args))
    if recorded and op.inputs and op.inputs[0] in op.saves:
        snapshot = Tensor._make(self._data.copy(), self.grad_fn)  # the values before the change
    result = apply(op, snapshot, *args, **attrs)
    target = self._data.dtype
    if result._data.dtype != target and not np.can_cast(result._data.dtype, target,
                                                        "same_kind"):
        raise RuntimeError(f"result type {_type_word(result)} can't be cast to the desired "
                           f"output type {_type_word(self)}")
    if result._data.shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self.shape))}] doesn't match "
                           f"the broadcast shape [{', '.join(map(str, result.shape))}]")
    if not (op.name in ("fill", "fill_tensor", "zero") or (
            op.name == "index_put" and attrs.get("name") != "CopyBackwards")):
        check_no_overlap(self)  # fill_, zero_ and x[i] = v may write an expanded view
    if op.name == "index_put" and _overlapping(self._data):  # only the indexed elements: the
        key = attrs["key"]  # others, written whole, would write back their old values last
        self._data[key] = result._data[key].astype(self._data.dtype, copy=False)
    else:
        np.copyto(self._data, result._data, casting="unsafe")
    self._vc[0] += 1
    if result.grad_fn is not None:
        self.grad_fn = result.grad_fn
        self.grad_fn._output = result.grad_fn._output.__class__(self)
        out = (self.grad_fn._saved or {}).get("out")
        if out is not None:  # the saved output is self itself, at its new version
            out.data, out.version_counter, out.version = self._data, self._vc, self._vc[0]
    return self


def _inplace_method(name):
    def run(self, other, attrs):
        _check_operand(other, name + "_")
        if name == "sub":
            _check_sub(self, other)
        _check_broadcast(self, other)
        return _inplace(self, _op(name), other, **attrs)

    if name in ("add", "sub"):
        def method(self, other, *, alpha=1):
            if not (type(alpha) is int and alpha == 1):
                alpha = _args.number_arg(alpha, "alpha", name + "_", tensor=False)
            return run(self, other, {"alpha": alpha})
    elif name == "div":
        def method(self, other, *, rounding_mode=None):
            if rounding_mode is None:
                return run(self, other, {})
            _check_rounding_mode(rounding_mode, "div_")
            _check_operand(other, "div_")
            _check_integer_division(self, other)
            _check_broadcast(self, other)
            return _inplace(self, _op("div_rounded"), other, rounding_mode=rounding_mode)
    else:
        def method(self, other):
            return run(self, other, {})
    method.__name__ = method.__qualname__ = name + "_"
    method.__doc__ = f"In-place {name}: self = self {name} other (bumps the version counter)."
    return method


add_, sub_, mul_, div_ = (_inplace_method(n) for n in ("add", "sub", "mul", "div"))


def zero_(self):
    """Fill with zeros in place (recorded: ZeroBackward0 sends back zeros)."""
    return _inplace(self, _op("zero"))


def fill_(self, value):
    """Fill with ``value`` (a number or a 0-d tensor) in place."""
    if not isinstance(value, (Tensor, numbers.Number, np.generic)):
        raise TypeError(f"fill_() received an invalid combination of arguments - got "
                        f"({_args.type_name(value)}), but expected one of:\n * (Tensor value)\n"
                        " * (Number value)\n")
    if isinstance(value, Tensor):
        if value.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor with "
                               f"{value.ndim} dimensions.")
        return _inplace(self, _op("fill_tensor"), value)
    return _inplace(self, _op("fill"), value=value)


def copy_(self, src, non_blocking=False):
    """Copy src's values (broadcast, cast to self's dtype) into self, in place."""
    if isinstance(src, (numbers.Number, np.generic)):  # PyTorch takes a number as a 0-d tensor
        src = _new(np.asarray(src, dtype=self._data.dtype))
    _check_tensor(src, "copy_", "other", 1)
    shape = _broadcast_shape(self._data.shape, src._data.shape)
    if shape != self._data.shape:
        raise RuntimeError(f"output with shape [{', '.join(map(str, self.shape))}] doesn't match "
                           f"the broadcast shape [{', '.join(map(str, shape))}]")
    if src.dtype is not self.dtype:
        src = to(src, self.dtype)
    return _inplace(self, _op("index_put"), src, key=(Ellipsis,), name="CopyBackwards")


def clamp_(self, min=None, max=None):
    """clamp in place."""
    _check_bounds(min, max, "clamp_")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x = _promoted_for_scalar(self, min if isinstance(min, float) else max)
    if x is not self:  # a float bound on an integer tensor: the result can't be stored
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_C_NAMES[self.dtype.name]}")
    return _inplace(self, _op("clamp"), min=_wrapped_to(x, min), max=_wrapped_to(x, max))


def _inplace_unary(name):
    def method(self):
        _check_bool_kernel(self, name)
        return _inplace(self, _op(name))
    method.__name__ = name + "_"
    return method


exp_, neg_, sqrt_, abs_, relu_, tanh_, sigmoid_ = (
    _inplace_unary(n) for n in ("exp", "neg", "sqrt", "abs", "relu", "tanh", "sigmoid"))


def pow_(self, exponent):
    """pow in place."""
    if isinstance(exponent, Tensor):
        _check_broadcast(self, exponent)
        return _inplace(self, _op("pow"), exponent)
    if isinstance(exponent, float) and not self.is_floating_point():
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_type_word(self)}")
    if not isinstance(exponent, (numbers.Number, np.generic)):
        raise TypeError(f"pow_() received an invalid combination of arguments - got "
                        f"({_args.type_name(exponent)}), but expected one of:\n * (Tensor "
                        "exponent)\n * (Number exponent)\n")
    return _inplace(self, _op("pow_scalar"), exponent=exponent)


def _overlapping(a):
    """True when elements of ``a`` share memory (a dimension of stride 0: an expanded view)."""
    return builtins.any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape))


def check_no_overlap(t):
    """PyTorch's error for an in-place write of many values into an expanded view."""
    if _overlapping(t._data):
        raise RuntimeError("unsupported operation: more than one element of the written-to "
                           "tensor refers to a single memory location. Please clone() the tensor "
                           "before performing the operation.")
