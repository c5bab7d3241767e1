"""Nested Python data (lists of lists of numbers, tensors, arrays) read as PyTorch reads it.

``torch.tensor(data)`` works in three passes, and so does ``from_nested``: the shape is taken from
the first element at each depth; the dtype from every leaf (promoted together: Python floats are
float32, ints int64, bools bool, numpy values and tensors keep their dtype); then every element is
checked against the shape. Each pass raises PyTorch's own error, so a ragged list or a string
reports what PyTorch reports, not what numpy would.
"""
import numbers

import numpy as np

from . import _dtype
from ._tensor import Tensor

_MAX_DIMS = 64


def _is_sequence(x):
    """Python sequences and arrays (a tensor counts only where a sequence is expected)."""
    return isinstance(x, (list, tuple, range, str, bytes)) or (
        isinstance(x, np.ndarray) and x.ndim > 0)


def _shape(data):
    """The sizes along the chain of first elements."""
    sizes, seq = [], data
    while _is_sequence(seq):
        if isinstance(seq, (str, bytes)):
            raise ValueError(f"too many dimensions '{type(seq).__name__}'")
        sizes.append(len(seq))
        if len(sizes) > _MAX_DIMS:
            raise ValueError(f"too many dimensions '{type(seq).__name__}'")
        if not len(seq):
            break
        seq = seq[0]
    return sizes


def _leaf_dtype(x):
    if isinstance(x, (bool, np.bool_)):
        return _dtype.bool
    if isinstance(x, (np.ndarray, np.generic)):
        return _dtype.from_numpy_dtype(x.dtype)
    if isinstance(x, Tensor):
        return x.dtype
    if isinstance(x, numbers.Integral):
        return _dtype.int64
    if isinstance(x, numbers.Real):
        return _dtype.get_default_dtype()
    if isinstance(x, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(x).__name__}'")
    raise RuntimeError(f"Could not infer dtype of {type(x).__name__}")


def _infer_dtype(data):
    """Every leaf's dtype promoted together, scanning depth first in order."""
    found, stack = None, [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple, range)):
            if not len(x):
                d = _dtype.get_default_dtype()  # an empty list counts as the default dtype
            else:
                stack.extend(reversed(x))
                continue
        else:
            d = _leaf_dtype(x)
        found = d if found is None else _dtype.promote_types(found, d)
    return found


def _scalar_error(item, dtype):
    if isinstance(item, Tensor):
        return ValueError("only one element tensors can be converted to Python scalars")
    name = type(item).__name__
    if dtype.is_floating_point:
        return TypeError(f"must be real number, not {name}")
    return TypeError(f"'{name}' object cannot be interpreted as an integer")


def _values(data, sizes, dtype):
    """Nested lists of Python scalars, checked element by element against ``sizes``."""
    out = []
    stack = [(data, 0, out)]
    while stack:
        item, dim, parent = stack.pop()
        if dim == len(sizes):
            if isinstance(item, Tensor) and item.numel() == 1:
                item = item._data.reshape(()).item()
            elif isinstance(item, np.ndarray) and item.ndim == 0:
                item = item.item()
            elif _is_sequence(item) or isinstance(item, Tensor):
                raise _scalar_error(item, dtype)
            parent.append(item)
            continue
        if isinstance(item, Tensor) and item.ndim:
            item = item._data
        if not _is_sequence(item) or isinstance(item, (str, bytes)):
            raise TypeError("not a sequence")
        if len(item) != sizes[dim]:
            raise ValueError(f"expected sequence of length {sizes[dim]} at dim {dim} "
                             f"(got {len(item)})")
        row = []
        parent.append(row)
        stack.extend((x, dim + 1, row) for x in reversed(list(item)))
    return out[0]


_PYTHON_KINDS = {np.dtype(np.float64): None, np.dtype(np.int64): _dtype.int64,
                 np.dtype(np.bool_): _dtype.bool}  # None: the default float dtype


def _from_python_scalars(data, sizes, target):
    """The common case in one numpy call: a (nested) list of Python floats, ints or bools only,
    where numpy infers what PyTorch does. None when anything else is in it, or when numpy's
    array is not a plain rectangular float64/int64/bool array (the three passes then decide)."""
    if not isinstance(data, list) or not sizes or (target is not None
                                                   and not target.is_floating_point):
        return None
    try:
        arr = np.array(data)
    except (ValueError, TypeError, OverflowError):  # ragged, or ints beyond int64
        return None
    if arr.dtype not in _PYTHON_KINDS or arr.shape != tuple(sizes):
        return None
    rows = [data]
    for _ in range(len(sizes) - 1):
        rows = [row for rows_ in rows for row in rows_]
    if not all(type(x) in (float, int, bool) for row in rows for x in row):
        return None  # numpy scalars, 0-d arrays or tensors keep their own dtypes in PyTorch
    dtype = _PYTHON_KINDS[arr.dtype] or _dtype.get_default_dtype()
    store = (target or dtype).np
    if arr.dtype != store:
        with np.errstate(over="ignore"):  # 1e300 as float32 is inf, silently (as in PyTorch)
            arr = arr.astype(store)
    return arr, dtype


def from_nested(data, target=None):
    """(numpy array, dtype) for nested Python data, with PyTorch's inference and errors.

    target: the dtype to store (Python floats go straight to it, not through float32)."""
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    sizes = _shape(data)
    fast = _from_python_scalars(data, sizes, target)
    if fast is not None:
        return fast
    dtype = _infer_dtype(data)
    store = (target or dtype).np
    if 0 in sizes:  # nothing to store, so nothing is checked (as in PyTorch)
        return np.zeros(sizes, dtype=store), dtype
    try:
        with np.errstate(over="ignore"):  # 1e300 as float32 is inf, silently (as in PyTorch)
            return np.array(_values(data, sizes, dtype), dtype=store).reshape(sizes), dtype
    except OverflowError:  # an int beyond 64 bits
        raise ValueError("Overflow when unpacking long long") from None
