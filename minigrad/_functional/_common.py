"""What the families of functions share: the registry lookup, PyTorch's argument checks and
errors (operands, broadcasting, dims, tensors), and the type names its messages print."""
import builtins
import numbers

import numpy as np

from .. import _args
from .._dtype import C_NAMES as _C_NAMES  # noqa: F401  (the package exports it)
from .._graph import apply
from ..ops import OPS
from .._tensor import Tensor, _wrap_dim, as_operand


def _op(name):
    """The registry's entry ``name``."""
    return OPS[name]


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


def _binary(name, a, b):
    """``a <op> b`` for the operators, ``a`` a tensor: PyTorch's checks, then the registry op."""
    kind = type(b)
    if kind is not float and kind is not int:  # a Python number needs no check
        if isinstance(b, Tensor):
            if b._data.shape != a._data.shape and b._data.ndim:  # a 0-d tensor broadcasts to any
                _check_broadcast(a, b)
        elif not isinstance(b, (numbers.Number, np.ndarray, np.generic)):
            return NotImplemented
        elif isinstance(b, np.ndarray):
            _check_broadcast(a, b)
        if name == "sub":
            _check_sub(a, b)
    elif name == "sub" and a._data.dtype == np.bool_:
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


def _check_tensor(x, who, arg="input", position=1):
    """PyTorch's TypeError for a non-tensor where its function wants a tensor."""
    if not isinstance(x, Tensor):
        raise TypeError(f"{who}(): argument '{arg}' (position {position}) must be Tensor, not "
                        f"{_args.type_name(x)}")


def _type_word(t):
    return {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long",
            "int32": "Int", "int16": "Short", "int8": "Char", "uint8": "Byte",
            "bool": "Bool"}[t.dtype.name]


def _array(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)
