"""The functions users call (``minigrad.exp``, ``x.sum(dim=1)``, ``x @ y``, ``x[i]``...).

They check and normalise arguments the way PyTorch does (errors included), then ``apply`` a
registry op from ``ops``. Functions with no derivative (comparisons, argmax) compute directly.
The table at the end makes most of them ``Tensor`` methods too.
"""
import builtins
import numbers

import numpy as np

from . import _dtype
from . import _grad_mode
from ._graph import apply, sum_to_shape
from ._tensor import Tensor, _wrap_dim, as_operand


def _op(name):
    from .ops import OPS
    return OPS[name]


def _new(data):
    return Tensor._make(data)


def _check_broadcast(a, b):
    sa, sb = np.shape(a._data if isinstance(a, Tensor) else a), np.shape(
        b._data if isinstance(b, Tensor) else b)
    for i in range(1, builtins.min(len(sa), len(sb)) + 1):
        if sa[-i] != sb[-i] and sa[-i] != 1 and sb[-i] != 1:
            raise RuntimeError(f"The size of tensor a ({sa[-i]}) must match the size of tensor b "
                               f"({sb[-i]}) at non-singleton dimension {builtins.max(len(sa), len(sb)) - i}")


def _binary(name, a, b):
    if not isinstance(b, (Tensor, numbers.Number, np.ndarray, np.generic)):
        return NotImplemented
    _check_broadcast(a, b)
    return apply(_op(name), a, b)


def _dims(dim, ndim):
    """A reduction's dims as a sorted tuple of non-negative ints (None: every axis)."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    out = tuple(sorted({_wrap_dim(d, ndim) for d in dims}))
    return out if out else None


# ---- arithmetic ----------------------------------------------------------------------------
def add(input, other, *, alpha=1):
    """input + alpha·other, broadcasting."""
    _check_broadcast(input, other)
    return apply(_op("add"), input, other, alpha=alpha)


def sub(input, other, *, alpha=1):
    """input − alpha·other, broadcasting."""
    _check_broadcast(input, other)
    return apply(_op("sub"), input, other, alpha=alpha)


def rsub(input, other, *, alpha=1):
    """other − alpha·input."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    return apply(_op("rsub"), _promoted_for_scalar(input, other), other=other, alpha=alpha)


def mul(input, other):
    """input · other elementwise, broadcasting."""
    _check_broadcast(input, other)
    return apply(_op("mul"), input, other)


def div(input, other, *, rounding_mode=None):
    """input / other elementwise (true division: integers give float32)."""
    if rounding_mode is not None:
        result = np.divide(as_operand(input)._data, as_operand(other)._data)
        result = np.floor(result) if rounding_mode == "floor" else np.trunc(result)
        return _new(result.astype(_dtype.result_type(as_operand(input), as_operand(other)).np))
    _check_broadcast(input, other)
    return apply(_op("div"), input, other)


def true_divide(input, other):
    return div(input, other)


def neg(input):
    """−input."""
    return apply(_op("neg"), input)


def pow(input, exponent):
    """input ** exponent; either may be a Python number."""
    if not isinstance(input, Tensor):
        base = input
        x = exponent if exponent.is_floating_point() or not isinstance(base, float) \
            else exponent.float()
        return apply(_op("rpow"), x, base=base)
    if isinstance(exponent, Tensor):
        _check_broadcast(input, exponent)
        return apply(_op("pow"), input, exponent)
    return apply(_op("pow_scalar"), _promoted_for_scalar(input, exponent), exponent=exponent)


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
    _check_broadcast(input, other)
    return apply(_op("maximum"), input, other)


def minimum(input, other):
    """Elementwise minimum (gradient split evenly at ties)."""
    _check_broadcast(input, other)
    return apply(_op("minimum"), input, other)


def where(condition, input=None, other=None):
    """condition ? input : other, elementwise with broadcasting."""
    if input is None and other is None:
        return tuple(_new(i) for i in np.nonzero(_array(condition)))
    cond = _array(condition)
    if cond.dtype != np.bool_:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_dtype.from_numpy_dtype(cond.dtype).name.capitalize()}")
    return apply(_op("where"), input, other, cond=cond)


def clamp(input, min=None, max=None):
    """input limited to [min, max] (either bound may be None)."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if isinstance(min, Tensor) or isinstance(max, Tensor):
        out = input
        if min is not None:
            out = maximum(out, min)
        if max is not None:
            out = minimum(out, max)
        return out
    x = _promoted_for_scalar(input, min if isinstance(min, float) else max)
    return apply(_op("clamp"), x, min=min, max=max)


clip = clamp


def _unary(name):
    def fn(input):
        return apply(_op(name), input)
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name}; derivative rule: {_op(name).math}" if False else \
        f"Elementwise {name} (see minigrad.ops.OPS['{name}'].math for its derivative)."
    return fn


exp, log, sqrt, abs, sign = (_unary(n) for n in ("exp", "log", "sqrt", "abs", "sign"))
sin, cos, tanh, sigmoid, relu = (_unary(n) for n in ("sin", "cos", "tanh", "sigmoid", "relu"))


def square(input):
    """input ** 2."""
    return pow(input, 2)


def rsqrt(input):
    return reciprocal(sqrt(input))


def clone(input):
    """A copy of input that stays in the graph (CloneBackward0)."""
    return apply(_op("clone"), input)


def to(input, *args, dtype=None, **kwargs):
    """input converted to ``dtype`` (same tensor when nothing changes)."""
    for a in args:
        if isinstance(a, _dtype.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
    if isinstance(dtype, np.dtype) or isinstance(dtype, type):
        dtype = _dtype.from_numpy_dtype(dtype)
    if dtype is None or dtype.np == input._data.dtype:
        return input
    return apply(_op("to_copy"), input, dtype=dtype)


def type_as(input, other):
    return to(input, other.dtype)


# ---- reductions ----------------------------------------------------------------------------
def sum(input, dim=None, keepdim=False, *, dtype=None):
    """Σ over ``dim`` (an int or tuple; None: everything); ints and bools sum to int64."""
    if dtype is not None:
        input = to(input, dtype)
    return apply(_op("sum"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)


def mean(input, dim=None, keepdim=False, *, dtype=None):
    """Average over ``dim`` (floating point tensors only)."""
    if dtype is not None:
        input = to(input, dtype)
    if not input.is_floating_point():
        raise RuntimeError("mean(): could not infer output dtype. Input dtype must be either a "
                           "floating point or complex dtype. Got: " + _type_word(input))
    return apply(_op("mean"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)


def prod(input, dim=None, keepdim=False, *, dtype=None):
    """Π over ``dim`` (an int; None: everything)."""
    if dtype is not None:
        input = to(input, dtype)
    return apply(_op("prod"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)


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
    if isinstance(dim, Tensor):
        return maximum(input, dim) if which == "max" else minimum(input, dim)
    if dim is None:
        if input.numel() == 0:
            raise RuntimeError(f"{which}(): Expected reduction dim to be specified for "
                               "input.numel() == 0. Specify the reduction dim with the 'dim' "
                               "argument.")
        return apply(_op("a" + which), input, dim=None, keepdim=False)
    d = _wrap_dim(dim, input.ndim)
    data = input._data if input.ndim else input._data.reshape(1)
    idx = (np.argmax if which == "max" else np.argmin)(data, axis=d, keepdims=keepdim)
    values = apply(_op(which + "_dim"), input if input.ndim else input.reshape(1), dim=d,
                   keepdim=keepdim, indices=idx)
    if input.ndim == 0:
        values, idx = values.reshape(()), idx.reshape(())
    return _MinMax(values, _new(idx.astype(np.int64)), which)


def max(input, dim=None, keepdim=False):
    """The largest element; with ``dim``, (values, indices) along it; with a tensor, maximum."""
    return _extremum(input, dim, keepdim, "max")


def min(input, dim=None, keepdim=False):
    """The smallest element; with ``dim``, (values, indices) along it; with a tensor, minimum."""
    return _extremum(input, dim, keepdim, "min")


def amax(input, dim=(), keepdim=False):
    return apply(_op("amax"), input, dim=_dims(dim, input.ndim) if dim != () else None,
                 keepdim=keepdim)


def amin(input, dim=(), keepdim=False):
    return apply(_op("amin"), input, dim=_dims(dim, input.ndim) if dim != () else None,
                 keepdim=keepdim)


def argmax(input, dim=None, keepdim=False):
    """Index of the largest element (of the flattened tensor when dim is None)."""
    if dim is None:
        return _new(np.asarray(np.argmax(input._data), dtype=np.int64))
    return _new(np.argmax(input._data, axis=_wrap_dim(dim, input.ndim),
                          keepdims=keepdim).astype(np.int64))


def argmin(input, dim=None, keepdim=False):
    """Index of the smallest element (of the flattened tensor when dim is None)."""
    if dim is None:
        return _new(np.asarray(np.argmin(input._data), dtype=np.int64))
    return _new(np.argmin(input._data, axis=_wrap_dim(dim, input.ndim),
                          keepdims=keepdim).astype(np.int64))


def norm(input, p="fro", dim=None, keepdim=False, dtype=None):
    """The vector p-norm over ``dim`` (None: all elements; "fro" means 2)."""
    if p in ("fro", None):
        p = 2
    if not input.is_floating_point():
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {_type_word(input)}")
    return apply(_op("norm"), input, p=p, dim=_dims(dim, input.ndim), keepdim=keepdim)


def logsumexp(input, dim, keepdim=False):
    """ln Σ exp(input) over ``dim``, computed stably."""
    return apply(_op("logsumexp"), input, dim=_dims(dim, input.ndim), keepdim=keepdim)


def softmax(input, dim, dtype=None):
    """exp(input) normalised to sum to 1 along ``dim``."""
    if dtype is not None:
        input = to(input, dtype)
    return apply(_op("softmax"), input, dim=_wrap_dim(dim, input.ndim))


def log_softmax(input, dim, dtype=None):
    """log(softmax(input)) along ``dim``, computed stably."""
    if dtype is not None:
        input = to(input, dtype)
    return apply(_op("log_softmax"), input, dim=_wrap_dim(dim, input.ndim))


# ---- linear algebra ------------------------------------------------------------------------
def _same_dtype(a, b, who):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{who} : expected both vectors to have same dtype, but found "
                           f"{_type_word(a)} and {_type_word(b)}")


def dot(input, other):
    """Σᵢ inputᵢ·otherᵢ of two 1-D tensors."""
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    _same_dtype(input, other, "dot")
    return apply(_op("dot"), input, other)


def mv(input, vec):
    """Matrix (m, n) times vector (n,) -> (m,)."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError("vector + matrix @ vector expected, got 1, "
                           f"{input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat "
                           f"({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    return apply(_op("mv"), input, vec)


def mm(input, mat2):
    """Matrix product (m, k) @ (k, n) -> (m, n); vjp: gA = g Bᵀ, gB = Aᵀ g."""
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'self' if input.ndim != 2 else 'mat2'} must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x"
                           f"{input.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    return apply(_op("mm"), input, mat2)


def matmul(input, other):
    """The ``@`` product: dot, mv, mm or batched (broadcast) matmul, by the inputs' ranks."""
    if not isinstance(other, Tensor):
        return NotImplemented
    a, b = input.ndim, other.ndim
    if a == 0 or b == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a}D "
                           f"and {b}D")
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        return mm(input.unsqueeze(0), other).squeeze(0)
    if a == 2 and b == 2:
        return mm(input, other)
    x = input.unsqueeze(0) if a == 1 else input
    y = other.unsqueeze(-1) if b == 1 else other
    if x.shape[-1] != y.shape[-2]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{x.shape[-1]}, {y.shape[-2]}] but got: [{y.shape[-2]}, "
                           f"{y.shape[-1]}].")
    _same_dtype(x, y, "matmul")
    out = apply(_op("bmm"), x, y)
    if a == 1:
        out = out.squeeze(-2)
    if b == 1:
        out = out.squeeze(-1)
    return out


def outer(input, vec2):
    """Outer product (m,) ⊗ (n,) -> (m, n)."""
    return input.unsqueeze(1) * vec2


# ---- shapes --------------------------------------------------------------------------------
def _shape_arg(shape):
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


def _infer_shape(shape, numel):
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            known *= s
    if -1 in shape:
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
    shape = _infer_shape(_shape_arg(shape), input.numel())
    if shape == input.shape:
        return apply(_op("view"), input, shape=shape)
    return apply(_op("view"), input, shape=shape)


def view(input, *shape):
    """Like reshape, but only where no copy is needed (PyTorch's error otherwise)."""
    if len(shape) == 1 and isinstance(shape[0], _dtype.dtype):
        raise NotImplementedError("view(dtype) is not supported by minigrad")
    shape = _infer_shape(_shape_arg(shape), input.numel())
    if input.numel() and not np.may_share_memory(input._data.reshape(shape), input._data):
        raise RuntimeError("view size is not compatible with input tensor's size and stride (at "
                           "least one dimension spans across two contiguous subspaces). Use "
                           ".reshape(...) instead.")
    return apply(_op("view"), input, shape=shape)


def view_as(input, other):
    return view(input, other.shape)


def reshape_as(input, other):
    return reshape(input, other.shape)


def flatten(input, start_dim=0, end_dim=-1):
    """Dimensions start_dim..end_dim merged into one."""
    if input.ndim == 0:
        return reshape(input, 1)
    s, e = _wrap_dim(start_dim, input.ndim), _wrap_dim(end_dim, input.ndim)
    if s == e:
        return input
    shape = input.shape
    n = 1
    for d in shape[s:e + 1]:
        n *= d
    return reshape(input, tuple(shape[:s]) + (n,) + tuple(shape[e + 1:]))


def expand(input, *sizes):
    """A broadcast view to ``sizes`` (-1 keeps a dimension)."""
    sizes = _shape_arg(sizes)
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
    return apply(_op("expand"), input, shape=tuple(target))


def expand_as(input, other):
    return expand(input, other.shape)


def broadcast_to(input, shape):
    return expand(input, shape)


def permute(input, *dims):
    """Axes reordered: output axis i is input axis dims[i]."""
    dims = _shape_arg(dims)
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
    dims[d0], dims[d1] = dims[d1], dims[d0]
    return apply(_op("permute"), input, dims=tuple(dims), via="transpose")


swapaxes = transpose


def t(input):
    """Transpose of a matrix (a 0-D or 1-D tensor is returned as is)."""
    if input.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is "
                           f"{input.ndim}D")
    if input.ndim < 2:
        return input
    return apply(_op("permute"), input, dims=(1, 0), via="t")


def _T(input):
    return apply(_op("permute"), input, dims=tuple(reversed(range(input.ndim))))


def squeeze(input, dim=None):
    """Size-1 dimensions removed (all of them, or only those in ``dim``)."""
    if dim is None:
        dims, variant = tuple(i for i, s in enumerate(input.shape) if s == 1), 0
    else:
        variant = 1 if isinstance(dim, int) else 2
        dims = tuple(_wrap_dim(d, input.ndim) for d in ((dim,) if variant == 1 else dim))
        dims = tuple(d for d in dims if input.ndim and input.shape[d] == 1)
    return apply(_op("squeeze"), input, dims=dims, variant=variant)


def unsqueeze(input, dim):
    """A size-1 dimension inserted at ``dim``."""
    return apply(_op("unsqueeze"), input, dim=_wrap_dim(dim, input.ndim + 1))


def cat(tensors, dim=0):
    """Tensors joined along an existing dimension."""
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
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
    tensors = list(tensors)
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    for k, t in enumerate(tensors):
        if t.shape != tensors[0].shape:
            raise RuntimeError(f"stack expects each tensor to be equal size, but got "
                               f"[{', '.join(map(str, tensors[0].shape))}] at entry 0 and "
                               f"[{', '.join(map(str, t.shape))}] at entry {k}")
    return apply(_op("stack"), *tensors, dim=_wrap_dim(dim, tensors[0].ndim + 1))


def select(input, dim, index):
    """input[..., index, ...] at dimension ``dim``."""
    d = _wrap_dim(dim, input.ndim)
    return input[(slice(None),) * d + (index,)]


def unbind(input, dim=0):
    """The slices along ``dim`` as a tuple."""
    d = _wrap_dim(dim, input.ndim)
    return tuple(select(input, d, i) for i in range(input.shape[d]))


def split(input, split_size_or_sections, dim=0):
    """Pieces of ``split_size`` along ``dim`` (or of the listed sizes)."""
    d = _wrap_dim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(split_size_or_sections, int):
        step = split_size_or_sections
        sizes = [builtins.min(step, n - i) for i in range(0, n, step)] or [0]
    else:
        sizes = list(split_size_or_sections)
        if builtins.sum(sizes) != n:
            raise RuntimeError(f"split_with_sizes expects split_sizes to sum exactly to {n} "
                               f"(input tensor's size at dimension {d}), but got split_sizes="
                               f"{sizes}")
    out, start = [], 0
    for s in sizes:
        out.append(input[(slice(None),) * d + (slice(start, start + s),)])
        start += s
    return tuple(out)


def chunk(input, chunks, dim=0):
    """At most ``chunks`` pieces of equal size (the last may be smaller)."""
    n = input.shape[_wrap_dim(dim, input.ndim)]
    return split(input, -(-n // chunks) if n else 1, dim)


# ---- indexing ------------------------------------------------------------------------------
def _index_key(key, shape):
    """A numpy key for ``key`` and PyTorch's grad_fn name for indexing with it."""
    items = key if isinstance(key, tuple) else (key,)
    out, kinds = [], []
    dim = 0
    for item in items:
        if isinstance(item, Tensor):
            item = item._data
            if item.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if isinstance(item, list):
            item = np.asarray(item)
            if item.dtype.kind == "f":
                raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        if isinstance(item, (bool, np.bool_)):
            item = np.asarray(item)
        if isinstance(item, np.ndarray):
            kinds.append("index")
            dim += item.ndim if item.dtype != np.bool_ else builtins.max(item.ndim, 1)
        elif item is None:
            kinds.append("unsqueeze")
        elif item is Ellipsis:
            kinds.append("ellipsis")
            dim += builtins.max(len(shape) - builtins.sum(
                1 for i in items if i is not None and i is not Ellipsis), 0)
        elif isinstance(item, slice):
            kinds.append("slice" if item != slice(None) else "full")
            dim += 1
        elif isinstance(item, (int, np.integer)):
            if dim >= len(shape):
                raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
            size = shape[dim]
            if not -size <= item < size:
                raise IndexError(f"index {item} is out of bounds for dimension {dim} with size "
                                 f"{size}")
            kinds.append("select")
            dim += 1
        else:
            raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or "
                             "byte Variables are valid indices (got "
                             f"{type(item).__name__})")
        out.append(item)
    if dim > len(shape):
        raise IndexError(f"too many indices for tensor of dimension {len(shape)}")
    if "index" in kinds:
        name = "IndexBackward0"
    else:
        last = [k for k in kinds if k not in ("full", "ellipsis")]
        name = {"select": "SelectBackward0", "slice": "SliceBackward0",
                "unsqueeze": "UnsqueezeBackward0"}.get(last[-1] if last else "", "AliasBackward0")
    return tuple(out), name


def getitem(input, key):
    """input[key]: ints, slices, None, ..., integer or boolean tensors (repeats accumulate)."""
    npkey, name = _index_key(key, input.shape)
    return apply(_op("index"), input, key=npkey, name=name)


def setitem(input, key, value):
    """input[key] = value, in place (recorded in the graph when it requires grad)."""
    npkey, name = _index_key(key, input.shape)
    name = "IndexPutBackward0" if name == "IndexBackward0" else "CopySlices"
    _inplace(input, _op("index_put"), value, key=npkey, name=name)


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


def scatter_onehot(g, shape, dim, keepdim, indices):
    """max/min-along-dim's VJP: g placed at the arg-extremum of each slice."""
    idx = indices if keepdim else np.expand_dims(indices, dim)
    onehot = np.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1)) == idx
    if not keepdim:
        g = g.unsqueeze(dim)
    return g * _new(onehot)


def vector_norm_forward(x, p, dim, keepdim):
    a = np.abs(x)
    if p == float("inf"):
        return np.max(a, axis=dim, keepdims=keepdim)
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
    if p == float("inf"):
        return evenly_distribute(g.sum(dim, keepdim=keepdim) if False else g, x.abs(), z, None,
                                 True) * x.sign() if dim is None else \
            g * x.sign() * (x.abs() == z) / (x.abs() == z).sum(dim, keepdim=True)
    if p == 2:
        return where(z == 0, 0.0, g * x / z)
    return where(z == 0, 0.0, g * x * x.abs() ** (p - 2) / z ** (p - 1))


def logsumexp_forward(x, dim, keepdim):
    m = np.max(x, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def softmax_forward(x, dim):
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def log_softmax_forward(x, dim):
    shifted = x - np.max(x, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))


# ---- functions without derivatives ---------------------------------------------------------
def _array(x):
    return x._data if isinstance(x, Tensor) else np.asarray(x)


def _compare(fn):
    def compare(input, other):
        if not isinstance(other, (Tensor, numbers.Number, np.ndarray, np.generic)):
            return NotImplemented
        a, b = as_operand(input), as_operand(other)
        _check_broadcast(a, b)
        common = _dtype.result_type(a, b).np
        return _new(fn(a._data.astype(common, copy=False), b._data.astype(common, copy=False)))
    compare.__name__ = fn.__name__
    compare.__doc__ = f"Elementwise {fn.__name__} as a bool tensor."
    return compare


eq, ne, lt, le, gt, ge = (_compare(f) for f in (np.equal, np.not_equal, np.less, np.less_equal,
                                                np.greater, np.greater_equal))
greater, greater_equal, less, less_equal, not_equal = gt, ge, lt, le, ne


def _logical(fn, name):
    def op(input, other):
        a, b = as_operand(input), as_operand(other)
        if a._data.dtype.kind == "f" or b._data.dtype.kind == "f":
            raise RuntimeError(f"\"{name}_cpu\" not implemented for 'Float'")
        return _new(fn(a._data, b._data))
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


def equal(input, other):
    """True when both have the same shape and elements."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def allclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return bool(np.allclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan))


def isclose(input, other, rtol=1e-05, atol=1e-08, equal_nan=False):
    return _new(np.isclose(input._data, _array(other), rtol=rtol, atol=atol, equal_nan=equal_nan))


def all(input, dim=None, keepdim=False):
    """True where every element (along dim) is nonzero."""
    return _new(np.all(input._data, axis=None if dim is None else _wrap_dim(dim, input.ndim),
                       keepdims=keepdim))


def any(input, dim=None, keepdim=False):
    """True where some element (along dim) is nonzero."""
    return _new(np.any(input._data, axis=None if dim is None else _wrap_dim(dim, input.ndim),
                       keepdims=keepdim))


def isnan(input):
    return _new(np.isnan(input._data))


def isinf(input):
    return _new(np.isinf(input._data))


def isfinite(input):
    return _new(np.isfinite(input._data))


def floor_divide(input, other):
    a, b = as_operand(input), as_operand(other)
    return _new(np.floor_divide(a._data, b._data).astype(_dtype.result_type(a, b).np))


def remainder(input, other):
    a, b = as_operand(input), as_operand(other)
    return _new(np.remainder(a._data, b._data).astype(_dtype.result_type(a, b).np))


def _rounding(fn):
    def r(input):
        return _new(fn(input._data))
    r.__name__ = fn.__name__
    return r


floor, ceil, round, trunc = (_rounding(f) for f in (np.floor, np.ceil, np.round, np.trunc))


def nonzero(input, *, as_tuple=False):
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
    if _grad_mode._enabled and self.grad_fn is not None and op.inputs[0] in op.saves:
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
    np.copyto(self._data, result._data, casting="unsafe")
    self._vc[0] += 1
    if result.grad_fn is not None:
        self.grad_fn = result.grad_fn
        self.grad_fn._output = result.grad_fn._output.__class__(self)
    return self


def _inplace_method(name):
    def method(self, other, *, alpha=1):
        attrs = {"alpha": alpha} if name in ("add", "sub") else {}
        _check_broadcast(self, other)
        return _inplace(self, _op(name), other, **attrs)
    method.__name__ = name + "_"
    method.__doc__ = f"In-place {name}: self = self {name} other (bumps the version counter)."
    return method


add_, sub_, mul_, div_ = (_inplace_method(n) for n in ("add", "sub", "mul", "div"))


def zero_(self):
    """Fill with zeros in place."""
    return fill_(self, 0)


def fill_(self, value):
    """Fill with ``value`` in place."""
    if _grad_mode._enabled and self._requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    self._data[...] = _array(value)
    self._vc[0] += 1
    if self.grad_fn is not None and _grad_mode._enabled:
        self.grad_fn = None  # the values no longer depend on the history
    return self


def copy_(self, src):
    """Copy src's values (broadcast) into self, in place."""
    return _inplace(self, _op("index_put"), src, key=(Ellipsis,), name="CopyBackwards")


def clamp_(self, min=None, max=None):
    return _inplace(self, _op("clamp"), min=min, max=max)


def _inplace_unary(name):
    def method(self):
        return _inplace(self, _op(name))
    method.__name__ = name + "_"
    return method


exp_, neg_, sqrt_, abs_, relu_, tanh_, sigmoid_ = (
    _inplace_unary(n) for n in ("exp", "neg", "sqrt", "abs", "relu", "tanh", "sigmoid"))


def pow_(self, exponent):
    return _inplace(self, _op("pow_scalar"), exponent=exponent)


# ---- the Tensor methods and operators --------------------------------------------------------
def _install_methods():
    methods = dict(
        add=add, sub=sub, mul=mul, div=div, true_divide=div, neg=neg, negative=neg, pow=pow,
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
        cpu=lambda self: self, contiguous=lambda self, *a, **k: self,
        __add__=lambda a, b: _binary("add", a, b), __radd__=lambda a, b: _binary("add", a, b),
        __sub__=lambda a, b: _binary("sub", a, b),
        __rsub__=lambda a, b: rsub(a, b),
        __mul__=lambda a, b: _binary("mul", a, b), __rmul__=lambda a, b: _binary("mul", a, b),
        __truediv__=lambda a, b: _binary("div", a, b),
        __rtruediv__=lambda a, b: mul(reciprocal(a), b),
        __floordiv__=floor_divide, __rfloordiv__=lambda a, b: floor_divide(b, a),
        __mod__=remainder, __rmod__=lambda a, b: remainder(b, a),
        __pow__=lambda a, b: pow(a, b), __rpow__=lambda a, b: pow(b, a),
        __matmul__=matmul, __rmatmul__=lambda a, b: matmul(b, a) if isinstance(b, Tensor)
        else NotImplemented,
        __neg__=neg, __pos__=lambda a: a, __abs__=abs,
        __eq__=eq, __ne__=ne, __lt__=lt, __le__=le, __gt__=gt, __ge__=ge,
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
