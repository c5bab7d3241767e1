"""``minigrad-assign SOURCE.ipynb --out DIR``: the student version and the executed reference.

DIR/student/SOURCE.ipynb has the solutions replaced by ``# YOUR CODE HERE`` stubs, hidden tests
removed and no outputs; DIR/reference/SOURCE.ipynb is the source run top to bottom, outputs kept.
"""
import argparse
from pathlib import Path

from ._cli import exit_with

DEFAULT_TIMEOUT = 60.0  # seconds per cell


def executed_reference(source, cell_timeout=DEFAULT_TIMEOUT):
    """The source notebook run in a fresh kernel (in its own folder): its checks must pass."""
    from ._notebook import find_exercises, read_notebook, student_version
    from ._run import execute
    source = Path(source)
    nb = read_notebook(source)
    find_exercises(nb, source.name)
    student_version(nb)  # fails early on unbalanced solution markers
    return execute(nb, source.resolve().parent, cell_timeout, source.name)


def assign(source, out, cell_timeout=DEFAULT_TIMEOUT):
    """Write DIR/student/NAME and DIR/reference/NAME; return the two paths."""
    from ._notebook import read_notebook, student_version, write_notebook
    from .grade import check_options
    check_options(cell_timeout)
    source, out = Path(source), Path(out)
    reference = executed_reference(source, cell_timeout)
    student = student_version(read_notebook(source))
    paths = out / "student" / source.name, out / "reference" / source.name
    write_notebook(student, paths[0])
    write_notebook(reference, paths[1])
    return paths


def main(argv=None):
    """The command line of minigrad-assign; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="minigrad-assign",
        description="Make the student version and the executed reference of an exercise "
                    "notebook.")
    parser.add_argument("source", help="the exercise notebook, with solutions and checks")
    parser.add_argument("--out", required=True, help="folder to write student/ and reference/ to")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="time limit of one cell, in seconds (default %(default)g)")
    args = parser.parse_args(argv)
    for path in assign(args.source, args.out, args.timeout):
        print(path)
    return 0


def cli():
    """Console-script entry point."""
    exit_with(main)


if __name__ == "__main__":
    cli()
