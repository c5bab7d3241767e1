"""Devices: minigrad computes on the CPU only, and answers every other device as PyTorch built
without CUDA does (``torch.device("cuda")`` is a valid name; a tensor there is an error)."""

_TYPES = ("cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, fpga, maia, xla, lazy, "
          "vulkan, mps, meta, hpu, mtia, privateuseone")
_KNOWN = tuple(_TYPES.split(", "))
NO_CUDA = "Torch not compiled with CUDA enabled"
_default = None  # what set_default_device chose (None: the CPU)
_outer = []  # the defaults that ``with device(...)`` blocks replaced, innermost last


class device:
    """A device name: a type ('cpu', 'cuda', ...) and an optional index, as in PyTorch."""

    __slots__ = ("type", "index")

    def __init__(self, type, index=None):
        if isinstance(type, device):
            type, index = type.type, type.index if index is None else index
        elif isinstance(type, int) and not isinstance(type, bool):
            raise RuntimeError("Cannot access accelerator device when none is available.")
        elif not isinstance(type, str):
            raise TypeError(f"device() received an invalid combination of arguments - got "
                            f"({_typename(type)}), but expected one of:\n"
                            " * (torch.device device)\n      didn't match because some of the "
                            f"arguments have invalid types: (!{_typename(type)}!)\n"
                            " * (str type, int index = -1)\n")
        else:
            name, _, number = type.partition(":")
            if name not in _KNOWN:
                raise RuntimeError(f"Expected one of {_TYPES} device type at start of device "
                                   f"string: {type}")
            if number:
                if index is not None:
                    raise RuntimeError(f"type (string) must not include an index because index "
                                       f"was passed explicitly: {type}")
                if not number.isdigit():
                    raise RuntimeError(f"Invalid device string: '{type}'")
                index = int(number)
            type = name
        if index is not None and index < 0:
            raise RuntimeError("Device index must not be negative")
        object.__setattr__(self, "type", type)
        object.__setattr__(self, "index", index)

    def __setattr__(self, name, value):
        raise AttributeError(f"attribute '{name}' of 'torch.device' objects is not writable")

    def __repr__(self):
        if self.index is None:
            return f"device(type='{self.type}')"
        return f"device(type='{self.type}', index={self.index})"

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if not isinstance(other, device):
            return False
        return (self.type, self.index) == (other.type, other.index)

    def __hash__(self):
        return hash((self.type, self.index))

    def __reduce__(self):
        return (device, (self.type, self.index))

    # ``with torch.device("cpu"):`` makes it the default device inside the block
    def __enter__(self):
        global _default
        _outer.append(_default)
        _default = self
        return self

    def __exit__(self, *exc):
        global _default
        _default = _outer.pop()
        return False


def _typename(value):
    return type(value).__name__


def check(spec):
    """The CPU device for a ``device=`` argument (None means the default device); any other
    device raises PyTorch's error for a build without it."""
    if spec is None:
        if _default is None:
            return _CPU
        spec = _default
    d = spec if isinstance(spec, device) else device(spec)
    if d.type == "cpu":
        return _CPU
    if d.type == "cuda":
        raise AssertionError(NO_CUDA)
    raise NotImplementedError(f"Could not run 'aten::empty.memory_format' with arguments from the "
                              f"'{d.type.upper()}' backend. minigrad computes on the CPU only.")


_CPU = device("cpu")


def set_default_device(spec):
    """Make ``spec`` the device new tensors are created on (None: back to the CPU). As in a
    PyTorch build without CUDA, choosing 'cuda' succeeds and creating a tensor then fails."""
    global _default
    _default = None if spec is None else (spec if isinstance(spec, device) else device(spec))


def get_default_device():
    """The device new tensors are created on: the CPU unless ``set_default_device`` chose
    another (a CUDA device without an index raises, as no current CUDA device exists)."""
    if _default is None or _default.type == "cpu":
        return _CPU
    if _default.type == "cuda" and _default.index is None:
        raise AssertionError(NO_CUDA)
    return _default
