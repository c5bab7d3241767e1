"""What an expression gives, as a value to compare between minigrad and PyTorch."""


def error_of(fn):
    """(exception type name, message) raised by ``fn()``, or None when it returns."""
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the type and text are what we compare
        return type(e).__name__, str(e)
    return None


def outcome(fn, lib):
    """What ``fn(lib)`` gives: ("ok", value) or (exception type name, message)."""
    try:
        return "ok", fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception is the outcome being compared
        return type(e).__name__, str(e)
