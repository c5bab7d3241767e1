"""``out=``: the functions that write their result into a given tensor, as PyTorch's do.

The result is computed as usual, then copied into ``out`` (cast to its dtype where PyTorch
allows, resized to the result's shape); like PyTorch, this is refused while an argument requires
grad, since the copy cannot be differentiated.
"""
import functools
import warnings

import numpy as np

from . import _grad_mode
from ._dtype import from_numpy_dtype
from ._tensor import Tensor

# the top-level functions that take ``out=`` (PyTorch's names), wrapped by minigrad/__init__.py
OPS_WITH_OUT = (
    "abs", "add", "amax", "amin", "cat", "ceil", "clamp", "clip", "concat", "cos", "div", "dot",
    "eq", "exp", "floor", "floor_divide", "ge", "gt", "le", "log", "logsumexp", "lt", "matmul",
    "maximum", "mean", "minimum", "mm", "mul", "mv", "ne", "neg", "outer", "pow", "prod",
    "reciprocal", "remainder", "round", "rsqrt", "sigmoid", "sign", "sin", "sqrt", "square",
    "stack", "sub", "sum", "tanh", "true_divide", "trunc", "where")
FACTORIES_WITH_OUT = ("zeros", "ones", "empty", "full", "arange", "linspace", "eye", "rand",
                      "randn", "randint", "randperm")


def _requires_grad(value):
    if isinstance(value, Tensor):
        return value.requires_grad
    if isinstance(value, (list, tuple)):
        return any(_requires_grad(v) for v in value)
    return False


def supporting_out(fn, factory=False):
    """``fn`` taking an ``out=`` tensor to write its result into (and return)."""
    name = fn.__name__

    @functools.wraps(fn)
    def with_out(*args, out=None, **kwargs):
        if out is None:
            return fn(*args, **kwargs)
        if not isinstance(out, Tensor):
            raise TypeError(f"{name}(): argument 'out' must be Tensor, not {type(out).__name__}")
        if _grad_mode.is_grad_enabled() and (out.requires_grad or _requires_grad(args) or
                                             _requires_grad(tuple(kwargs.values()))):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments requires "
                               "grad.")
        with _grad_mode.no_grad():
            result = fn(*args, **kwargs)
        write(result, out, warn=not factory)
        return out

    return with_out


def write(result, out, warn=True):
    """Copy ``result`` into ``out``: cast (PyTorch's same-kind rule), resized if needed."""
    data, target = result._data, out._data
    if not np.can_cast(data.dtype, target.dtype, "same_kind"):
        raise RuntimeError(f"result type {_word(data.dtype)} can't be cast to the desired output "
                           f"type {_word(target.dtype)}")
    if data.shape != target.shape:
        if warn and target.size:
            warnings.warn("An output with one or more elements was resized since it had shape "
                          f"[{', '.join(map(str, target.shape))}], which does not match the "
                          f"required output shape [{', '.join(map(str, data.shape))}]. This "
                          "behavior is deprecated, and in a future PyTorch release outputs will "
                          "not be resized unless they have zero elements. You can explicitly "
                          "reuse an out tensor t by resizing it, inplace, to zero elements with "
                          "t.resize_(0).", stacklevel=3)
        out._data = np.empty(data.shape, dtype=target.dtype)
    np.copyto(out._data, data, casting="unsafe")
    out._vc[0] += 1


def _word(dtype):
    return from_numpy_dtype(dtype).legacy.replace("Tensor", "")
