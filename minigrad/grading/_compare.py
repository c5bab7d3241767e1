"""Judging, in the grading process: a value a submission sent against the reference's.

Both are the JSON that ``checks.encode`` makes; the reference's is trusted (its own kernel), the
submission's is not (any JSON at all): every access here is checked, and what cannot be read is a
wrong value. A difference is described without the expected value.
"""
import math

_NUMBERS = {"int", "float"}
_ARRAYS = {"tensor", "array"}
_SEQUENCES = {"list", "tuple"}
_KIND_NAMES = {"none": "None", "bool": "a bool", "int": "a number", "float": "a number",
               "str": "a string", "tensor": "a tensor", "array": "a numpy array",
               "list": "a list", "tuple": "a tuple", "dict": "a dict", "object": "an object",
               "too big": "too big to send"}


def _kind(value):
    kind = value.get("kind") if isinstance(value, dict) else None
    return kind if isinstance(kind, str) else None


def _group(kind):
    if kind in _NUMBERS:
        return "number"
    if kind in _SEQUENCES:
        return "sequence"
    return kind


def _describe_kind(value):
    kind = _kind(value)
    if kind == "object":
        name = value.get("type")
        return f"an object of type {name}" if isinstance(name, str) else "an object"
    return _KIND_NAMES.get(kind, "unreadable")


def _as_float(x):
    if isinstance(x, bool):
        return float(x)
    if isinstance(x, (int, float)):
        return float(x)
    if x in ("nan", "inf", "-inf"):
        return float(x)
    return None


def _close(a, b, rtol, atol):
    """numpy.isclose for two floats, NaN equal to NaN."""
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= atol + rtol * abs(b)


def _shape(value):
    shape = value.get("shape")
    if isinstance(shape, list) and all(isinstance(n, int) and not isinstance(n, bool)
                                       for n in shape):
        return tuple(shape)
    return None


def _fmt_shape(shape):
    return "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"


def difference(got, expected, rtol, atol, where=""):
    """None if ``got`` matches ``expected``; otherwise a sentence on what differs."""
    gk, ek = _kind(got), _kind(expected)
    label = f"{where} " if where else ""
    if _group(gk) != _group(ek):
        return f"{label}is {_describe_kind(got)}, it should be {_describe_kind(expected)}"
    if ek in _NUMBERS:
        a, b = _as_float(got.get("value")), _as_float(expected.get("value"))
        if a is None or not _close(a, b, rtol, atol):
            return f"{label}is not the expected number"
        return None
    if ek in _ARRAYS:
        gs, es = _shape(got), _shape(expected)
        if gs != es:
            return (f"{label}has the shape {_fmt_shape(gs) if gs is not None else '(unreadable)'}"
                    f", it should have the shape {_fmt_shape(es)}")
        gv, ev = got.get("values"), expected.get("values")
        if not isinstance(gv, list) or len(gv) != len(ev):
            return f"{label}has unreadable values"
        wrong = 0
        for a, b in zip(gv, ev):
            a, b = _as_float(a), _as_float(b)
            if a is None or b is None or not _close(a, b, rtol, atol):
                wrong += 1
        if wrong:
            return f"{label}is wrong in {wrong} of its {len(ev)} numbers"
        return None
    if ek in _SEQUENCES:
        gi, ei = got.get("items"), expected.get("items")
        if not isinstance(gi, list):
            return f"{label}is unreadable"
        if len(gi) != len(ei):
            return f"{label}has {len(gi)} items, it should have {len(ei)}"
        wrong = [k for k, (a, b) in enumerate(zip(gi, ei)) if difference(a, b, rtol, atol)]
        if not wrong:
            return None
        if len(wrong) == 1:
            inner = difference(gi[wrong[0]], ei[wrong[0]], rtol, atol, f"item {wrong[0]}")
            return f"{label}is wrong: its {inner}"
        return f"{label}is wrong in {len(wrong)} of its {len(ei)} items"
    if ek == "dict":
        gi, ei = got.get("items"), expected.get("items")
        if not isinstance(gi, list) or not all(isinstance(p, list) and len(p) == 2 and
                                               isinstance(p[0], str) for p in gi):
            return f"{label}is unreadable"
        gd, ed = dict(gi), dict(ei)
        if set(gd) != set(ed):
            return f"{label}has the keys {sorted(gd)}, it should have {sorted(ed)}"
        wrong = [k for k in sorted(ed) if difference(gd[k], ed[k], rtol, atol)]
        if wrong:
            return f"{label}is wrong at the keys {', '.join(wrong)}"
        return None
    if ek == "object":
        return None if got.get("type") == expected.get("type") else f"{label}is the wrong type"
    if ek == "too big":
        return f"{label}is not the expected value"
    if got.get("value") != expected.get("value"):
        return f"{label}is not the expected value"
    return None


def render(value, limit=200):
    """A short, readable rendering of a value's JSON (for a student's own value or a shown one)."""
    text = _render(value, 0)
    return text if len(text) <= limit else text[:limit] + " ..."


def _render(value, depth):
    kind = _kind(value)
    if depth > 6:
        return "..."
    if kind == "none":
        return "None"
    if kind in ("bool", "int", "float"):
        return _num(value.get("value"))
    if kind == "str":
        v = value.get("value")
        return repr(v[:200]) if isinstance(v, str) else "?"
    if kind in _ARRAYS:
        shape, values = _shape(value), value.get("values")
        if shape is None or not isinstance(values, list):
            return "?"
        flat = ", ".join(_num(v) for v in values[:20]) + (", ..." if len(values) > 20 else "")
        name = "tensor" if kind == "tensor" else "array"
        return f"{name}([{flat}], shape={_fmt_shape(shape)})"
    if kind in _SEQUENCES:
        items = value.get("items")
        if not isinstance(items, list):
            return "?"
        inner = ", ".join(_render(v, depth + 1) for v in items[:20])
        inner += ", ..." if len(items) > 20 else ""
        return f"[{inner}]" if kind == "list" else f"({inner})"
    if kind == "dict":
        items = value.get("items")
        if not isinstance(items, list):
            return "?"
        parts = [f"{p[0]}: {_render(p[1], depth + 1)}" for p in items[:20]
                 if isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)]
        return "{" + ", ".join(parts) + "}"
    return _describe_kind(value)


def _num(v):
    if isinstance(v, float):
        return f"{v:.6g}"
    if isinstance(v, (bool, int)) or v in ("nan", "inf", "-inf"):
        return str(v)
    return "?"
