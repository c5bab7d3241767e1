"""What a check cell calls in the kernel: ``check(name, value)`` sends a value, never a verdict.

A sheet's set-up cell imports it (``from minigrad.grading.checks import check``). The value is
turned into plain JSON data (:func:`encode`) and published as display data of the MIME type
:data:`MIME` over the kernel's message channel; the grading process, outside the kernel, compares
it with what the reference sent. Nothing here knows an expected value, and nothing here can pass
or fail: in a kernel with no grader listening, a check only shows what it would send.

This module imports nothing beyond the standard library at import time (numpy and IPython only
when there is a value to send), so that a sheet runs under ``import torch`` as well.
"""
import math

MIME = "application/vnd.minigrad.check+json"
MAX_ITEMS = 100_000  # numbers, list items, dict entries or characters in one value
MAX_DEPTH = 20


class _TooBig(Exception):
    pass


def _number(x):
    """A float as JSON can hold it: NaN and the infinities as strings."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def _array(kind, dtype, shape, flat, extra=None):
    if len(flat) > MAX_ITEMS:
        raise _TooBig(f"{len(flat)} numbers")
    values = []
    for v in flat:
        if isinstance(v, bool):
            values.append(v)
        elif isinstance(v, int):
            values.append(v if abs(v) < 2 ** 53 else float(v))
        elif isinstance(v, complex):
            values.append([_number(v.real), _number(v.imag)])
        else:
            values.append(_number(v))
    out = {"kind": kind, "dtype": dtype, "shape": list(shape), "values": values}
    if extra:
        out.update(extra)
    return out


def _tensor(value):
    import numpy as np
    t = value.detach() if hasattr(value, "detach") else value
    a = np.asarray(t.cpu().numpy() if hasattr(t, "cpu") else t.numpy())
    return _array("tensor", str(value.dtype).replace("torch.", ""), a.shape, a.ravel().tolist(),
                  {"requires_grad": bool(getattr(value, "requires_grad", False))})


def _is_tensor(value):
    # minigrad's and PyTorch's tensors, without importing either
    module = type(value).__module__ or ""
    return (module.split(".")[0] in {"minigrad", "torch"}
            and type(value).__name__ in {"Tensor", "Parameter"})


def encode(value, _depth=0):
    """``value`` as JSON data: {"kind": ..., ...}; any object is sent as at most its type name."""
    if _depth > MAX_DEPTH:
        raise _TooBig("nested too deeply")
    if value is None:
        return {"kind": "none"}
    if isinstance(value, bool):
        return {"kind": "bool", "value": value}
    if isinstance(value, int):
        return {"kind": "int", "value": value if abs(value) < 2 ** 53 else float(value)}
    if isinstance(value, float):
        return {"kind": "float", "value": _number(value)}
    if isinstance(value, str):
        if len(value) > MAX_ITEMS:
            raise _TooBig(f"a string of {len(value)} characters")
        return {"kind": "str", "value": value}
    if _is_tensor(value):
        return _tensor(value)
    if type(value).__module__ == "numpy":
        import numpy as np
        if isinstance(value, np.ndarray):
            return _array("array", str(value.dtype), value.shape, value.ravel().tolist())
        if isinstance(value, np.generic):
            return encode(value.item(), _depth + 1)
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise _TooBig(f"{len(value)} items")
        kind = "list" if isinstance(value, list) else "tuple"
        return {"kind": kind, "items": [encode(v, _depth + 1) for v in value]}
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise _TooBig(f"{len(value)} entries")
        items = sorted(((repr(k), encode(v, _depth + 1)) for k, v in value.items()),
                       key=lambda kv: kv[0])
        return {"kind": "dict", "items": [list(kv) for kv in items]}
    return {"kind": "object", "type": type(value).__name__}


def check(name, value, *, rtol=1e-5, atol=1e-8, show=False, hint=None):
    """Send ``value`` (what the student's code produced) to the grader, as ``name``.

    The grader compares it with the reference's value of the same name in the same cell, with
    the reference's ``rtol``/``atol`` (numbers, as numpy.isclose), ``show`` (may the feedback
    show the expected value) and ``hint`` (a sentence for a wrong value).
    """
    try:
        data = encode(value)
    except _TooBig as e:
        data = {"kind": "too big", "what": str(e)}
    report = {"name": str(name), "value": data, "rtol": float(rtol), "atol": float(atol),
              "show": bool(show), "hint": None if hint is None else str(hint)}
    text = f"check {name!s}: sent to the grader"
    try:
        from IPython import get_ipython
        from IPython.display import publish_display_data
        in_kernel = get_ipython() is not None
    except ImportError:
        in_kernel = False
    if in_kernel:
        publish_display_data({MIME: report, "text/plain": text})
    else:
        print(text)
