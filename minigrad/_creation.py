"""Making tensors: from data, filled, ranges, and random (seeded with ``manual_seed``)."""
import builtins
import math
import warnings

import numpy as np

from . import _args
from . import _device
from . import _dtype
from ._generator import Generator
from ._nested import from_nested
from ._tensor import Size as _Size
from ._tensor import Tensor

# the generator every random function uses by default, seeded from the OS as PyTorch's is
default_generator = Generator()


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
    return (default_generator if generator is None else generator)._rng


def _finish(data, dtype, requires_grad, device=None, who=None):
    """The tensor around ``data`` (cast to ``dtype``), its flags checked as PyTorch does."""
    # the factories take requires_grad=None for False; tensor() does not
    requires_grad = _args.bool_arg(requires_grad, "requires_grad", who, none=who != "tensor")
    _device.check(device)  # PyTorch's error for a device this build does not have
    if dtype is not None:
        data = data.astype(_as_dtype(dtype, who).np, copy=False)
    t = Tensor._make(data)
    if requires_grad:
        if data.dtype.kind != "f":
            raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                               "gradients")
        t._requires_grad = True
    return t


def _as_dtype(dtype, who=None):
    return _args.dtype_arg(dtype, who)


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
    if isinstance(data, Tensor):
        warnings.warn("To copy construct from a tensor, it is recommended to use "
                      "sourceTensor.detach().clone() or sourceTensor.detach().clone()"
                      ".requires_grad_(True), rather than torch.tensor(sourceTensor).",
                      UserWarning, stacklevel=2)
    if dtype is not None and not isinstance(data, (Tensor, np.ndarray, np.generic)):
        arr = from_nested(data, _as_dtype(dtype, "tensor"))[0]  # 0.1 as float64 is 0.1
    else:
        arr, _ = _from_data(data)
    return _finish(arr, dtype, requires_grad, device, "tensor")


def as_tensor(data, dtype=None, device=None):
    """``data`` as a tensor, sharing memory with a numpy array or tensor where it can."""
    dtype = _as_dtype(dtype, "as_tensor")
    if device is not None:
        _device.check(device)
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.np == data.dtype):
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
    if who == "zeros" and builtins.any(_args.is_int(s) and s < 0 for s in _args.size_arg(
            size, who)):  # zeros checks sizes itself, with its own words
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _args.shape_arg(size, who)


def _new(shape, dtype, who, fill=None):
    """A numpy array of ``shape``, zeros (or ``fill``), once PyTorch would have the memory."""
    _args.check_allocation(shape, dtype)
    return np.zeros(shape, dtype) if fill is None else np.full(shape, fill, dtype)


def _default(dtype, who=None):
    return np.float32 if dtype is None else _as_dtype(dtype, who).np


def _filled(value, who):
    def make(*size, dtype=None, device=None, requires_grad=False, out=None, layout=None):
        return _finish(_new(_size(size, who), _default(dtype, who), who, value), None,
                       requires_grad, device, who)
    return make


zeros = _filled(0, "zeros")
ones = _filled(1, "ones")
zeros.__name__, ones.__name__ = "zeros", "ones"
zeros.__doc__ = "A tensor of zeros of the given size (float32 unless dtype says otherwise)."
ones.__doc__ = "A tensor of ones of the given size (float32 unless dtype says otherwise)."


def empty(*size, dtype=None, device=None, requires_grad=False, **_):
    """A tensor of the given size (minigrad fills it with zeros, so output is deterministic)."""
    return _finish(_new(_size(size, "empty"), _default(dtype, "empty"), "empty"), None,
                   requires_grad, device, "empty")


def full(size, fill_value, *, dtype=None, device=None, requires_grad=False):
    """A tensor of ``size`` filled with ``fill_value`` (its dtype inferred like PyTorch's)."""
    fill_value = _args.number_arg(fill_value, "fill_value", "full", 2)
    if dtype is None:
        dtype = _dtype.result_type(fill_value)
    if not isinstance(size, (tuple, list, _Size)):
        raise TypeError(f"full(): argument 'size' (position 1) must be tuple of ints, not "
                        f"{_args.type_name(size)}")
    shape, np_dtype = _size((size,), "full"), _as_dtype(dtype, "full").np
    return _finish(_new(shape, np_dtype, "full", fill_value), None, requires_grad, device,
                   "full")


def _like(maker, who):
    def make(input, *, dtype=None, device=None, requires_grad=False, **_):
        _check_input(input, who)
        return maker(input.shape, dtype=_as_dtype(dtype, who) or input.dtype,
                     requires_grad=requires_grad, device=device)
    make.__name__ = who
    return make


def _check_input(input, who):
    if not isinstance(input, Tensor):
        raise TypeError(f"{who}(): argument 'input' (position 1) must be Tensor, not "
                        f"{_args.type_name(input)}")


zeros_like, ones_like = _like(zeros, "zeros_like"), _like(ones, "ones_like")
empty_like, rand_like, randn_like = (_like(empty, "empty_like"), _like(lambda *a, **k: rand(
    *a, **k), "rand_like"), _like(lambda *a, **k: randn(*a, **k), "randn_like"))


def full_like(input, fill_value, *, dtype=None, device=None, requires_grad=False):
    _check_input(input, "full_like")
    return full(input.shape, fill_value, dtype=_as_dtype(dtype, "full_like") or input.dtype,
                requires_grad=requires_grad, device=device)


class _Unset:
    """An argument not given (where PyTorch refuses an explicit None)."""

    def __repr__(self):
        return "<not given>"


_UNSET = _Unset()


def arange(start, end=_UNSET, step=1, *, dtype=None, device=None, requires_grad=False):
    """Values from start (default 0) up to, not including, end, by step."""
    if end is _UNSET:
        start, end = 0, _args.number_arg(start, "end", "arange", 1)
    lo, hi, by = (_args.number_arg(v, name, "arange", k + 1) for k, (name, v) in enumerate(
        (("start", start), ("end", end), ("step", step))))
    if by == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(lo) and math.isfinite(hi)):
        raise RuntimeError(f"unsupported range: {_args.number_text(lo)} -> {_args.number_text(hi)}")
    if not ((by > 0 and hi >= lo) or (by < 0 and hi <= lo)):
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    if dtype is None:
        floating = builtins.any(isinstance(v, float) or (isinstance(v, Tensor) and
                                                        v.is_floating_point())
                                for v in (start, end, step))
        dtype = _dtype.float32 if floating else _dtype.int64
    dtype = _as_dtype(dtype, "arange")
    if dtype is _dtype.bool:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    count = builtins.max(math.ceil((hi - lo) / by), 0) if math.isfinite(by) else 1
    _args.check_allocation((count,), dtype.np)
    values = np.arange(lo, hi, by, dtype=np.float64)
    return _finish(values.astype(dtype.np), None, requires_grad, device, "arange")


def _scalar(v):
    return v.item() if isinstance(v, Tensor) else v


def linspace(start, end, steps, *, dtype=None, device=None, requires_grad=False):
    """``steps`` evenly spaced values from start to end inclusive."""
    start = _args.number_arg(start, "start", "linspace", 1)
    end = _args.number_arg(end, "end", "linspace", 2)
    steps = _args.int_arg(steps, "steps", "linspace", 3)
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    np_dtype = _default(dtype, "linspace")
    if np_dtype == np.bool_:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    _args.check_allocation((steps,), np_dtype)
    with np.errstate(all="ignore"):  # NaN or infinite ends give NaN, as in PyTorch
        # PyTorch's kernel: the first half steps up from start, the second half down from end
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        i = np.arange(steps, dtype=np.float64)
        values = np.where(i < steps // 2, start + i * step, end - (steps - 1 - i) * step)
        if steps == 1:
            values[:] = start
        values = values.astype(np_dtype)
    return _finish(values, None, requires_grad, device, "linspace")


def eye(n, m=None, *, dtype=None, device=None, requires_grad=False):
    """The n×m identity matrix."""
    n = _args.int_arg(n, "n", "eye", 1)
    m = n if m is None else _args.int_arg(m, "m", "eye", 2)
    for name, k in (("n", n), ("m", m)):
        if k < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {k}")
    np_dtype = _default(dtype, "eye")
    _args.check_allocation((n, m), np_dtype)
    return _finish(np.eye(n, m, dtype=np_dtype), None, requires_grad, device, "eye")


def _random_size(size, kwargs, who):
    if "size" in kwargs:
        return _size((kwargs.pop("size"),), who)
    return _size(size, who)


def _floating(dtype, who, kernel):
    """The numpy dtype of samples of a continuous distribution (PyTorch has no integer kernel)."""
    d = _as_dtype(dtype, who) or _dtype.float32
    if not d.is_floating_point:
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{d.legacy[:-6]}'")
    return d.np


def randn(*size, dtype=None, device=None, requires_grad=False, generator=None, **kwargs):
    """Samples of the standard normal distribution."""
    shape = _random_size(size, kwargs, "randn")
    np_dtype = _floating(dtype, "randn", "normal_kernel_cpu")
    _args.check_allocation(shape, np_dtype)
    return _finish(_rng_of(generator).standard_normal(shape).astype(np_dtype), None,
                   requires_grad, device, "randn")


def rand(*size, dtype=None, device=None, requires_grad=False, generator=None, **kwargs):
    """Samples of the uniform distribution on [0, 1)."""
    shape = _random_size(size, kwargs, "rand")
    np_dtype = _floating(dtype, "rand", "check_uniform_bounds")
    _args.check_allocation(shape, np_dtype)
    return _finish(_rng_of(generator).random(shape).astype(np_dtype), None, requires_grad,
                   device, "rand")


def randint(low=0, high=None, size=None, *, dtype=None, device=None, requires_grad=False,
            generator=None):
    """Random integers in [low, high) (int64 unless dtype says otherwise)."""
    if size is None:
        if not isinstance(high, (tuple, list)):  # PyTorch's randint always needs a size
            raise TypeError(f"randint() received an invalid combination of arguments - got "
                            f"({_args.type_name(low)}, {_args.type_name(high)}, NoneType), but "
                            "expected one of:\n * (int high, tuple of ints size)\n * (int low, "
                            "int high, tuple of ints size)\n")
        low, high, size = 0, low, high
    low, high = (_args.int_arg(v, name, "randint") for name, v in (("low", low), ("high", high)))
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={high}")
    shape, np_dtype = _size((size,), "randint"), _as_dtype(dtype, "randint")
    if np_dtype is _dtype.bool and high > 2:
        raise RuntimeError("to - 1 is out of bounds for bool")
    np_dtype = np.int64 if np_dtype is None else np_dtype.np
    _args.check_allocation(shape, np_dtype)
    return _finish(_rng_of(generator).integers(low, high, size=shape).astype(np_dtype), None,
                   requires_grad, device, "randint")


def randperm(n, *, generator=None, dtype=None, device=None, requires_grad=False, **_):
    """A random permutation of 0..n-1."""
    n = _size((_args.int_arg(n, "n", "randperm", 1),), "randperm")[0]
    if _as_dtype(dtype, "randperm") is _dtype.bool:
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    _args.check_allocation((n,), np.int64)
    return _finish(_rng_of(generator).permutation(n).astype(np.int64), dtype, requires_grad,
                   device, "randperm")


def normal(mean, std, size=None, *, requires_grad=False):
    """Samples of the normal distribution N(mean, std²)."""
    mean = _args.number_arg(mean, "mean", "normal", 1)
    std = _args.number_arg(std, "std", "normal", 2)
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_args.number_text(std)}")
    if size is None:  # PyTorch's normal of two numbers needs a size
        raise TypeError("normal() received an invalid combination of arguments - got "
                        f"({_args.type_name(mean)}, {_args.type_name(std)}, NoneType), but "
                        "expected one of:\n * (float mean, float std, tuple of ints size, *, "
                        "torch.Generator generator = None, Tensor out = None)\n")
    shape = _size((size,), "normal")
    _args.check_allocation(shape, np.float32)
    return _finish(_rng_of(None).normal(mean, std, shape).astype(np.float32), None,
                   requires_grad, None, "normal")
