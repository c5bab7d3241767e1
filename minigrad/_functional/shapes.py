"""Functions that change shapes: reshape/view, flatten, expand, permute/transpose, squeeze,
unsqueeze, cat/stack, meshgrid, select, unbind, split and chunk."""
import builtins

import numpy as np

from .. import _args
from .. import _dtype
from .._graph import apply
from .._tensor import Tensor, _wrap_dim, warn_once
from ._common import ALL_DIMS, _dim_given, _op
from .elementwise import clone


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
