"""DOT text -> SVG or PNG bytes, with whichever renderer this machine has; never raises.

Tried in order: the system Graphviz ``dot``; then ``graphviz-pure``, a self-contained
dot-compatible program that pip installs with this package (so a pip-only install draws graphs);
then none: the caller shows the DOT source with ``INSTALL_HINT``. What a renderer prints on stderr
(graphviz-pure warns about non-ASCII labels) is captured and returned, never shown in a notebook.
"""
import os
import shutil
import subprocess
import sys
import sysconfig
from typing import NamedTuple

from graphviz.backend import dot_command

BACKENDS = ("dot", "graphviz-pure")
INSTALL_HINT = ("No Graphviz renderer found: run `pip install graphviz-pure` (or install "
                "Graphviz) to draw this graph; its DOT source is shown instead.")
TIMEOUT = 60  # seconds: a renderer that hangs must not hang the notebook


class Rendered(NamedTuple):
    """The result of one render: ``data`` is None when no renderer could draw the graph."""

    data: object  # bytes, or None
    format: str
    backend: object  # "dot", "graphviz-pure", or None
    stderr: str  # what the renderer printed (warnings)
    error: str  # why no renderer drew it ('' when one did)


def find_renderer(backend):
    """Path of the program for ``backend`` ("dot" or "graphviz-pure"), or None if absent."""
    if backend == "dot":
        return shutil.which("dot")
    if backend == "graphviz-pure":
        found = shutil.which("graphviz-pure")
        if found:
            return found
        # A kernel started from a virtual environment that is not activated: the program is
        # next to this Python, not on PATH.
        for folder in (sysconfig.get_path("scripts"), os.path.dirname(sys.executable)):
            for name in ("graphviz-pure", "graphviz-pure.exe"):
                path = os.path.join(folder, name)
                if os.path.isfile(path) and os.access(path, os.X_OK):
                    return path
        return None
    raise ValueError(f"unknown renderer {backend!r}: expected one of {BACKENDS}")


def render(source, format="svg", backend=None, timeout=TIMEOUT):
    """``Rendered`` of DOT ``source`` in ``format`` ("svg", "png"...), by ``backend`` or by the
    first renderer found; with ``backend="source"`` (or none found) nothing is rendered."""
    if backend == "source":
        return Rendered(None, format, None, "", "rendering turned off")
    errors = []
    for name in (backend,) if backend else BACKENDS:
        program = find_renderer(name)
        if program is None:
            errors.append(f"{name}: not found")
            continue
        command = dot_command.command("dot", format)
        command[0] = program  # the graphviz package's command line, with the program we found
        try:
            done = subprocess.run(command, input=source.encode("utf-8"), capture_output=True,
                                  timeout=timeout)
        except (OSError, subprocess.SubprocessError) as error:
            errors.append(f"{name}: {type(error).__name__}: {error}")
            continue
        stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode == 0 and done.stdout:
            return Rendered(done.stdout, format, name, stderr, "")
        first = stderr.strip().splitlines()[:1]
        errors.append(f"{name}: exit status {done.returncode}" + (f": {first[0]}" if first else ""))
    return Rendered(None, format, None, "", "; ".join(errors))
