"""The one grad-mode switch. Change it only through these context managers / decorators."""
import functools

from ._args import bool_arg

_enabled = True


def is_grad_enabled():
    """True when operations on tensors that require grad are recorded in a graph."""
    return _enabled


def _set(mode):
    global _enabled
    _enabled = bool(mode)


class _GradMode:
    """Base: a context manager that sets the mode on entry and restores the old one on exit;
    used as a decorator it wraps each call of the function the same way."""

    mode = True

    def __enter__(self):
        self._prev = _enabled
        _set(self.mode)
        return None

    def __exit__(self, *exc):
        _set(self._prev)
        return False

    def __call__(self, fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__()


class _BareDecorator(_GradMode):
    """Also usable without parentheses: ``@no_grad`` as well as ``@no_grad()``."""

    def __new__(cls, orig_func=None, *args):
        if callable(orig_func):
            return cls()(orig_func)
        return super().__new__(cls)


class no_grad(_BareDecorator):
    """Context manager and decorator: nothing computed inside is recorded for backward."""

    mode = False


class enable_grad(_BareDecorator):
    """Context manager and decorator: record graphs again (e.g. inside ``no_grad``)."""

    mode = True


class set_grad_enabled(_GradMode):
    """Sets grad mode at once; as a context manager, restores the previous mode on exit."""

    def __init__(self, mode):
        mode = bool_arg(mode, "enabled", "set_grad_enabled", 1)
        self._prev = _enabled
        self.mode = mode
        _set(mode)

    def __enter__(self):
        return None

    def __call__(self, fn):
        _set(self._prev)  # as a decorator, it must not change the mode where it is defined
        mode = self.mode

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with set_grad_enabled(mode):
                return fn(*args, **kwargs)

        return wrapper

    def clone(self):
        return self.__class__(self.mode)


class inference_mode(no_grad):
    """Like ``no_grad`` (minigrad has no separate inference tensors)."""

    def __new__(cls, mode=True):
        if not isinstance(mode, bool):  # PyTorch: anything else is a function to decorate
            return cls()(mode)
        return object.__new__(cls)

    def __init__(self, mode=True):
        self.mode = not mode
