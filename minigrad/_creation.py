"""Making tensors: from data, filled, ranges, and random (seeded with ``manual_seed``)."""
import builtins
import warnings

import numpy as np

from . import _device
from . import _dtype
from ._generator import Generator
from ._nested import from_nested
from ._tensor import Size as _Size
from ._tensor import Tensor

_rng = np.random.default_rng()
_seed = None


class _DefaultGenerator(Generator):
    """``minigrad.default_generator``: the generator every random function uses by default."""

    def __init__(self):  # its state is the module's ``_rng``, shared with manual_seed
        pass

    @property
    def _rng(self):
        return _rng

    @_rng.setter
    def _rng(self, value):
        global _rng
        _rng = value

    @property
    def _seed(self):
        return _seed

    @_seed.setter
    def _seed(self, value):
        global _seed
        _seed = value


default_generator = _DefaultGenerator()


def manual_seed(seed):
    """Seed minigrad's random numbers (a numpy Generator: its streams differ from PyTorch's);
    returns the default generator."""
    return default_generator.manual_seed(seed)


def seed():
    """Seed minigrad's random numbers from the OS's entropy; returns the 64-bit seed used."""
    return default_generator.seed()


def initial_seed():
    """The seed the default generator was last started from."""
    return default_generator.initial_seed()


def _rng_of(generator):
    """The numpy generator to draw from: ``generator``'s, or the default one."""
    return _rng if generator is None else generator._rng


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


def _from_data(data):
    """numpy array for ``data`` with PyTorch's dtype inference (Python floats -> float32)."""
    if isinstance(data, Tensor):
        return data._data.copy(), True
    if isinstance(data, (np.ndarray, np.generic)):
        arr = np.array(data)
        _dtype.from_numpy_dtype(arr.dtype)
        return arr, True
    return from_nested(data)[0], False


def tensor(data, *, dtype=None, device=None, requires_grad=False, pin_memory=False):
    """A new leaf tensor holding a copy of ``data`` (nested lists, numbers, arrays, tensors)."""
    _device.check(device)
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                      ".requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    if dtype is not None and not isinstance(data, (Tensor, np.ndarray, np.generic)):
        arr = from_nested(data, _as_dtype(dtype))[0]  # 0.1 as float64 is 0.1, not float32's
    else:
        arr, _ = _from_data(data)
    return _finish(arr, dtype, requires_grad)


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a numpy array or tensor where it can."""
    _device.check(device)
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


def _size(size, who=None):
    """The shape given as ``f(2, 3)`` or ``f((2, 3))``, checked as PyTorch's ``who()`` does."""
    if len(size) == 1 and isinstance(size[0], (tuple, list, _Size)):
        size = tuple(size[0])
    elif len(size) == 1 and not _is_int(size[0]):
        raise TypeError(f"{who}(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size[0]).__name__}")
    for k, s in enumerate(size):
        if not _is_int(s):
            raise TypeError(f"{who}(): argument 'size' failed to unpack the object at pos {k + 1} "
                            f"with error \"type must be tuple of ints,but got "
                            f"{type(s).__name__}\"")
    for s in size:
        if s < 0:
            if who == "zeros":  # zeros checks sizes itself, with its own words
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, size))}]")
    return tuple(int(s) for s in size)


def _is_int(s):
    return isinstance(s, (int, np.integer)) and not isinstance(s, (builtins.bool, np.bool_))


def _default(dtype):
    return np.float32 if dtype is None else _as_dtype(dtype).np


def _filled(value, who):
    def make(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
        _device.check(device)
        return _finish(np.full(_size(size, who), value, dtype=_default(dtype)), None,
                       requires_grad)
    return make


zeros = _filled(0, "zeros")
ones = _filled(1, "ones")
zeros.__name__, ones.__name__ = "zeros", "ones"
zeros.__doc__ = "A tensor of zeros of the given size (float32 unless dtype says otherwise)."
ones.__doc__ = "A tensor of ones of the given size (float32 unless dtype says otherwise)."


def empty(*size, dtype=None, device=None, requires_grad=False, **_):
    """A tensor of the given size (minigrad fills it with zeros, so output is deterministic)."""
    _device.check(device)
    return _finish(np.zeros(_size(size, "empty"), dtype=_default(dtype)), None, requires_grad)


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred like PyTorch's)."""
    _device.check(device)
    if dtype is None:
        dtype = _dtype.result_type(fill_value)
    if not isinstance(size, (tuple, list, _Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{type(size).__name__}")
    return _finish(np.full(_size((size,), "full"), fill_value, dtype=_as_dtype(dtype).np), None,
                   requires_grad)


def _like(maker):
    def make(input, *, dtype=None, device=None, requires_grad=False, **_):
        _device.check(device)
        return maker(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)
    return make


zeros_like, ones_like, empty_like = _like(zeros), _like(ones), _like(empty)


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    _device.check(device)
    return full(input.shape, fill_value, dtype=dtype or input.dtype, requires_grad=requires_grad)


def rand_like(input, *, dtype=None, requires_grad=False, **_):
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input, *, dtype=None, requires_grad=False, **_):
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def arange(start, end=None, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from start (default 0) up to, not including, end, by step."""
    _device.check(device)
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    lo, hi, by = _scalar(start), _scalar(end), _scalar(step)
    if not ((by > 0 and hi >= lo) or (by < 0 and hi <= lo)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
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
    _device.check(device)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    return _finish(np.linspace(_scalar(start), _scalar(end), steps).astype(_default(dtype)), None,
                   requires_grad)


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The n×m identity matrix."""
    _device.check(device)
    for name, k in (("n", n), ("m", m)):
        if k is not None and k < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {k}")
    return _finish(np.eye(n, m, dtype=_default(dtype)), None, requires_grad)


def _random_size(size, kwargs, who):
    if "size" in kwargs:
        return _size((kwargs.pop("size"),), who)
    return _size(size, who)


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None, **kwargs):
    """Samples of the standard normal distribution."""
    _device.check(device)
    shape = _random_size(size, kwargs, "randn")
    return _finish(_rng_of(generator).standard_normal(shape).astype(_default(dtype)), None,
                   requires_grad)


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None, **kwargs):
    """Samples of the uniform distribution on [0, 1)."""
    _device.check(device)
    shape = _random_size(size, kwargs, "rand")
    return _finish(_rng_of(generator).random(shape).astype(_default(dtype)), None,
                   requires_grad)


def randint(low=0, high=None, size=None, *, dtype=None, device=None, requires_grad=False,
            generator=None):
    """Random integers in [low, high) (int64 unless dtype says otherwise)."""
    _device.check(device)
    if size is None:
        low, high, size = 0, low, high
    return _finish(_rng_of(generator).integers(low, high, size=_size((size,), "randint")).astype(
        np.int64 if dtype is None else _as_dtype(dtype).np), None, requires_grad)


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, **_):
    """A random permutation of 0..n-1."""
    _device.check(device)
    return _finish(_rng_of(generator).permutation(n).astype(np.int64), dtype, requires_grad)


def normal(mean, std, size=None, *, requires_grad=False):
    shape = _size((size,), "normal") if size is not None else ()
    return _finish(_rng.normal(mean, std, shape).astype(np.float32), None, requires_grad)
