"""``minigrad-check NOTEBOOK.ipynb``: a student's own check, graded as minigrad-grade would.

The reference defaults to the notebook of the same name in the project's notebooks/exercises/
(or the one there with the same exercise ids), run on the fly; ``--reference`` picks another.
Prints the feedback; exit code 0 when every exercise passes, 1 otherwise, 2 on bad input.
"""
import argparse
from pathlib import Path

from ._cli import GradingError, exit_with

DEFAULT_TIMEOUT = 60.0  # seconds per cell


def exercises_folder():
    """The project's notebooks/exercises folder (next to the minigrad package)."""
    return Path(__file__).resolve().parents[2] / "notebooks" / "exercises"


def find_reference(notebook):
    """The source notebook in notebooks/exercises that ``notebook`` answers.

    Same file name first; otherwise the one sharing the most solution grade_ids.
    """
    from ._notebook import read_notebook, solution_ids
    notebook, folder = Path(notebook), exercises_folder()
    if (folder / notebook.name).is_file():
        return folder / notebook.name
    if folder.is_dir():
        ids = solution_ids(read_notebook(notebook))
        overlap = [(len(ids & solution_ids(read_notebook(p))), p)
                   for p in sorted(folder.glob("*.ipynb"))]
        best = max(overlap, default=(0, None))
        if best[0]:
            return best[1]
    raise GradingError(f"no reference for {notebook.name} in {folder}; pass --reference PATH")


def check(notebook, reference=None, cell_timeout=DEFAULT_TIMEOUT):
    """Grade one notebook; return (StudentResult, the reference's file name)."""
    from ._notebook import find_exercises, read_notebook
    from .assign import executed_reference
    from .grade import check_options, grade_notebook
    check_options(cell_timeout)
    notebook = Path(notebook)
    submission = read_notebook(notebook)
    if reference is None:
        reference = find_reference(notebook)
        ref = executed_reference(reference, cell_timeout)
    else:
        ref = read_notebook(reference)
    exercises = find_exercises(ref, Path(reference).name)
    result = grade_notebook(ref, exercises, notebook.stem, submission, cell_timeout)
    return result, Path(reference).name


def main(argv=None):
    """The command line of minigrad-check; returns the exit code."""
    from ._report import feedback_markdown
    parser = argparse.ArgumentParser(
        prog="minigrad-check",
        description="Check your answers in an exercise notebook, as the grader will.")
    parser.add_argument("notebook", help="your exercise notebook")
    parser.add_argument("--reference", default=None,
                        help="the reference notebook (default: the matching one in "
                             "notebooks/exercises/)")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="time limit of one cell, in seconds (default %(default)g)")
    args = parser.parse_args(argv)
    result, name = check(args.notebook, args.reference, args.timeout)
    print(feedback_markdown(result, Path(name).stem), end="")
    return 0 if result.total == result.max_total else 1


def cli():
    """Console-script entry point."""
    exit_with(main)


if __name__ == "__main__":
    cli()
