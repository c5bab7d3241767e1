"""The functions users call (``minigrad.exp``, ``x.sum(dim=1)``, ``x @ y``, ``x[i]``...).

They check and normalise arguments the way PyTorch does (errors included), then ``apply`` a
registry op from ``ops``. Functions with no derivative (comparisons, argmax) compute directly.
The table at the end makes most of them ``Tensor`` methods too.
"""
import builtins
import functools
import numbers

import numpy as np

from . import _args
from . import _device
from . import _dtype
from . import _grad_mode
from ._graph import apply
from ._tensor import Tensor, _wrap_dim, as_operand, warn_once


def _op(name):
    return OPS[name]  # the registry, bound at the end of this module


def _new(data):
    return Tensor._make(data)


def _check_broadcast(a, b):
    _broadcast_shape(np.shape(a._data if isinstance(a, Tensor) else a),
                     np.shape(b._data if isinstance(b, Tensor) else b))


def _check_operand(other, who):
    """PyTorch's TypeError for a second operand that is neither a tensor nor a number."""
    if not isinstance(other, (Tensor, numbers.Number, np.generic)):
        _check_tensor(other, who, "other", 2)


def _broadcast_shape(sa, sb):
    """The shape ``sa`` and ``sb`` broadcast to (PyTorch's error at the last mismatch)."""
    n = builtins.max(len(sa), len(sb))
    out = []
    for i in range(1, n + 1):
        a = sa[-i] if i <= len(sa) else 1
        b = sb[-i] if i <= len(sb) else 1
        if a != b and a != 1 and b != 1:
            raise RuntimeError(f"The size of tensor a ({a}) must match the size of tensor b "
                               f"({b}) at non-singleton dimension {n - i}")
        out.append(a if b == 1 else b)
    return tuple(reversed(out))


def _binary(name, a, b):
    if isinstance(b, Tensor):
        if b._data.shape != a._data.shape and b._data.ndim:  # a 0-d tensor broadcasts to any
            _check_broadcast(a, b)
    elif not isinstance(b, (numbers.Number, np.ndarray, np.generic)):
        return NotImplemented
    elif isinstance(b, np.ndarray):
        _check_broadcast(a, b)
    if name == "sub":
        _check_sub(a, b)
    return apply(OPS[name], a, b)


class _AllDims:
    """The default ``dim`` of the reductions whose PyTorch overloads take no ``dim=None``:
    every dimension (an explicit None is refused, as there)."""

    def __repr__(self):
        return "<all dims>"


ALL_DIMS = _AllDims()


def _dim_given(dim, who):
    """None for the default (every dim); PyTorch's TypeError for an explicit None."""
    if dim is ALL_DIMS:
        return None
    if dim is None:
        raise TypeError(f"{who}() received an invalid combination of arguments - got (NoneType), "
                        "but expected one of:\n * ()\n * (int dim, bool keepdim = False)\n")
    return dim


def _dims(dim, ndim):
    """A reduction's dims as a sorted tuple of non-negative ints (None: every axis)."""
    if dim is None:
        return None
    if not isinstance(dim, (tuple, list)):
        dim = (_args.dim_type(dim),)
    dims = tuple(dim)
    wrapped = [_wrap_dim(d, ndim) for d in dims]
    for k, d in enumerate(wrapped):
        if d in wrapped[:k]:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    if ndim == 0 and wrapped:
        return ()  # dim 0 of a 0-d tensor: nothing to reduce
    out = tuple(sorted(wrapped))
    return out if out else None


# ---- arithmetic ----------------------------------------------------------------------------
def add(input, other, *, alpha=1):
    """input + alpha·other, broadcasting."""
    _check_operand(other, "add")
    if not (type(alpha) is int and alpha == 1):
        alpha = _args.number_arg(alpha, "alpha", "add", tensor=False)
    _check_broadcast(input, other)
    return apply(_op("add"), input, other, alpha=alpha)


def _check_sub(a, b):
    """PyTorch refuses ``-`` on bool tensors (and Python bools)."""
    bools = [as_operand(x)._data.dtype == np.bool_ for x in (a, b)]
    if bools[0] and bools[1]:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if bools[0] or bools[1]:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


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


def sign_forward(x):
    """sign(x): −1, 0 or 1; 0 for NaN, and a bool stays itself (as PyTorch computes it)."""
    if x.dtype == np.bool_:
        return x.copy()
    out = np.sign(x)
    if x.dtype.kind == "f":
        out = np.where(np.isnan(x), x.dtype.type(0), out)
    return out


def power(x, y):
    """x ** y elementwise; an integer to a negative integer power is 0 unless |x| = 1, as
    PyTorch computes it (numpy refuses)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "iub" and y.dtype.kind in "iu" and (y < 0).any():
        dtype = np.result_type(x, y)
        odd = (y % 2).astype(bool)
        negative = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0))
        return np.where(y < 0, negative, np.power(x, np.maximum(y, 0))).astype(dtype)
    return np.power(x, y)


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


def _check_tensor(x, who, arg="input", position=1):
    """PyTorch's TypeError for a non-tensor where its function wants a tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{_args.type_name(x)}")


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
    def fn(input):
        _check_tensor(input, name)
        _check_bool_kernel(input, name)
        return apply(_op(name), input)
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


# ---- reductions ----------------------------------------------------------------------------
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


def _type_word(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[t.dtype.name]


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
    dtype = _args.dtype_arg(dtype, "softmax")
    if dtype is not None:
        input = to(input, dtype)
    _check_softmax_dtype(input, _wrap_dim(dim, input.ndim), "softmax")
    return apply(_op("softmax"), input, dim=_wrap_dim(dim, input.ndim))


def log_softmax(input, dim, dtype=None):
    """log(softmax(input)) along ``dim``, computed stably."""
    dtype = _args.dtype_arg(dtype, "log_softmax")
    if dtype is not None:
        input = to(input, dtype)
    _check_softmax_dtype(input, _wrap_dim(dim, input.ndim), "log_softmax")
    return apply(_op("log_softmax"), input, dim=_wrap_dim(dim, input.ndim))


# ---- linear algebra ------------------------------------------------------------------------
def _same_dtype(a, b, who):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{who} : expected both vectors to have same dtype, but found "
                           f"{_type_word(a)} and {_type_word(b)}")


_C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
            "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
            "bool": "bool"}  # the C++ type names some of PyTorch's messages print


def dot(input, other):
    """Σᵢ inputᵢ·otherᵢ of two 1-D tensors."""
    _check_tensor(other, "dot", "other", 2)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    _same_dtype(input, other, "dot")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    if input.dtype.name == "bool":
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    return apply(_op("dot"), input, other)


def mv(input, vec):
    """Matrix (m, n) times vector (n,) -> (m,)."""
    _check_tensor(vec, "mv", "vec", 2)
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError("vector + matrix @ vector expected, got 1, "
                           f"{input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat "
                           f"({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    if input.dtype is not vec.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_type_word(vec)}, {_type_word(input)}, and {_type_word(vec)}")
    return apply(_op("mv"), input, vec)


def mm(input, mat2):
    """Matrix product (m, k) @ (k, n) -> (m, n); vjp: gA = g Bᵀ, gB = Aᵀ g."""
    _check_tensor(mat2, "mm", "mat2", 2)
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'self' if input.ndim != 2 else 'mat2'} must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x"
                           f"{input.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_C_NAMES[input.dtype.name]} != {_C_NAMES[mat2.dtype.name]}")
    return apply(_op("mm"), input, mat2)


def _bmm(input, mat2):
    """Batched matrix product (b, n, m) @ (b, m, p) -> (b, n, p)."""
    b, m = input.shape[0], input.shape[2]
    if mat2.shape[0] != b or mat2.shape[1] != m:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {m}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"expected scalar type {_type_word(input)} but found "
                           f"{_type_word(mat2)}")
    return apply(_op("bmm"), input, mat2)


def _should_fold(input, other):
    """PyTorch's choice of folding the batch of the larger operand into one matrix (mm/mv)."""
    larger = input.ndim >= other.ndim
    big = input._data if larger else np.swapaxes(other._data, -1, -2)
    if not (big.ndim >= 3 and (other.ndim if larger else input.ndim) <= 2):
        return False
    if (other if larger else input).requires_grad:
        return True  # so that the small operand's gradient is one mm, not a batch summed up
    if input.ndim == 2:
        return False
    if big.size == 0:
        return True
    strides, shape = big.strides, big.shape
    return builtins.all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def matmul(input, other):
    """The ``@`` product, as PyTorch's: dot (1-D, 1-D), mv, mm, or for more dimensions the
    batch dimensions broadcast and folded into one mm/mv or a batched product."""
    _check_tensor(input, "matmul")
    _check_tensor(other, "matmul", "other", 2)
    a, b = input.ndim, other.ndim
    if a == 0 or b == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a}D "
                           f"and {b}D")
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        return apply(_op("squeeze"), mm(input.unsqueeze(0), other), dims=(0,), variant=4)
    if a == 2 and b == 2:
        return mm(input, other)
    if _should_fold(input, other):
        transpose = b > a
        t1 = other.mT if transpose else input
        t2 = (input.t() if a == 2 else input) if transpose else other
        shape = tuple(t1.shape[:-1])
        folded = t1.reshape(int(np.prod(shape, dtype=np.int64)), t1.shape[-1])
        if t2.ndim == 1:
            return apply(_op("unsafe_view"), mv(folded, t2), shape=shape)
        out = apply(_op("unsafe_view"), mm(folded, t2), shape=shape + (t2.shape[1],))
        return contiguous(out.mT) if transpose else out  # PyTorch: output.mT().contiguous()
    n = input.shape[-2] if a > 1 else 1
    m1, batch1 = input.shape[-1], tuple(input.shape[:builtins.max(a - 2, 0)])
    m2 = other.shape[-2] if b > 1 else other.shape[0]
    p, batch2 = (other.shape[-1] if b > 1 else 1), tuple(other.shape[:builtins.max(b - 2, 0)])
    if a == 3 and b == 3 and batch1[0] != batch2[0]:  # a batch of one is folded instead
        if batch1[0] == 1 and input.requires_grad:
            return matmul(input.squeeze(0), other)
        if batch2[0] == 1 and other.requires_grad:
            return matmul(input, other.squeeze(0))
    batch = _broadcast_shape(batch1, batch2)
    count = int(np.prod(batch, dtype=np.int64))
    x = input.expand(batch + (n, m1)).reshape(count, n, m1)
    if b == 1:
        y = other.expand(batch + (m2,)).reshape(count, m2).unsqueeze(2)
    else:
        y = other.expand(batch + (m2, p)).reshape(count, m2, p)
    out = _bmm(x, y)
    if b == 1:
        out = out.squeeze(-1)
    shape = batch + ((n,) if a > 1 else ()) + ((p,) if b > 1 else ())
    return apply(_op("unsafe_view"), out, shape=shape)


@_args.tensors("vec2")
def outer(input, vec2):
    """Outer product (m,) ⊗ (n,) -> (m, n)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.reshape(input.shape[0], 1) * vec2  # PyTorch's: a view, then a product


# ---- shapes --------------------------------------------------------------------------------
def _shape_arg(shape, who, name="size"):
    return _args.size_arg(shape, who, name)


def _infer_shape(shape, numel):
    for i, s in enumerate(shape):
        if s < -1:
            raise RuntimeError(f"invalid shape dimension {s} at index {i} of shape "
                               f"[{', '.join(map(str, shape))}]")
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
        if known == 0 and numel == 0:
            raise RuntimeError(f"cannot reshape tensor of 0 elements into shape "
                               f"[{', '.join(map(str, shape))}] because the unspecified dimension "
                               "size -1 can be any value and is ambiguous")
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of "
                               f"size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    elif known != numel:
        raise RuntimeError(f"shape '[{', '.join(map(str, shape))}]' is invalid for input of size "
                           f"{numel}")
    return shape


def reshape(input, *shape):
    """The same elements in a new shape (one dimension may be -1)."""
    shape = _infer_shape(_shape_arg(shape, "reshape", "shape"), input.numel())
    if input.numel() and not np.may_share_memory(input._data.reshape(shape), input._data):
        return apply(_op("unsafe_view"), clone(input), shape=shape)  # a copy, as PyTorch's
    return apply(_op("view"), input, shape=shape)


def contiguous(input, memory_format=None):
    """input itself when its elements are laid out in row-major order, else a copy (a clone)."""
    return input if input._data.flags.c_contiguous else clone(input)


def view(input, *shape):
    """Like reshape, but only where no copy is needed (PyTorch's error otherwise)."""
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        raise NotImplementedError("view(dtype) is not supported by minigrad")
    shape = _infer_shape(_shape_arg(shape, "view"), input.numel())
    if input.numel() and not np.may_share_memory(input._data.reshape(shape), input._data):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return apply(_op("view"), input, shape=shape)


@_args.tensors("other")
def view_as(input, other):
    return view(input, other.shape)


@_args.tensors("other")
def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Dimensions start_dim..end_dim merged into one."""
    s, e = _wrap_dim(start_dim, input.ndim), _wrap_dim(end_dim, input.ndim)
    if input.ndim == 0:
        return reshape(input, 1)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return input
    shape = input.shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, tuple(shape[:s]) + (n,) + tuple(shape[e + 1:]))


def expand(input, *sizes):
    """A broadcast view to ``sizes`` (-1 keeps a dimension)."""
    sizes = _shape_arg(sizes, "expand")
    return apply(_op("expand"), input, shape=expanded_shape(input, sizes))


def expanded_shape(input, sizes):
    """The shape ``input`` expands to for ``sizes`` (-1 keeps a dimension; PyTorch's errors)."""
    if len(sizes) < input.ndim:
        raise RuntimeError(f"expand(torch.{input.dtype.legacy}{{[{', '.join(map(str, input.shape))}"
                           f"]}}, size=[{', '.join(map(str, sizes))}]): the number of sizes "
                           "provided (" + str(len(sizes)) + ") must be greater or equal to the "
                           "number of dimensions in the tensor (" + str(input.ndim) + ")")
    lead = len(sizes) - input.ndim
    target = []
    for i, s in enumerate(sizes):
        have = input.shape[i - lead] if i >= lead else None
        if s == -1:
            if have is None:
                raise RuntimeError("The expanded size of the tensor (-1) isn't allowed in a "
                                   "leading, non-existing dimension " + str(i))
            s = have
        elif have is not None and have != s and have != 1:
            raise RuntimeError(f"The expanded size of the tensor ({s}) must match the existing "
                               f"size ({have}) at non-singleton dimension {i}.  Target sizes: "
                               f"[{', '.join(map(str, sizes))}].  Tensor sizes: "
                               f"[{', '.join(map(str, input.shape))}]")
        target.append(s)
    return tuple(target)


@_args.tensors("other")
def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    return expand(input, shape)


def permute(input, *dims):
    """Axes reordered: output axis i is input axis dims[i]."""
    dims = _shape_arg(dims, "permute", "dims")
    if len(dims) != input.ndim:
        raise RuntimeError("permute(sparse_coo): number of dimensions in the tensor input does "
                           "not match the length of the desired ordering of dimensions i.e. "
                           f"input.dim() = {input.ndim} is not equal to len(dims) = {len(dims)}")
    dims = tuple(_wrap_dim(d, input.ndim) for d in dims)
    if len(set(dims)) != len(dims):
        raise RuntimeError("permute(): duplicate dims are not allowed.")
    return apply(_op("permute"), input, dims=dims)


def transpose(input, dim0, dim1):
    """Axes dim0 and dim1 swapped."""
    d0, d1 = _wrap_dim(dim0, input.ndim), _wrap_dim(dim1, input.ndim)
    dims = list(range(input.ndim))
    if dims:  # a 0-d tensor's only "dimension" swaps with itself
        dims[d0], dims[d1] = dims[d1], dims[d0]
    return apply(_op("permute"), input, dims=tuple(dims), via="transpose")


swapaxes = transpose


def t(input):
    """Transpose of a matrix (a 0-D or 1-D tensor is returned as is)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    return apply(_op("permute"), input, dims=(1, 0) if input.ndim == 2 else tuple(
        range(input.ndim)), via="t")  # a view even for 0-D and 1-D (TBackward0)


def _T(input):
    if input.ndim == 0:
        warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in these "
                  "cases.")
    elif input.ndim != 2:
        warn_once("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
                  "deprecated and it will throw an error in a future release. Consider `x.mT` to "
                  "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
                  "to reverse the dimensions of a tensor.")
    return apply(_op("permute"), input, dims=tuple(reversed(range(input.ndim))))


def squeeze(input, dim=ALL_DIMS):
    """Size-1 dimensions removed (all of them, or only those in ``dim``)."""
    if _dim_given(dim, "squeeze") is None:
        dims, variant = tuple(i for i, s in enumerate(input.shape) if s == 1), 0
    else:
        variant = 2 if isinstance(dim, (tuple, list)) else 1
        dims = tuple(_wrap_dim(d, input.ndim) for d in ((dim,) if variant == 1 else dim))
        dims = tuple(d for d in dims if input.ndim and input.shape[d] == 1)
    return apply(_op("squeeze"), input, dims=dims, variant=variant)


def unsqueeze(input, dim):
    """A size-1 dimension inserted at ``dim``."""
    return apply(_op("unsqueeze"), input, dim=_wrap_dim(dim, input.ndim + 1))


def _tensor_list(tensors, who):
    """The tensors of a list or tuple argument (PyTorch's TypeErrors for anything else)."""
    if not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{who}(): argument 'tensors' (position 1) must be tuple of Tensors, not "
                        f"{_args.type_name(tensors)}")
    for k, t in enumerate(tensors):
        if not isinstance(t, Tensor):
            raise TypeError(f"expected Tensor as element {k} in argument 0, but got "
                            f"{_args.type_name(t)}")
    return list(tensors)


def cat(tensors, dim=0):
    """Tensors joined along an existing dimension."""
    tensors = _tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for k, t in enumerate(tensors):
        if t.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {k}) cannot be concatenated")
    ref = tensors[0]
    d = _wrap_dim(dim, ref.ndim)
    for k, t in enumerate(tensors):
        if t.ndim != ref.ndim:
            raise RuntimeError(f"Tensors must have same number of dimensions: got {ref.ndim} and "
                               f"{t.ndim}")
        for i in range(ref.ndim):
            if i != d and t.shape[i] != ref.shape[i]:
                raise RuntimeError(f"Sizes of tensors must match except in dimension {d}. "
                                   f"Expected size {ref.shape[i]} but got size {t.shape[i]} for "
                                   f"tensor number {k} in the list.")
    return apply(_op("cat"), *tensors, dim=d)


concat = concatenate = cat


def stack(tensors, dim=0):
    """Tensors of one shape joined along a new dimension."""
    tensors = _tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for k, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, tensors[0].shape))}] at entry 0 and "
                               f"[{', '.join(map(str, t.shape))}] at entry {k}")
    return apply(_op("stack"), *tensors, dim=_wrap_dim(dim, tensors[0].ndim + 1))


def meshgrid(*tensors, indexing=None):
    """Grids of coordinates from 1-D tensors: each expanded along its own axis ('ij'), or with
    the first two axes swapped ('xy')."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tensors[0]
    tensors = _tensor_list(tensors, "meshgrid")
    if indexing is not None and not isinstance(indexing, str):
        raise TypeError(f"meshgrid(): argument 'indexing' must be str, not "
                        f"{_args.type_name(indexing)}")
    if indexing is None:
        warn_once("torch.meshgrid: in an upcoming release, it will be required to pass the "
                  "indexing argument.")
        indexing = "ij"
    if indexing not in ("xy", "ij"):
        raise RuntimeError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: '
                           f"{indexing}")
    for t in tensors:
        if t.ndim > 1:
            raise RuntimeError("torch.meshgrid: Expected 0D or 1D tensor in the tensor list but "
                               f"got: {t}")
        if t.dtype is not tensors[0].dtype:
            raise RuntimeError("meshgrid expects all tensors to have the same dtype")
    axes = list(range(len(tensors)))
    if indexing == "xy" and len(tensors) > 1:
        axes[0], axes[1] = 1, 0
    shape = [0] * len(tensors)
    for t, axis in zip(tensors, axes):
        shape[axis] = t.numel()
    grids = []
    for t, axis in zip(tensors, axes):
        one_axis = [1] * len(tensors)
        one_axis[axis] = t.numel()
        grids.append(t.reshape(one_axis).expand(shape))
    return tuple(grids)


def select(input, dim, index):
    """input[..., index, ...] at dimension ``dim``."""
    d = _wrap_dim(dim, input.ndim)
    index = _args.int_arg(index, "index", "select", 3)
    if input.ndim == 0:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    size = input.shape[d]
    if not -size <= index < size:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"[{', '.join(map(str, input.shape))}] at dimension {d}")
    return input[(slice(None),) * d + (index,)]


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple."""
    if input.ndim == 0 and dim in (0, -1):
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, input.ndim)
    return tuple(apply(_op("index"), input, key=(slice(None),) * d + (i,), name="UnbindBackward0")
                 for i in range(input.shape[d]))


def split(input, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (or of the listed sizes)."""
    if input.ndim == 0:
        raise RuntimeError("split expects at least a 1-dimensional tensor")
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    name = "SplitWithSizesBackward0"
    if not isinstance(split_size_or_sections, (tuple, list)):
        split_size_or_sections = _args.int_arg(split_size_or_sections, "split_size", "split", 2)
    if isinstance(split_size_or_sections, int):
        step, name = split_size_or_sections, "SplitBackward0"
        if step < 0:
            raise RuntimeError(f"split expects split_size be non-negative, but got split_size="
                               f"{step}")
        if step == 0 and n:
            raise RuntimeError("split_size can only be 0 if dimension size is 0, but got "
                               f"dimension size of {n}")
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] if n else [0]
    else:
        sizes = list(_args.size_arg((split_size_or_sections,), "split_with_sizes",
                                    "split_sizes"))
        if builtins.any(s < 0 for s in sizes):
            raise RuntimeError(f"split_with_sizes expects split_sizes have only non-negative "
                               f"entries, but got split_sizes={sizes}")
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(apply(_op("index"), input, key=(slice(None),) * d + (slice(start, start + s),),
                         name=name))
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size (the last may be smaller)."""
    chunks = _args.int_arg(chunks, "chunks", "chunk", 1)
    if input.ndim == 0:
        raise RuntimeError("chunk expects at least a 1-dimensional tensor")
    if chunks <= 0:
        raise RuntimeError(f"chunk expects `chunks` to be greater than 0, got: {chunks}")
    n = input.shape[_wrap_dim(dim, input.ndim)]
    if n == 0:  # PyTorch gives ``chunks`` empty pieces here
        return split(input, [0] * chunks, dim)
    return split(input, -(-n // chunks), dim)


# ---- indexing ------------------------------------------------------------------------------
_INDEX_TYPES = ("only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables "
                "are valid indices (got {})")


def _index_item(item):
    """One entry of an indexing key, normalised: int, slice, None, Ellipsis or an index array."""
    if isinstance(item, Tensor):
        if item.ndim == 0 and item._data.dtype.kind in "iu":
            return int(item._data)  # a 0-d integer tensor indexes like an int
        item = item._data
    elif isinstance(item, list):
        item = np.asarray(item)
    elif isinstance(item, (bool, np.bool_)):
        item = np.asarray(item)
    elif isinstance(item, str):
        raise TypeError("new(): invalid data type 'str'")
    if isinstance(item, np.ndarray):
        if item.dtype.kind not in "iub":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return item
    if item is None or item is Ellipsis or isinstance(item, slice):
        if isinstance(item, slice) and item.step is not None and item.step <= 0:
            raise ValueError("step must be greater than zero" if item.step < 0 else
                             "slice step cannot be zero")
        return item
    if isinstance(item, (int, np.integer)):
        return int(item)
    raise IndexError(_INDEX_TYPES.format(type(item).__name__))


def _consumed(item):
    """How many of the indexed tensor's dimensions an entry uses up."""
    if isinstance(item, np.ndarray):
        return item.ndim if item.dtype == np.bool_ else 1
    return 0 if item is None or item is Ellipsis else 1


def _index_key(key, shape):
    """A numpy key for ``key`` and PyTorch's grad_fn name for indexing with it (PyTorch's errors
    for bounds, mask shapes and 0-dim tensors included)."""
    items = [_index_item(i) for i in (key if isinstance(key, tuple) else (key,))]
    used = builtins.sum(_consumed(i) for i in items)
    if used > len(shape):
        if not shape and builtins.any(isinstance(i, (int, slice)) for i in items):
            kind = next(i for i in items if isinstance(i, (int, slice)))
            raise IndexError("slice() cannot be applied to a 0-dim tensor." if isinstance(
                kind, slice) else "invalid index of a 0-dim tensor. Use `tensor.item()` in Python "
                "or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    kinds, basic, arrays, dim, pos = [], [], [], 0, 0  # dim: in the input; pos: in the sliced
    for item in items:
        if isinstance(item, np.ndarray):
            kinds.append("index")
            if item.ndim == 0:  # a bool scalar adds a dimension, like None
                basic.append(None)
            else:
                basic.extend([slice(None)] * _consumed(item))
            arrays.append((item, pos))
            pos += builtins.max(_consumed(item), 1)
            dim += _consumed(item)
        elif item is None:
            kinds.append("unsqueeze")
            basic.append(None)
            pos += 1
        elif item is Ellipsis:
            kinds.append("ellipsis")
            basic.append(Ellipsis)
            dim += len(shape) - used
            pos += len(shape) - used
        elif isinstance(item, slice):
            full = item.indices(shape[dim]) == (0, shape[dim], 1)
            kinds.append("full" if full else "slice")
            basic.append(item)
            dim += 1
            pos += 1
        else:
            size = shape[dim]
            if not -size <= item < size:
                raise IndexError(f"index {item} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            kinds.append("select")
            basic.append(item)
            dim += 1
    if arrays:
        _check_index_arrays(arrays, np.broadcast_to(np.empty((), np.int8), shape)[
            tuple(basic)].shape)
        if "select" in kinds:
            return _select_first(items, shape), "IndexBackward0"
        name = "IndexBackward0"
    elif isinstance(key, slice):
        name = "SliceBackward0"  # a lone slice is always applied, even a full one
    else:
        last = [k for k in kinds if k not in ("full", "ellipsis")]
        name = {"select": "SelectBackward0", "slice": "SliceBackward0",
                "unsqueeze": "UnsqueezeBackward0"}.get(last[-1] if last else "", "AliasBackward0")
    return tuple(items), name


def _select_first(items, shape):
    """A numpy key for PyTorch's meaning of ints mixed with index arrays: the ints select first,
    then the arrays index what is left (numpy would move the result's dimensions elsewhere).
    Returned as one integer array per dimension: the flat positions, unravelled."""
    first, then = [], []
    for item in items:
        if isinstance(item, np.ndarray):
            if item.ndim == 0:  # a bool scalar: a new dimension, kept (True) or emptied (False)
                first.append(None)
                then.append(slice(None) if item else slice(0, 0))
            else:
                first.extend([slice(None)] * _consumed(item))
                then.append(item)
        elif isinstance(item, int):
            first.append(item)
        else:
            first.append(item)
            then.append(slice(None) if item is not Ellipsis else Ellipsis)
    flat = np.arange(int(np.prod(shape, dtype=np.int64)), dtype=np.int64).reshape(shape)
    return np.unravel_index(flat[tuple(first)][tuple(then)], shape)


def _check_index_arrays(arrays, sliced):
    """PyTorch's checks of index tensors: mask shapes, broadcasting, bounds (in element order)."""
    indices = []  # (index array, size of the dimension it indexes), masks as their nonzero()
    for item, pos in arrays:
        if item.ndim == 0:
            continue  # a bool scalar: nothing to check
        if item.dtype == np.bool_:
            for k, n in enumerate(item.shape):
                if n != sliced[pos + k]:
                    raise IndexError(
                        f"The shape of the mask [{', '.join(map(str, item.shape))}] at index {k} "
                        f"does not match the shape of the indexed tensor "
                        f"[{', '.join(map(str, sliced))}] at index {pos + k}")
            indices.extend((i, sliced[pos + k]) for k, i in enumerate(np.nonzero(item)))
        else:
            indices.append((item, sliced[pos]))
    if not indices:
        return
    try:
        np.broadcast_shapes(*[i.shape for i, _ in indices])
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together with "
                         "shapes " + ", ".join(f"[{', '.join(map(str, i.shape))}]"
                                               for i, _ in indices)) from None
    if builtins.all(i.size == 0 or (i.min() >= -n and i.max() < n) for i, n in indices):
        return  # the usual case; else find the first bad index in element order, as PyTorch
    broadcast = np.broadcast_arrays(*[i for i, _ in indices])
    bad = np.stack([(b < -n) | (b >= n) for b, (_, n) in zip(broadcast, indices)]).reshape(
        len(indices), -1)
    if bad.any():
        element = int(np.argmax(bad.any(axis=0)))
        which = int(np.argmax(bad[:, element]))
        value = broadcast[which].reshape(-1)[element]
        raise IndexError(f"index {value} is out of bounds for dimension {which} with size "
                         f"{indices[which][1]}")


def getitem(input, key):
    """input[key]: ints, slices, None, ..., integer or boolean tensors (repeats accumulate)."""
    npkey, name = _index_key(key, input.shape)
    return apply(_op("index"), input, key=npkey, name=name)


def setitem(input, key, value):
    """input[key] = value, in place (recorded in the graph when it requires grad)."""
    npkey, name = _index_key(key, input.shape)
    # PyTorch first takes the view that ints, None and partial slices make, then writes into it
    views_first = not isinstance(key, slice) and builtins.any(
        isinstance(i, int) or i is None or isinstance(i, slice) and i != slice(None)
        for i in (_index_item(k) for k in (key if isinstance(key, tuple) else (key,))))
    if _grad_mode._enabled and input._requires_grad and input.grad_fn is None and views_first:
        raise RuntimeError("a view of a leaf Variable that requires grad is being used in an "
                           "in-place operation.")
    target = index_forward(input._data, npkey).shape
    vshape = np.shape(value._data if isinstance(value, Tensor) else value)
    if name == "IndexBackward0":
        if _broadcastable(vshape, target) is None:
            raise RuntimeError(f"shape mismatch: value tensor of shape [{', '.join(map(str, vshape))}"
                               f"] cannot be broadcast to indexing result of shape "
                               f"[{', '.join(map(str, target))}]")
    elif isinstance(value, Tensor):
        fit = value.detach()
        while fit.ndim > len(target) and fit.shape[0] == 1:
            fit = fit.squeeze(0)  # leading ones are dropped, as PyTorch's copy_to does
        expand(fit, target)  # PyTorch's errors for values that do not fit
    name = "IndexPutBackward0" if name == "IndexBackward0" and not views_first else "CopySlices"
    _inplace(input, _op("index_put"), value, key=npkey, name=name)


def _broadcastable(sa, sb):
    """The broadcast of ``sa`` to ``sb`` (None when it does not fit)."""
    try:
        return np.broadcast_shapes(sa, sb) == tuple(sb) or None
    except ValueError:
        return None


def index_forward(x, key):
    """x[key] as an array: one selected element stays a 0-d view (numpy would copy a scalar)."""
    out = x[key]
    return out if isinstance(out, np.ndarray) else x[key + (Ellipsis,)]


def index_scatter(g, shape, key):
    """The VJP of indexing: g placed into zeros of ``shape`` at ``key`` (+= on repeats)."""
    return apply(_op("index_scatter"), g, shape=shape, key=key)


def scatter_forward(x, shape, key):
    out = np.zeros(shape, dtype=x.dtype)
    np.add.at(out, key, x)
    return out


def index_put_forward(x, v, key):
    out = x.copy()
    out[key] = v
    return out


def mask_out(g, key):
    """g with zeros at ``key`` (what flows to a tensor whose entries were overwritten)."""
    keep = np.ones(g.shape, dtype=bool)
    keep[key] = False
    return g * _new(keep)


def split_blocks(g, shapes, dim):
    """g cut along ``dim`` into blocks of the given shapes (the VJP of cat)."""
    out, start = [], 0
    for s in shapes:
        out.append(g[(slice(None),) * dim + (slice(start, start + s[dim]),)])
        start += s[dim]
    return tuple(out)


# ---- helpers of the VJPs in ops (tensor code, so create_graph can differentiate them) -----
def prod_others(x, out, dim, keepdim):
    """Πⱼ≠ᵢ xⱼ along the reduced dims, for every i (exact even where x has zeros)."""
    if not (x._data == 0).any():
        from .ops import _unreduce
        return _unreduce(out, x.shape, dim, keepdim) / x
    if dim is None:
        return prod_others(x.reshape(-1), None, (0,), False).reshape(x.shape)
    d = dim[0]
    n = x.shape[d]
    eye = np.eye(n, dtype=bool).reshape((n,) + (1,) * d + (n,) + (1,) * (x.ndim - d - 1))
    others = where(_new(eye), 1.0, x.unsqueeze(0)).prod(d + 1)  # (n, ...) with axis d removed
    return others.permute(tuple(range(1, d + 1)) + (0,) + tuple(range(d + 1, x.ndim)))


def evenly_distribute(g, x, out, dim, keepdim):
    """max/min's VJP: the gradient shared equally by the elements equal to the extremum."""
    from .ops import _unreduce
    mask = (x == _unreduce(out, x.shape, dim, keepdim).detach())
    count = mask.sum(dim, keepdim=True) if dim is not None else mask.sum()
    return _unreduce(g, x.shape, dim, keepdim) * mask / count


def pick_along(x, dim, keepdim, indices):
    """x's elements at ``indices`` along ``dim`` (max/min along a dim; a 0-d x is its value)."""
    if x.ndim == 0:
        return x.copy()
    return np.take_along_axis(x, indices if keepdim else np.expand_dims(indices, dim),
                              dim).reshape(indices.shape)


def scatter_onehot(g, shape, dim, keepdim, indices):
    """max/min-along-dim's VJP: g placed at the arg-extremum of each slice."""
    if not shape:
        return g
    idx = indices if keepdim else np.expand_dims(indices, dim)
    onehot = np.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1)) == idx
    if not keepdim:
        g = g.unsqueeze(dim)
    return g * _new(onehot)


def clamp_bound_vjp(g, x, bound, which):
    """clamp with one tensor bound: z̄ to x where x is kept, to the bound where it is taken."""
    kept = x >= bound if which == "min" else x <= bound
    return where(kept, g, 0.0), where(kept, 0.0, g)


def clamp_bounds_vjp(g, x, low, high):
    """clamp with tensor bounds (PyTorch's rule: where low > high the result is high)."""
    return (where((x >= low) & (x <= high), g, 0.0), where((x < low) & (low < high), g, 0.0),
            where((x > high) | (high < low), g, 0.0))


def vector_norm_forward(x, p, dim, keepdim):
    a = np.abs(x)
    if p == float("inf"):
        return np.max(a, axis=dim, keepdims=keepdim)
    if p == -float("inf"):
        return np.min(a, axis=dim, keepdims=keepdim)
    if p == 0:  # the number of nonzero elements
        return np.sum(a != 0, axis=dim, keepdims=keepdim).astype(x.dtype)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
    if p == 1:
        return np.sum(a, axis=dim, keepdims=keepdim)
    return np.power(np.sum(np.power(a, p), axis=dim, keepdims=keepdim), 1.0 / p).astype(x.dtype)


def vector_norm_vjp(g, x, out, p, dim, keepdim):
    """x̄ = z̄·sign(x)·|x|ᵖ⁻¹ / zᵖ⁻¹ (0 where the norm is 0), as PyTorch's norm_backward."""
    from .ops import _unreduce
    g = _unreduce(g, x.shape, dim, keepdim)
    z = _unreduce(out, x.shape, dim, keepdim)
    if p == 1:
        return g * x.sign()
    if p == 0:
        return g * 0.0
    if p in (float("inf"), -float("inf")):  # the gradient is shared by the elements of largest |x|
        peak = x.abs() == z.detach()
        count = peak.sum(dim, keepdim=True) if dim is not None else peak.sum()
        return g * x.sign() * peak / count
    safe = where(z == 0, 1.0, z)  # no 0/0 warning: where the norm is 0 the gradient is 0
    if p == 2:
        return where(z == 0, 0.0, g * x / safe)
    return where(z == 0, 0.0, g * x * x.abs() ** (p - 2) / safe ** (p - 1))


def logsumexp_forward(x, dim, keepdim):
    m = np.max(x, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def softmax_forward(x, dim):
    if x.size == 0:
        return x.copy()
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def log_softmax_forward(x, dim):
    if x.size == 0:
        return x.copy()
    shifted = x - np.max(x, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


# ---- functions without derivatives ---------------------------------------------------------
def _array(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


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


def _check_integer_division(input, other):
    a, b = as_operand(input), as_operand(other)
    if not _dtype.result_type(a, b).is_floating_point and (b._data == 0).any():
        raise RuntimeError("ZeroDivisionError")


def rounded_divide(x, y, mode):
    """x / y rounded down ("floor") or toward zero ("trunc"), in the inputs' dtype."""
    if mode == "floor":
        return np.floor_divide(x, y)
    q = np.trunc(np.true_divide(x, y))
    return q if x.dtype.kind == "f" else q.astype(x.dtype)


def floor_divide(input, other):
    """⌊input / other⌋ elementwise (no gradient)."""
    return _rounded_division(np.floor_divide, input, other)


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


# ---- in place ------------------------------------------------------------------------------
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


def expand_view(x, shape):
    """x broadcast to ``shape`` as a view that can be written where x can (PyTorch's expanded
    tensors are writable; in-place ops other than fill_, zero_ and setitem refuse them)."""
    lead = len(shape) - x.ndim
    strides = (0,) * lead + tuple(0 if n == 1 and s != 1 else st for n, s, st in zip(
        x.shape, shape[lead:], x.strides))
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)


# ---- the Tensor methods and operators --------------------------------------------------------
def _operator(fn):
    """``fn`` as a Python operator: NotImplemented for an operand it does not take (so that
    ``t == "a"`` is False, as in PyTorch, where ``t.eq("a")`` raises)."""
    def op(a, b):
        if not isinstance(b, (Tensor, numbers.Number, np.ndarray, np.generic)):
            return NotImplemented
        return fn(a, b)
    op.__name__ = f"__{fn.__name__}__"
    return op


def _install_methods():
    methods = dict(
        add=add, sub=sub, mul=mul, div=div, true_divide=true_divide, neg=neg, negative=neg, pow=pow,
        reciprocal=reciprocal, maximum=maximum, minimum=minimum, clamp=clamp, clip=clamp,
        exp=exp, log=log, sqrt=sqrt, rsqrt=rsqrt, abs=abs, sign=sign, sin=sin, cos=cos,
        tanh=tanh, sigmoid=sigmoid, relu=relu, square=square, clone=clone, to=to, type_as=type_as,
        sum=sum, mean=mean, prod=prod, max=max, min=min, amax=amax, amin=amin, argmax=argmax,
        argmin=argmin, norm=norm, logsumexp=logsumexp, softmax=softmax, log_softmax=log_softmax,
        dot=dot, mv=mv, mm=mm, matmul=matmul, outer=outer, reshape=reshape, view=view,
        view_as=view_as, reshape_as=reshape_as, flatten=flatten, expand=expand,
        expand_as=expand_as, broadcast_to=broadcast_to, permute=permute, transpose=transpose,
        swapaxes=transpose, t=t, squeeze=squeeze, unsqueeze=unsqueeze, select=select,
        unbind=unbind, split=split, chunk=chunk, where=lambda self, c, y: where(c, self, y),
        eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge, equal=equal, allclose=allclose,
        isclose=isclose, all=all, any=any, isnan=isnan, isinf=isinf, isfinite=isfinite,
        floor=floor, ceil=ceil, round=round, trunc=trunc, nonzero=nonzero,
        logical_not=logical_not, floor_divide=floor_divide, remainder=remainder,
        add_=add_, sub_=sub_, mul_=mul_, div_=div_, zero_=zero_, fill_=fill_, copy_=copy_,
        clamp_=clamp_, exp_=exp_, neg_=neg_, sqrt_=sqrt_, abs_=abs_, relu_=relu_, tanh_=tanh_,
        sigmoid_=sigmoid_, pow_=pow_,
        float=lambda self: to(self, _dtype.float32), double=lambda self: to(self, _dtype.float64),
        half=lambda self: to(self, _dtype.float16), long=lambda self: to(self, _dtype.int64),
        int=lambda self: to(self, _dtype.int32), bool=lambda self: to(self, _dtype.bool),
        cpu=lambda self: self, contiguous=contiguous,
        __add__=lambda a, b: _binary("add", a, b), __radd__=lambda a, b: _binary("add", a, b),
        __sub__=lambda a, b: _binary("sub", a, b),
        __rsub__=lambda a, b: rsub(a, b),
        __mul__=lambda a, b: _binary("mul", a, b), __rmul__=lambda a, b: _binary("mul", a, b),
        __truediv__=lambda a, b: _binary("div", a, b),
        __rtruediv__=lambda a, b: mul(reciprocal(a), b),
        __floordiv__=floor_divide, __rfloordiv__=lambda a, b: floor_divide(b, a),
        __mod__=remainder, __rmod__=lambda a, b: remainder(b, a),
        __pow__=lambda a, b: pow(a, b), __rpow__=lambda a, b: pow(b, a),
        __matmul__=lambda a, b: matmul(a, b) if isinstance(b, Tensor) else NotImplemented,
        __rmatmul__=lambda a, b: matmul(b, a) if isinstance(b, Tensor)
        else NotImplemented,
        __neg__=neg, __pos__=lambda a: a, __abs__=abs,
        __eq__=_operator(eq), __ne__=_operator(ne), __lt__=_operator(lt), __le__=_operator(le),
        __gt__=_operator(gt), __ge__=_operator(ge),
        __and__=bitwise_and, __or__=bitwise_or, __xor__=bitwise_xor, __invert__=bitwise_not,
        __rand__=bitwise_and, __ror__=bitwise_or, __rxor__=bitwise_xor,
        __getitem__=getitem, __setitem__=setitem,
        __iadd__=lambda a, b: add_(a, b), __isub__=lambda a, b: sub_(a, b),
        __imul__=lambda a, b: mul_(a, b), __itruediv__=lambda a, b: div_(a, b),
    )
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(_T)
    Tensor.mT = property(lambda self: transpose(self, -2, -1))


_install_methods()


_NUMBER_FIRST = ("add", "sub", "mul", "div", "true_divide")  # torch.add(2.0, t) is t's type


def _checks_input(fn):
    """``fn`` for the ``minigrad`` namespace: PyTorch's TypeError when ``input`` is not a tensor
    (a method's self always is one, so the methods above stay unwrapped)."""
    name = fn.__name__

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        input = args[0] if args else kwargs.get("input")
        if not isinstance(input, Tensor) and not (
                name in _NUMBER_FIRST and isinstance(input, (numbers.Number, np.generic))):
            if name == "split":  # torch.split is input.split(...): whatever that does
                return input.split(*args[1:], **kwargs)
            if name == "norm":  # torch.norm reads input.layout first
                getattr(input, "layout")
            _check_tensor(input, name)
        return fn(*args, **kwargs)
    return checked


def checked_namespace(namespace):
    """The functions of ``namespace`` (minigrad's) that come from this module and take ``input``
    first, wrapped to check it (``pow``, ``remainder``, ``floor_divide`` take a number first
    too). Only the namespace gets them: methods and the VJPs call the functions unwrapped."""
    import inspect
    wrapped = {}
    for name, fn in namespace.items():
        if name.startswith("_") or not inspect.isfunction(fn) or fn.__module__ != __name__ \
                or name in ("pow", "remainder", "floor_divide"):
            continue
        params = list(inspect.signature(fn).parameters)
        if params and params[0] == "input":
            wrapped[name] = _checks_input(fn)
    return wrapped

from .ops import OPS  # noqa: E402  (ops' VJPs call back into this module)
