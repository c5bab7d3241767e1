"""Elementwise functions with derivatives: arithmetic, unary math, maximum/minimum, clamp, where,
rounding, remainder, and to/type_as/clone."""
import builtins
import numbers

import numpy as np

from .. import _args
from .. import _device
from .. import _dtype
from .._graph import apply
from .._tensor import Tensor, as_operand
from ._common import (_array, _broadcast_shape, _check_broadcast, _check_operand, _check_sub,
                      _check_tensor, _new, _op, _type_word)
from .compare import _rounded_division, nonzero


def add(input, other, *, alpha=1):
    """input + alpha·other, broadcasting."""
    _check_operand(other, "add")
    if not (type(alpha) is int and alpha == 1):
        alpha = _args.number_arg(alpha, "alpha", "add", tensor=False)
    _check_broadcast(input, other)
    return apply(_op("add"), input, other, alpha=alpha)


def sub(input, other, *, alpha=1):
    """input − alpha·other, broadcasting."""
    _check_operand(other, "sub")
    if not (type(alpha) is int and alpha == 1):
        alpha = _args.number_arg(alpha, "alpha", "sub", tensor=False)
    _check_sub(input, other)
    _check_broadcast(input, other)
    return apply(_op("sub"), input, other, alpha=alpha)


def rsub(input, other, *, alpha=1):
    """other − alpha·input."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    _check_sub(other, input)
    x = _promoted_for_scalar(input, other)
    return apply(_op("rsub"), x, other=_wrapped_to(x, other), alpha=alpha)


def mul(input, other):
    """input · other elementwise, broadcasting."""
    _check_operand(other, "mul")
    _check_broadcast(input, other)
    return apply(_op("mul"), input, other)


def div(input, other, *, rounding_mode=None):
    """input / other elementwise (true division: integers give float32)."""
    _check_operand(other, "div")
    if rounding_mode is not None:
        _check_rounding_mode(rounding_mode, "div")
        _check_integer_division(input, other)
        return apply(_op("div_rounded"), input, other, rounding_mode=rounding_mode)
    _check_broadcast(input, other)
    return apply(_op("div"), input, other)


def _check_rounding_mode(rounding_mode, who):
    """"floor" or "trunc" (PyTorch's errors for anything else)."""
    if not isinstance(rounding_mode, str):
        raise TypeError(f"{who}() received an invalid combination of arguments - got (Tensor, "
                        f"rounding_mode={_args.type_name(rounding_mode)}), but expected one of:\n"
                        " * (Tensor other, *, str rounding_mode)\n")
    if rounding_mode not in ("floor", "trunc"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{rounding_mode}'")


def true_divide(input, other):
    """input / other (div without a rounding mode)."""
    return div(input, other)


def neg(input):
    """−input."""
    _check_bool_kernel(input, "neg")
    return apply(_op("neg"), input)


def pow(input, exponent):
    """input ** exponent; either may be a Python number."""
    for arg in (input, exponent):
        if not isinstance(arg, (Tensor, numbers.Number, np.generic)):
            raise TypeError(f"pow() received an invalid combination of arguments - got "
                            f"({_args.type_name(exponent)}), but expected one of:\n * (Tensor "
                            "exponent)\n * (Number exponent)\n")
    if not isinstance(input, Tensor):
        base = input
        x = exponent if exponent.is_floating_point() or not isinstance(base, float) \
            else exponent.float()
        return apply(_op("rpow"), x, base=base)
    if isinstance(exponent, Tensor):
        _check_broadcast(input, exponent)
        return apply(_op("pow"), input, exponent)
    if isinstance(exponent, numbers.Integral) and exponent < 0 and not input.is_floating_point():
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return apply(_op("pow_scalar"), _promoted_for_scalar(input, exponent), exponent=exponent)


def _wrapped_to(t, scalar):
    """An int scalar in an integer tensor's type (-3 for uint8 is 253: it wraps, as in PyTorch;
    numpy would refuse a Python int out of the type's range)."""
    if isinstance(scalar, int) and not isinstance(scalar, builtins.bool) and \
            not t.is_floating_point():
        return np.array(scalar).astype(t._data.dtype)[()]
    return scalar


def _promoted_for_scalar(t, scalar):
    """An integer tensor meets a float scalar: compute in float32, as PyTorch does."""
    if isinstance(scalar, float) and not t.is_floating_point():
        return t.float()
    return t


def reciprocal(input):
    """1 / input."""
    return apply(_op("reciprocal"), input)


def maximum(input, other):
    """Elementwise maximum (gradient split evenly at ties)."""
    _check_tensor(other, "maximum", "other", 2)
    _check_broadcast(input, other)
    return apply(_op("maximum"), input, other)


def minimum(input, other):
    """Elementwise minimum (gradient split evenly at ties)."""
    _check_tensor(other, "minimum", "other", 2)
    _check_broadcast(input, other)
    return apply(_op("minimum"), input, other)


def where(condition, input=None, other=None):
    """condition ? input : other, elementwise with broadcasting."""
    if not isinstance(condition, (Tensor, np.ndarray)):  # arrays: the VJPs' masks
        _check_tensor(condition, "where", "condition", 1)
    if input is None and other is None:
        return nonzero(as_operand(condition), as_tuple=True)
    for k, (name, x) in enumerate((("input", input), ("other", other))):
        if not isinstance(x, (Tensor, numbers.Number, np.generic, np.ndarray)):
            _check_tensor(x, "where", name, k + 2)
    cond = _array(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_type_word(_new(cond))}")
    _broadcast_shape(_broadcast_shape(cond.shape, np.shape(_array(input))), np.shape(_array(other)))
    return apply(_op("where"), input, other, cond=cond)


def clamp(input, min=None, max=None):
    """input limited to [min, max] (either bound may be None)."""
    _check_bounds(min, max, "clamp")
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        for bound in (min, max):
            if bound is not None:
                _check_broadcast(input, bound)
        if min is not None and max is not None:
            return apply(_op("clamp_bounds"), input, min, max)
        return apply(_op("clamp_bound"), input, min if max is None else max,
                     which="min" if max is None else "max")
    x = _promoted_for_scalar(input, min if isinstance(min, float) else max)
    return apply(_op("clamp"), x, min=_wrapped_to(x, min), max=_wrapped_to(x, max))


clip = clamp


def _check_bounds(low, high, who):
    """PyTorch's TypeError for bounds that are neither numbers, tensors nor None."""
    for bound in (low, high):
        if bound is not None and not isinstance(bound, (Tensor, numbers.Number, np.generic)):
            raise TypeError(f"{who}() received an invalid combination of arguments - got "
                            f"({_args.type_name(low)}, {_args.type_name(high)}), but expected "
                            "one of:\n * (Tensor min = None, Tensor max = None)\n * (Number min = "
                            "None, Number max = None)\n")


_NO_BOOL_KERNEL = {  # what PyTorch says for a bool tensor where it has no kernel for one
    "abs": (NotImplementedError, "\"abs_cpu\" not implemented for 'Bool'"),
    "relu": (RuntimeError, "Boolean inputs not supported for relu"),
    "neg": (RuntimeError, "Negation, the `-` operator, on a bool tensor is not supported. If you "
            "are trying to invert a mask, use the `~` or `logical_not()` operator instead."),
    **{n: (NotImplementedError, f"\"{n}_vml_cpu\" not implemented for 'Bool'")
       for n in ("floor", "ceil", "round", "trunc")},
}


def _check_bool_kernel(input, name):
    if input._data.dtype == np.bool_ and name in _NO_BOOL_KERNEL:
        error, message = _NO_BOOL_KERNEL[name]
        raise error(message)


def _unary(name):
    op = _op(name)

    def fn(input):
        _check_tensor(input, name)
        _check_bool_kernel(input, name)
        return apply(op, input)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (its derivative: minigrad.ops.OPS['{name}'].math)."
    return fn


exp, log, sqrt, abs, sign = (_unary(n) for n in ("exp", "log", "sqrt", "abs", "sign"))
sin, cos, tanh, sigmoid, relu = (_unary(n) for n in ("sin", "cos", "tanh", "sigmoid", "relu"))


def square(input):
    """input ** 2."""
    return pow(input, 2)


def rsqrt(input):
    """1 / √input (one node, RsqrtBackward0)."""
    return apply(_op("rsqrt"), input)


def clone(input):
    """A copy of input that stays in the graph (CloneBackward0)."""
    return apply(_op("clone"), input)


def to(input, *args, dtype=None, **kwargs):
    """input converted to ``dtype`` (same tensor when nothing changes); a device other than
    the CPU raises PyTorch's error for a build without it."""
    given = dtype = _args.dtype_arg(dtype, "to")
    for a in args:
        if isinstance(a, _dtype.dtype):
            if given is not None:  # no overload of PyTorch's takes a dtype twice
                raise TypeError("to() received an invalid combination of arguments - got "
                                "(torch.dtype, dtype=torch.dtype)")
            dtype = a
        elif isinstance(a, np.dtype):  # what the engine passes (a node's input_meta)
            dtype = _dtype.from_numpy_dtype(a)
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif isinstance(a, (str, int, _device.device)) and not isinstance(a, builtins.bool):
            _device.check(a)
        elif a is not None:
            raise TypeError(f"to() received an invalid combination of arguments - got "
                            f"({_args.type_name(a)}), but expected one of:\n * (torch.device "
                            "device = None, torch.dtype dtype = None)\n * (torch.dtype dtype)\n"
                            " * (Tensor tensor)\n")
    if kwargs.get("device") is not None:
        _device.check(kwargs["device"])
    if dtype is None or dtype.np == input._data.dtype:
        return input
    return apply(_op("to_copy"), input, dtype=dtype)


@_args.tensors("other")
def type_as(input, other):
    return to(input, other.dtype)


def _check_integer_division(input, other):
    a, b = as_operand(input), as_operand(other)
    if not _dtype.result_type(a, b).is_floating_point and (b._data == 0).any():
        raise RuntimeError("ZeroDivisionError")


def remainder(input, other):
    """input − ⌊input / other⌋·other elementwise: the sign of other."""
    if not isinstance(input, Tensor):  # a number first: no derivative (as in PyTorch)
        return _rounded_division(np.remainder, input, other)
    _check_integer_division(input, other)
    if isinstance(other, Tensor):
        _check_broadcast(input, other)
        return apply(_op("remainder"), input, other)
    x = _promoted_for_scalar(input, other)
    return apply(_op("remainder_scalar"), x, other=_wrapped_to(x, other))


def _rounding(name):
    def r(input):
        _check_bool_kernel(input, name)
        return apply(_op(name), input)
    r.__name__ = name
    r.__doc__ = f"Elementwise {name} (its gradient is zero)."
    return r


floor, ceil, round, trunc = (_rounding(n) for n in ("floor", "ceil", "round", "trunc"))
