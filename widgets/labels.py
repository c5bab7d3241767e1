"""Text of the graph's labels: a tensor's shape, dtype, value and gradient, as short lines.

Works on minigrad and PyTorch tensors alike, through the API both share (``shape``, ``dtype``,
``detach().numpy()``), so that the two libraries' graphs read the same side by side.
"""
import numpy as np

SMALL = 16  # tensors with at most this many elements are shown in full
_PRECISION = 4


def shape_text(tensor):
    """``[2, 3]`` for a tensor of shape (2, 3); ``scalar`` for a 0-d tensor."""
    if len(tensor.shape) == 0:
        return "scalar"
    return "[" + ", ".join(str(n) for n in tensor.shape) + "]"


def dtype_text(tensor):
    """``float64`` etc.: empty for float32, the default dtype that needs no mention."""
    name = str(tensor.dtype).replace("torch.", "")
    return "" if name == "float32" else name


def value_lines(tensor, small=SMALL):
    """The values of ``tensor``: every element when it is small, else count/mean/min/max lines."""
    array = _numpy(tensor)
    if array is None:
        return ["(value not readable)"]
    if array.ndim == 0:
        return [_num(array.item()) if array.dtype.kind == "f" else str(array.item())]
    if array.size <= small:
        text = np.array2string(array, precision=_PRECISION, separator=", ", suppress_small=True,
                               floatmode="maxprec_equal", max_line_width=40)
        return text.splitlines()
    if array.dtype.kind == "b":
        return [f"{int(array.sum())} of {array.size} True"]
    if array.dtype.kind not in "iuf":
        return [f"{array.size} elements"]
    data = array.astype(np.float64, copy=False)
    finite = data[np.isfinite(data)]
    if finite.size == 0:
        return [f"{array.size} elements, none finite"]
    return [f"mean {_num(finite.mean())}  std {_num(finite.std())}",
            f"min {_num(finite.min())}  max {_num(finite.max())}"]


def number_text(x):
    """A Python number as a label shows it: ``2``, ``0.5``, ``-1.5``."""
    return str(x) if isinstance(x, int) else _num(x)


def _num(x):
    """A number in at most 4 significant digits, without a memory-dependent repr."""
    return np.format_float_positional(x, precision=_PRECISION, unique=True, fractional=False,
                                      trim="-")


def _numpy(tensor):
    """The tensor's data as a numpy array (no copy when possible), or None if unreadable."""
    try:
        return np.asarray(tensor.detach().numpy())
    except (RuntimeError, TypeError, AttributeError):  # e.g. an unusual dtype of PyTorch's
        return None


def storage_key(tensor):
    """An identity for the memory a tensor's data lives in: equal for a tensor and its detach()."""
    ptr = getattr(tensor, "untyped_storage", None)
    if ptr is not None:  # PyTorch
        try:
            return tensor.untyped_storage().data_ptr()
        except RuntimeError:
            return None
    array = _numpy(tensor)
    if array is None:
        return None
    while isinstance(array.base, np.ndarray):
        array = array.base
    return array.__array_interface__["data"][0] if array.size else None
