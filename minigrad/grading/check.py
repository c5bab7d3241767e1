"""``minigrad-check NOTEBOOK.ipynb``: a student's own check, from the student release alone.

The notebook runs top to bottom in a fresh kernel (sandboxed where bubblewrap runs), as the
grader runs it, and each public check's value is compared with what the release says of it: the
expected value where the sheet shows it, otherwise its kind and shape only (the grader alone
knows the value, and it also runs hidden checks). Prints what it finds; exit code 0 when nothing
is wrong, 1 otherwise, 2 on bad input.
"""
import argparse
from pathlib import Path

from ._cli import GradingError, exit_with

DEFAULT_TIMEOUT = 60.0  # seconds per cell


def _structure_difference(got, structure):
    from ._compare import _group, _describe_kind
    kind = got.get("kind") if isinstance(got, dict) else None
    if _group(kind) != _group(structure.get("kind")):
        return f"is {_describe_kind(got)}, it should be {_describe_kind(structure)}"
    if "shape" in structure and got.get("shape") != structure["shape"]:
        return f"has the shape {tuple(got.get('shape') or ())}, it should have the shape " \
               f"{tuple(structure['shape'])}"
    if "length" in structure and len(got.get("items") or []) != structure["length"]:
        return f"has {len(got.get('items') or [])} items, it should have {structure['length']}"
    return None


def check(notebook, cell_timeout=DEFAULT_TIMEOUT, require_sandbox=False, limits=None):
    """Run the notebook and compare; (lines of the report, number of problems)."""
    from ._compare import difference, render
    from ._notebook import read_notebook, read_sheet, steps
    from ._report import _code, keyed
    from ._run import OK, run_steps
    from ._sandbox import Limits
    from .grade import check_options, use_sandbox
    check_options(cell_timeout)
    notebook = Path(notebook)
    nb = read_notebook(notebook)
    public = nb.metadata.get("minigrad", {}).get("public")
    if not isinstance(public, dict):
        raise GradingError(f"{notebook.name}: not a student release (no public checks in its "
                           "metadata; make it with minigrad-assign)")
    sheet = read_sheet(nb, notebook.name)
    plan = steps(sheet, {ex.id: nb.cells[ex.solution].source for ex in sheet.exercises})
    run = run_steps(plan, cell_timeout, limits or Limits(), use_sandbox(require_sandbox, False))
    got = keyed(plan, run.steps)
    lines, problems = [], 0
    for step, result in zip(plan, run.steps):
        if result.status != OK:
            problems += 1
            what = result.error or result.status
            lines.append(f"- {_code(step.id)} did not run through: {_code(what)}")
    for key, entry in public.items():
        value = got.get(key)
        name = f"{_code(entry['check'])}: {_code(entry['name'])}"
        if value is None:
            problems += 1
            lines.append(f"- {name}: no value was sent")
            continue
        v = value.get("value")
        if "expected" in entry:
            why = difference(v, entry["expected"], entry["rtol"], entry["atol"])
            if why is None:
                lines.append(f"- {name}: right")
                continue
            hints = [entry["hint"]] if entry.get("hint") else []
            hints += [h for w, h in entry.get("wrong", [])
                      if difference(v, w, entry["rtol"], entry["atol"]) is None]
            problems += 1
            lines.append(f"- {name}: {why}; yours is {_code(render(v))}, expected "
                         f"{_code(render(entry['expected']))}." + "".join(f" {h}" for h in hints))
            continue
        why = _structure_difference(v, entry["structure"])
        if why is None:
            lines.append(f"- {name}: the right kind and shape; the value is checked when graded")
        else:
            problems += 1
            lines.append(f"- {name}: {why}." + (f" {entry['hint']}" if entry.get("hint") else ""))
    if run.crash:
        lines.append(f"- the kernel stopped: {run.crash}")
    head = (f"{notebook.name}: {problems} problem(s) found" if problems else
            f"{notebook.name}: no problem found in the public checks")
    return [head, "", *lines, "", "The grader also runs hidden checks, on other inputs."], problems


def main(argv=None):
    """The command line of minigrad-check; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="minigrad-check",
        description="Check your answers in an exercise notebook against its public checks.")
    parser.add_argument("notebook", help="your exercise notebook (the student release, answered)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="time limit of one cell, in seconds (default %(default)g)")
    parser.add_argument("--require-sandbox", action="store_true",
                        help="fail unless the notebook runs in a bubblewrap sandbox")
    args = parser.parse_args(argv)
    lines, problems = check(args.notebook, args.timeout, args.require_sandbox)
    print("\n".join(lines))
    return 0 if problems == 0 else 1


def cli():
    """Console-script entry point."""
    exit_with(main)


if __name__ == "__main__":
    cli()
