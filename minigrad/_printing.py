"""Tensor printing, ported from PyTorch's ``torch/_tensor_str.py``.

``format_tensor`` turns a numpy array into exactly the string PyTorch 2.x
produces for ``repr(tensor)``: the ``tensor(`` prefix, nested brackets,
column alignment, fixed/scientific/integer float modes, summarisation with
``...`` above ``threshold`` elements, line wrapping at ``linewidth`` and the
``dtype=`` / ``size=`` / ``grad_fn=`` / ``requires_grad=`` suffixes.

Only the dense, strided, real-valued CPU path of PyTorch is ported (no
complex, sparse, quantized, nested or device suffixes).  The structure and
names follow the original so the two can be compared side by side.

As in PyTorch, floating values are converted to float64 (Python floats)
before being formatted with ``'{:.4f}'`` / ``'{:.4e}'``, so a float32 ``0.1``
prints as ``0.1000``.
"""

import dataclasses
import math

import numpy as np

__all__ = ["set_printoptions", "get_printoptions", "printoptions", "format_tensor"]


@dataclasses.dataclass
class _PrinterOptions:
    precision: int = 4
    threshold: float = 1000
    edgeitems: int = 3
    linewidth: int = 80
    sci_mode: bool | None = None


PRINT_OPTS = _PrinterOptions()

_PROFILES = {
    "default": dict(precision=4, threshold=1000, edgeitems=3, linewidth=80),
    "short": dict(precision=2, threshold=1000, edgeitems=2, linewidth=80),
    "full": dict(precision=4, threshold=math.inf, edgeitems=3, linewidth=80),
}


# ---------------------------------------------------------------------------
# Options
# ---------------------------------------------------------------------------


def set_printoptions(
    precision=None,
    threshold=None,
    edgeitems=None,
    linewidth=None,
    profile=None,
    sci_mode=None,
):
    """Set printing options; same semantics as ``torch.set_printoptions``.

    As in PyTorch, ``sci_mode`` is always assigned (omitting it resets it to
    ``None``, i.e. automatic), and an unknown ``profile`` is ignored.
    """
    if profile is not None and profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions():
    """Return the current options as a dict usable as ``set_printoptions(**d)``."""
    return dataclasses.asdict(PRINT_OPTS)


class printoptions:
    """Context manager that temporarily changes the print options."""

    def __init__(self, **kwargs):
        self._kwargs = kwargs
        self._saved = None

    def __enter__(self):
        self._saved = get_printoptions()
        set_printoptions(**self._kwargs)
        return self

    def __exit__(self, *exc_info):
        set_printoptions(**self._saved)
        return False


# ---------------------------------------------------------------------------
# Element formatting
# ---------------------------------------------------------------------------


def _is_floating(array):
    """True for float16/32/64 arrays."""
    return np.issubdtype(array.dtype, np.floating)


def _to_python(array):
    """Flat list of Python scalars (floats are widened to float64 first)."""
    flat = np.asarray(array).reshape(-1)
    if _is_floating(flat):
        flat = flat.astype(np.float64)
    return flat.tolist()


class _Formatter:
    """Chooses one number format and column width for a whole tensor."""

    def __init__(self, array):
        self.floating_dtype = _is_floating(array)
        self.int_mode = True
        self.sci_mode = False
        self.max_width = 1

        if not self.floating_dtype:
            for value in _to_python(array):
                self.max_width = max(self.max_width, len(f"{value}"))
            return

        flat = np.asarray(array).reshape(-1)
        nonzero_finite = flat[np.isfinite(flat) & (flat != 0)]
        if nonzero_finite.size == 0:
            # no valid number, do nothing
            return

        values = nonzero_finite.astype(np.float64)
        abs_values = np.abs(values)
        min_abs = float(abs_values.min())
        max_abs = float(abs_values.max())
        self.int_mode = bool(np.all(values == np.ceil(values)))

        if PRINT_OPTS.sci_mode is None:
            self.sci_mode = max_abs / min_abs > 1000.0 or max_abs > 1.0e8 or min_abs < 1.0e-4
        else:
            self.sci_mode = PRINT_OPTS.sci_mode

        self.max_width = max(self.max_width, self._widest(values.tolist()))

    def _widest(self, values):
        """Width of the widest formatted nonzero finite value."""
        precision = PRINT_OPTS.precision
        if self.sci_mode:
            return max(len(f"{v:.{precision}e}") for v in values)
        if self.int_mode:
            # a trailing "." marks integer-valued floats; count it
            return max(len(f"{v:.0f}") + 1 for v in values)
        return max(len(f"{v:.{precision}f}") for v in values)

    def width(self):
        """Column width shared by all elements."""
        return self.max_width

    def format(self, value):
        """Format one Python scalar, right-aligned to the column width."""
        precision = PRINT_OPTS.precision
        if self.floating_dtype:
            if self.sci_mode:
                ret = f"{value:{self.max_width}.{precision}e}"
            elif self.int_mode:
                ret = f"{value:.0f}"
                if not (math.isinf(value) or math.isnan(value)):
                    ret += "."
            else:
                ret = f"{value:.{precision}f}"
        else:
            ret = f"{value}"
        return (self.max_width - len(ret)) * " " + ret


# ---------------------------------------------------------------------------
# Layout
# ---------------------------------------------------------------------------


def _scalar_str(array, formatter):
    """Body of a 0-d tensor."""
    return formatter.format(_to_python(array)[0])


def _vector_str(array, indent, summarize, formatter):
    """Body of a 1-d tensor, wrapped to the line width."""
    # length includes spaces and comma between elements
    element_length = formatter.width() + 2
    elements_per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    edge = PRINT_OPTS.edgeitems

    if summarize and not edge:
        data = ["..."]
    elif summarize and array.shape[0] > 2 * edge:
        data = (
            [formatter.format(v) for v in _to_python(array[:edge])]
            + [" ..."]
            + [formatter.format(v) for v in _to_python(array[-edge:])]
        )
    else:
        data = [formatter.format(v) for v in _to_python(array)]

    lines = [
        ", ".join(data[i : i + elements_per_line])
        for i in range(0, len(data), elements_per_line)
    ]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _tensor_str_with_formatter(array, indent, summarize, formatter):
    """Body of a tensor of any rank (recursive on the first axis)."""
    dim = array.ndim
    if dim == 0:
        return _scalar_str(array, formatter)
    if dim == 1:
        return _vector_str(array, indent, summarize, formatter)

    edge = PRINT_OPTS.edgeitems
    size = array.shape[0]
    if summarize and size > 2 * edge:
        rows = list(range(edge)) + [None] + list(range(size - edge, size))
    else:
        rows = list(range(size))
    slices = [
        "..." if i is None else _tensor_str_with_formatter(array[i], indent + 1, summarize, formatter)
        for i in rows
    ]
    return "[" + ("," + "\n" * (dim - 1) + " " * (indent + 1)).join(slices) + "]"


def _get_summarized_data(array):
    """The elements that remain visible after summarisation."""
    dim = array.ndim
    edge = PRINT_OPTS.edgeitems
    if dim == 0:
        return array
    if dim == 1:
        if array.shape[0] > 2 * edge:
            # NB: like torch, edge == 0 keeps everything (array[-0:] is all)
            return np.concatenate((array[:edge], array[-edge:]))
        return array
    if not edge:
        return np.empty([0] * dim, dtype=array.dtype)
    size = array.shape[0]
    if size > 2 * edge:
        rows = [array[i] for i in range(edge)] + [array[i] for i in range(size - edge, size)]
    else:
        rows = list(array)
    return np.stack([_get_summarized_data(row) for row in rows])


def _tensor_str(array, indent):
    """Body of a tensor: brackets and numbers, without prefix or suffixes."""
    if array.size == 0:
        return "[]"
    summarize = array.size > PRINT_OPTS.threshold
    formatter = _Formatter(_get_summarized_data(array) if summarize else array)
    return _tensor_str_with_formatter(array, indent, summarize, formatter)


def _add_suffixes(tensor_str, suffixes, indent, force_newline=False):
    """Append ``, suffix`` items, moving one to a new line if it would overflow."""
    tensor_strs = [tensor_str]
    # (sic) this is PyTorch's arithmetic, including the "+ 1"
    last_line_len = len(tensor_str) - tensor_str.rfind("\n") + 1
    for suffix in suffixes:
        suffix_len = len(suffix)
        if force_newline or last_line_len + suffix_len + 2 > PRINT_OPTS.linewidth:
            tensor_strs.append(",\n" + " " * indent + suffix)
            last_line_len = indent + suffix_len
            force_newline = False
        else:
            tensor_strs.append(", " + suffix)
            last_line_len += suffix_len + 2
    tensor_strs.append(")")
    return "".join(tensor_strs)


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


def format_tensor(data, *, dtype_name, default_dtype=False, grad_fn_name=None, requires_grad=False):
    """Return ``repr(tensor)`` exactly as PyTorch prints it, for numpy ``data``.

    ``dtype_name`` is PyTorch's dtype name (e.g. ``'torch.float64'``);
    ``default_dtype`` is True when PyTorch omits ``dtype=`` for this dtype
    (default float dtype, int64, bool); ``grad_fn_name`` (e.g.
    ``'MulBackward0'``) takes precedence over ``requires_grad``.
    """
    data = np.asarray(data)
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []

    if data.size == 0:
        # Explicitly print the shape if it is not (0,), to match NumPy
        if data.ndim != 1:
            suffixes.append("size=" + str(tuple(int(n) for n in data.shape)))
        # Empty tensors show every dtype except the default float dtype
        # (the only floating dtype among the "default" ones).
        if not (default_dtype and _is_floating(data)):
            suffixes.append("dtype=" + dtype_name)
        tensor_str = "[]"
    else:
        if not PRINT_OPTS.edgeitems:
            suffixes.append("size=" + str(tuple(int(n) for n in data.shape)))
        if not default_dtype:
            suffixes.append("dtype=" + dtype_name)
        tensor_str = _tensor_str(data, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")

    return _add_suffixes(prefix + tensor_str, suffixes, indent)
