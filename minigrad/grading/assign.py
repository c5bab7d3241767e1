"""``minigrad-assign SOURCE.ipynb --out DIR``: the student release of a sheet.

The source is run in a kernel of its own (its checks must send values, its known wrong answers
must fail); DIR/student/SOURCE.ipynb is then the sheet with the solutions replaced by
``# YOUR CODE HERE`` stubs, without hidden checks, wrong answers or outputs, and with what
``minigrad-check`` needs in its metadata: for each public check its options, the kind and shape of
its expected value, and the value itself only where the check says ``show=True``.
"""
import argparse
import os
from pathlib import Path

from ._cli import exit_with

DEFAULT_TIMEOUT = 60.0  # seconds per cell


def structure(value):
    """What may be said of an expected value without giving it: its kind, shape or length."""
    kind = value.get("kind")
    out = {"kind": kind}
    if kind in ("tensor", "array"):
        out["shape"] = value["shape"]
    elif kind in ("list", "tuple", "dict"):
        out["length"] = len(value["items"])
    return out


def public_checks(expected):
    """{key: what the student release holds about it} for the public values."""
    public = {}
    for key, report in expected.values.items():
        if expected.hidden[key]:
            continue
        entry = {"check": expected.check_of[key], "name": report["name"],
                 "rtol": report["rtol"], "atol": report["atol"], "hint": report.get("hint"),
                 "structure": structure(report["value"])}
        if report.get("show"):
            entry["expected"] = report["value"]
            entry["wrong"] = [[value, hint] for value, hint in expected.wrong.get(key, [])]
        public[key] = entry
    return public


def assign(source, out, cell_timeout=DEFAULT_TIMEOUT, limits=None, require_sandbox=False):
    """Write DIR/student/NAME; return its path."""
    from ._notebook import student_version, write_notebook
    from ._sandbox import Limits
    from .grade import check_options, expected_values, load_sheet, use_sandbox
    check_options(cell_timeout)
    limits = limits or Limits()
    limits.check()
    source, out = Path(source), Path(out)
    sheet = load_sheet(source)
    expected = expected_values(sheet, cell_timeout, limits, use_sandbox(require_sandbox),
                               os.cpu_count())
    path = out / "student" / source.name
    write_notebook(student_version(sheet, public_checks(expected)), path)
    return path


def main(argv=None):
    """The command line of minigrad-assign; returns the exit code."""
    from .grade import _limits_from, add_limit_flags
    parser = argparse.ArgumentParser(
        prog="minigrad-assign",
        description="Make the student release of an exercise sheet (no solutions, no hidden "
                    "checks).")
    parser.add_argument("source", help="the source sheet, with solutions and checks")
    parser.add_argument("--out", required=True, help="folder to write student/ to")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="time limit of one cell, in seconds (default %(default)g)")
    add_limit_flags(parser)
    args = parser.parse_args(argv)
    print(assign(args.source, args.out, args.timeout, _limits_from(args), args.require_sandbox))
    return 0


def cli():
    """Console-script entry point."""
    exit_with(main)


if __name__ == "__main__":
    cli()
