"""Indexing: ``x[key]`` and ``x[key] = value``, with the key read as PyTorch reads it (its
grad_fn names and its errors for bounds, masks and 0-dim tensors)."""
import builtins

import numpy as np

from .. import _grad_mode
from .._graph import apply
from .._tensor import Tensor
from ._common import _op
from .._kernels import index_forward
from .shapes import expand
from .inplace import _inplace


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
    shape = input._data.shape
    if type(key) is int and shape and -shape[0] <= key < shape[0]:  # x[i], the common case
        return apply(_op("index"), input, key=(key,), name="SelectBackward0")
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
