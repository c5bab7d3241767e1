"""What a check cell uses to hold a "by hand" exercise to its word, in the kernel.

A sheet's set-up cell imports them (``from minigrad.grading.byhand import attempt, ...``); the
check cell sends what they return with ``check``, and the grader judges it outside the kernel.
"By hand" is checked two ways, because either alone can be fooled:

- :func:`delegating_calls` reads the function's source with :mod:`ast` for calls that hand the
  work to autograd or optim (``backward``, ``grad``, ``step``, ``SGD``, ...), for ``getattr``,
  ``eval``, ``exec`` and for imports, whatever the strings, aliases or spacing;
- :func:`autograd_unavailable` runs the function with autograd's entry points, minigrad's engine
  and every optimiser's ``step`` replaced by a function that raises, so that a call reached any
  other way (a name bound before, ``vars(torch)[...]``) fails when the function runs;
- :func:`attributes_read` reads the source for attributes a sheet forbids (``.data``), and for
  the calls that reach an attribute by a string (``getattr(w, "da" "ta")``, ``vars``);
- :func:`attempt` turns that failure (any error) into a value the check sends.

This module imports only the standard library and minigrad.
"""
import ast
import inspect
import textwrap
from contextlib import ExitStack, contextmanager
from unittest import mock

import minigrad
import minigrad.autograd.functional  # noqa: F401  (patched below)
import minigrad.optim
from minigrad import _engine

DELEGATING = frozenset({
    "backward", "grad", "backward_steps", "run_backward", "vjp", "jvp", "jacobian", "hessian",
    "hvp", "vhp", "step", "SGD", "Adam", "RMSprop", "getattr", "eval", "exec", "__import__",
    "import_module"})

_FUNCTIONAL = ("vjp", "jvp", "jacobian", "hessian", "hvp", "vhp")
_ENGINE = ("backward_steps", "run_backward")


def delegating_calls(fn, allowed=()):
    """The names of the calls in ``fn``'s source that would hand the work to autograd or optim
    (from :data:`DELEGATING`, but not those in ``allowed``), plus ``"import"`` for any import
    statement; sorted. ``[]`` for a function that works by hand."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in DELEGATING and name not in allowed:
                found.add(name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            found.add("import")
    return sorted(found)


_BY_STRING = frozenset({"getattr", "vars", "__getattribute__", "attrgetter", "eval", "exec"})


def attributes_read(fn, names):
    """The attributes among ``names`` that ``fn``'s source reads (``w.data``), plus the calls
    that can read any attribute from a string (``getattr``, ``vars``, ``eval``, ...); sorted.
    ``[]`` for a function that reads none of them."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(fn)))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:
            found.add(node.attr)
        elif isinstance(node, ast.Call):
            f = node.func
            name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", None)
            if name in _BY_STRING:
                found.add(name)
    return sorted(found)


def _unavailable(*args, **kwargs):
    raise RuntimeError("not available in this exercise: work it out by hand")


def _optimizers():
    return [cls for cls in vars(minigrad.optim).values()
            if isinstance(cls, type) and issubclass(cls, minigrad.optim.Optimizer)]


@contextmanager
def autograd_unavailable(keep=()):
    """While the block runs, ``Tensor.backward``, ``autograd.grad``/``backward``, the functional
    API (``vjp``, ``jacobian``, ...), the engine and every optimiser's ``step`` raise
    ``RuntimeError``, except the names in ``keep``; keeping ``"grad"`` keeps the engine it runs.
    Everything is restored on leaving the block, even after an error."""
    keep = set(keep) | (set(_ENGINE) if "grad" in keep else set())
    owners = [(minigrad.Tensor, "backward")]
    owners += [(minigrad.autograd, n) for n in ("grad", "backward") + _ENGINE
               if hasattr(minigrad.autograd, n)]
    owners += [(minigrad.autograd.functional, n) for n in _FUNCTIONAL
               if hasattr(minigrad.autograd.functional, n)]
    owners += [(cls, "step") for cls in _optimizers() if "step" in vars(cls)]
    owners += [(_engine, n) for n in _ENGINE]
    with ExitStack() as stack:
        for owner, name in owners:
            if name not in keep:
                stack.enter_context(mock.patch.object(owner, name, _unavailable))
        yield


def attempt(fn, *args):
    """``fn(*args)``, or the error it raised as a string ``"raised TypeError: ..."`` (at most
    120 characters of its message): an error is an answer too, and the check sends it."""
    try:
        return fn(*args)
    except Exception as e:  # noqa: BLE001  (any error the student's code raises)
        return f"raised {type(e).__name__}: {str(e)[:120]}"
