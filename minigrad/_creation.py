"""Making tensors: from data, filled, ranges, and random (seeded with ``manual_seed``)."""
import builtins
import numbers
import warnings

import numpy as np

from . import _dtype
from ._tensor import Tensor

_rng = np.random.default_rng()


def manual_seed(seed):
    """Seed minigrad's random numbers (a numpy Generator: its streams differ from PyTorch's)."""
    global _rng
    _rng = np.random.default_rng(int(seed))
    return _rng


def seed():
    global _rng
    _rng = np.random.default_rng()


def _finish(data, dtype, requires_grad):
    if dtype is not None:
        data = data.astype(_as_dtype(dtype).np, copy=False)
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._requires_grad = True
    return t


def _as_dtype(dtype):
    if isinstance(dtype, _dtype.dtype):
        return dtype
    if dtype in (builtins.float,):
        return _dtype.float64
    if dtype in (builtins.int,):
        return _dtype.int64
    if dtype in (builtins.bool,):
        return _dtype.bool
    return _dtype.from_numpy_dtype(dtype)


def _check_sequence(data, dim=0):
    """PyTorch's message for ragged nested lists (numpy's is about 'inhomogeneous shape')."""
    if isinstance(data, (list, tuple)) and data:
        lengths = [len(x) if isinstance(x, (list, tuple)) else None for x in data]
        first = lengths[0]
        for n in lengths:
            if n != first:
                raise ValueError(f"expected sequence of length {first} at dim {dim + 1} (got {n})")
        for x in data:
            _check_sequence(x, dim + 1)


def _from_data(data):
    """numpy array for ``data`` with PyTorch's dtype inference (Python floats -> float32)."""
    if isinstance(data, Tensor):
        return data._data.copy(), True
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data)
        _dtype.from_numpy_dtype(arr.dtype)
        return arr, True
    if isinstance(data, (str, bytes)) or not isinstance(
            data, (list, tuple, numbers.Number, np.bool_, builtins.bool)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    _check_sequence(data)
    if isinstance(data, (list, tuple)) and any(isinstance(x, Tensor) for x in _flat(data)):
        data = _nested_tensors_to_lists(data)
    arr = np.array(data)
    if arr.dtype.kind == "f" or arr.size == 0 and arr.dtype == np.float64:
        arr = arr.astype(np.float32)
    elif arr.dtype.kind in "iu":
        arr = arr.astype(np.int64)
    elif arr.dtype.kind not in "b":
        raise TypeError(f"new(): invalid data type '{arr.dtype.name}'")
    return arr, False


def _flat(data):
    stack = [data]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
        else:
            yield x


def _nested_tensors_to_lists(data):
    if isinstance(data, Tensor):
        if data.numel() != 1 and data.ndim == 0:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return data._data.tolist()
    return [_nested_tensors_to_lists(x) for x in data]


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors)."""
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                      ".requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    arr, _ = _from_data(data)
    return _finish(arr, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a numpy array or tensor where it can."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(_as_dtype(dtype))
    if isinstance(data, np.ndarray) and (dtype is None or _as_dtype(dtype).np == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)
        return Tensor._make(data)
    return tensor(data, dtype=dtype)


def from_numpy(ndarray):
    """A tensor sharing memory with ``ndarray`` (its dtype kept)."""
    if not isinstance(ndarray, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(ndarray).__name__})")
    _dtype.from_numpy_dtype(ndarray.dtype)
    return Tensor._make(ndarray)


def _size(size):
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, (int, np.integer)) or isinstance(s, builtins.bool):
            raise TypeError(f"expected a sequence of integers or a single integer, got "
                            f"'{type(s).__name__}'")
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, size))}]")
    return tuple(int(s) for s in size)


def _default(dtype):
    return np.float32 if dtype is None else _as_dtype(dtype).np


def _filled(value):
    def make(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
        return _finish(np.full(_size(size), value, dtype=_default(dtype)), None, requires_grad)
    return make


zeros = _filled(0)
ones = _filled(1)
zeros.__name__, ones.__name__ = "zeros", "ones"
zeros.__doc__ = "A tensor of zeros of the given size (float32 unless dtype says otherwise)."
ones.__doc__ = "A tensor of ones of the given size (float32 unless dtype says otherwise)."


def empty(*size, dtype=None, device=None, requires_grad=False, **_):
    """A tensor of the given size (minigrad fills it with zeros, so output is deterministic)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred like PyTorch's)."""
    if dtype is None:
        dtype = _dtype.result_type(fill_value)
    return _finish(np.full(_size((size,)), fill_value, dtype=_as_dtype(dtype).np), None,
                   requires_grad)


def _like(maker):
    def make(input, *, dtype=None, device=None, requires_grad=False, **_):
        return maker(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)
    return make


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False, **_):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **_):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from start (default 0) up to, not including, end, by step."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if dtype is None:
        floating = builtins.any(isinstance(v, float) or (isinstance(v, Tensor) and
                                                        v.is_floating_point())
                                for v in (start, end, step))
        dtype = _dtype.float32 if floating else _dtype.int64
    values = np.arange(_scalar(start), _scalar(end), _scalar(step), dtype=np.float64)
    return _finish(values.astype(_as_dtype(dtype).np), None, requires_grad)


def _scalar(v):
    return v.item() if isinstance(v, Tensor) else v


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end inclusive."""
    return _finish(np.linspace(_scalar(start), _scalar(end), steps).astype(_default(dtype)), None,
                   requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The n×m identity matrix."""
    return _finish(np.eye(n, m, dtype=_default(dtype)), None, requires_grad)


def _random_size(size, kwargs):
    if "size" in kwargs:
        return _size((kwargs.pop("size"),))
    return _size(size)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None, **kwargs):
    """Samples of the standard normal distribution."""
    shape = _random_size(size, kwargs)
    return _finish(_rng.standard_normal(shape).astype(_default(dtype)), None, requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None, **kwargs):
    """Samples of the uniform distribution on [0, 1)."""
    shape = _random_size(size, kwargs)
    return _finish(_rng.random(shape).astype(_default(dtype)), None, requires_grad)


def randint(low=0, high=None, size=None, *, dtype=None, device=None, requires_grad=False,
            generator=None):
    """Random integers in [low, high) (int64 unless dtype says otherwise)."""
    if size is None:
        low, high, size = 0, low, high
    return _finish(_rng.integers(low, high, size=_size((size,))).astype(
        np.int64 if dtype is None else _as_dtype(dtype).np), None, requires_grad)


def randperm(n, *, dtype=None, device=None, requires_grad=False):
    """A random permutation of 0..n-1."""
    return _finish(_rng.permutation(n).astype(np.int64), dtype, requires_grad)


def normal(mean, std, size=None, *, requires_grad=False):
    shape = _size((size,)) if size is not None else ()
    return _finish(_rng.normal(mean, std, shape).astype(np.float32), None, requires_grad)
