"""The arguments users pass, checked and normalised in one place, with PyTorch's errors.

Every function that takes a dim, a dtype, a size, a flag, a number or a tensor argument reads
it through these, so a wrong type is refused the same way everywhere (PyTorch's argument parser
does this for it) and never reaches numpy; ``check_allocation`` refuses a tensor larger than the
machine's memory before numpy is asked for it.
"""
import builtins
import functools
import inspect
import os

import numpy as np

from . import _dtype

# The Tensor class, for the isinstance checks below. _tensor imports this module (so this one
# cannot import it) and hands the class over as soon as it is defined (``tensor_class``); before
# that no value can be a tensor, which the empty tuple says to isinstance.
_Tensor = ()


def tensor_class(cls):
    """Class decorator of ``Tensor``: the class these checks recognise as a tensor."""
    global _Tensor
    _Tensor = cls
    return cls


def type_name(value):
    """The name PyTorch's argument parser gives the type of ``value`` ("str", "NoneType")."""
    kind = type(value)
    if kind.__module__ == "builtins":
        return kind.__name__
    if isinstance(value, _Tensor):
        return "Tensor"
    return f"{kind.__module__.split('.')[0]}.{kind.__qualname__}"


def is_int(value):
    """A Python or numpy integer, not a bool (PyTorch's ints refuse bools)."""
    return isinstance(value, (builtins.int, np.integer)) and not isinstance(
        value, (builtins.bool, np.bool_))


def _where(who, name, position):
    where = f"{who}(): argument '{name}'" if who else f"argument '{name}'"
    return where + (f" (position {position})" if position else "")


def int_arg(value, name, who=None, position=None):
    """``value`` as an int; TypeError for a float, str, bool, None... (ValueError beyond
    64 bits, as PyTorch's parser says)."""
    if is_int(value):
        if not -_INT64_MAX - 1 <= value <= _INT64_MAX:
            raise ValueError("Overflow when unpacking long long")
        return builtins.int(value)
    if isinstance(value, _Tensor) and value._data.ndim == 0 and \
            value._data.dtype.kind in "iu":
        return builtins.int(value._data)  # a 0-d integer tensor is an int to PyTorch
    raise TypeError(f"{_where(who, name, position)} must be int, not {type_name(value)}")


def bool_arg(value, name, who=None, position=None, none=False):
    """``value`` as a bool; TypeError for anything else (PyTorch's bools refuse 0, 1, "yes");
    with ``none``, None is False (as for the ``requires_grad=`` of PyTorch's factories)."""
    if isinstance(value, (builtins.bool, np.bool_)):
        return builtins.bool(value)
    if value is None and none:
        return False
    raise TypeError(f"{_where(who, name, position)} must be bool, not {type_name(value)}")


def number_arg(value, name, who=None, position=None, tensor=True):
    """``value`` as a Python number (a 0-d tensor gives its value, unless not ``tensor``)."""
    if isinstance(value, (builtins.int, builtins.float, builtins.bool, np.number, np.bool_)):
        return value.item() if isinstance(value, (np.number, np.bool_)) else value
    if tensor and isinstance(value, _Tensor) and value._data.ndim == 0:
        return value._data.item()
    raise TypeError(f"{_where(who, name, position)} must be Number, not {type_name(value)}")


def float_arg(value, name, who=None, position=None):
    """``value`` as a float (an int or float; PyTorch's TypeError for anything else)."""
    if isinstance(value, (builtins.int, builtins.float, np.integer, np.floating)) and \
            not isinstance(value, builtins.bool):
        return builtins.float(value)
    raise TypeError(f"{_where(who, name, position)} must be float, not {type_name(value)}")


def number_text(v):
    """A number as PyTorch's messages print it (a whole float without its ``.0``)."""
    return str(builtins.int(v)) if isinstance(v, builtins.float) and v.is_integer() else str(v)


def engine_flag(value):
    """retain_graph/create_graph as PyTorch's engine reads them: as an integer (0/1, True/False);
    a str, a list or None is refused."""
    if not isinstance(value, (builtins.int, np.integer)):
        raise TypeError(f"'{type(value).__name__}' object cannot be interpreted as an integer")
    return builtins.bool(value)


def dtype_arg(dtype, who=None):
    """A minigrad dtype from ``dtype=``: a dtype, or Python's float/int/bool (None: None);
    PyTorch refuses strings and numpy dtypes."""
    if dtype is None or isinstance(dtype, _dtype.dtype):
        return dtype
    if dtype is builtins.float:
        return _dtype.float64
    if dtype is builtins.int:
        return _dtype.int64
    if dtype is builtins.bool:
        return _dtype.bool
    raise TypeError(f"{who + '(): ' if who else ''}argument 'dtype' must be torch.dtype, not "
                    f"{type_name(dtype)}")


_INT64_MAX = 2 ** 63 - 1


def size_arg(size, who=None, name="size"):
    """The shape given as ``f(2, 3)`` or ``f((2, 3))``, as a tuple of ints, checked as PyTorch's
    argument parser does (negative sizes are the caller's to refuse, in its own words)."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    elif len(size) == 1 and not is_int(size[0]):
        raise TypeError(f"{who}(): argument '{name}' (position 1) must be tuple of ints, not "
                        f"{type_name(size[0])}")
    for s in size:  # the usual case first: Python or numpy ints within 64 bits
        if not (type(s) is int or isinstance(s, np.integer)) or not \
                -_INT64_MAX - 1 <= s <= _INT64_MAX:
            break
    else:
        return tuple([builtins.int(s) for s in size])
    for k, s in enumerate(size):
        if not is_int(s):
            raise TypeError(f"{who}(): argument '{name}' failed to unpack the object at pos "
                            f"{k + 1} with error \"type must be tuple of ints,but got "
                            f"{type_name(s)}\"")
        if not -_INT64_MAX - 1 <= s <= _INT64_MAX:
            raise TypeError(f"{who}(): argument '{name}' failed to unpack the object at pos "
                            f"{k + 1} with error \"Overflow when unpacking long long\"")
    return tuple(builtins.int(s) for s in size)


def shape_arg(size, who=None):
    """``size_arg`` for a new tensor's shape: no negative size (PyTorch's words)."""
    size = size_arg(size, who)
    for s in size:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"[{', '.join(map(str, size))}]")
    return size


def check_allocation(shape, np_dtype):
    """PyTorch's allocator error for a tensor larger than this machine's memory (checked before
    numpy is asked, so that nothing of that size is ever attempted)."""
    count = 1
    for s in shape:
        count *= s
    nbytes = count * np.dtype(np_dtype).itemsize
    if nbytes > _INT64_MAX:
        raise RuntimeError("Storage size calculation overflowed with sizes="
                           f"[{', '.join(map(str, shape))}]")
    if nbytes > _memory():
        raise RuntimeError("[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: "
                           f"can't allocate memory: you tried to allocate {nbytes} bytes. Error "
                           "code 12 (Cannot allocate memory)")


@functools.lru_cache(maxsize=None)
def _memory():
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):  # no sysconf (Windows): a fixed 64 GiB
        return 64 * 2 ** 30


def floating(tensor, kernel):
    """PyTorch's error for a kernel (random draws, activations) that has floating point
    versions only: ``"elu_cpu" not implemented for 'Long'``."""
    if not tensor.is_floating_point():
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{tensor.dtype.legacy[:-6]}'")


def dim_type(dim, who=None, name="dim", position=None):
    """``dim`` as an int (its range is checked by ``_tensor._wrap_dim``)."""
    if is_int(dim):
        return builtins.int(dim)
    raise TypeError(f"{_where(who, name, position)} must be int, not {type_name(dim)}")


def tensors(*names, optional=(), who=None):
    """Decorator: the parameters ``names`` (and ``optional`` ones, which may also be None) must
    be tensors; PyTorch's TypeError otherwise, before the function reads any of them."""
    def decorate(fn):
        params = list(inspect.signature(fn).parameters)
        slots = [(params.index(n), n, n in optional) for n in names + tuple(optional)]
        label = who or fn.__name__

        @functools.wraps(fn)
        def checked(*args, **kwargs):
            for i, name, may_be_none in slots:
                given = i < len(args) or name in kwargs
                value = args[i] if i < len(args) else kwargs.get(name)
                if given and not isinstance(value, _Tensor) and not (
                        value is None and may_be_none):
                    raise TypeError(f"{label}(): argument '{name}' (position {i + 1}) must be "
                                    f"Tensor, not {type_name(value)}")
            return fn(*args, **kwargs)
        return checked
    return decorate
