"""``minigrad-grade REFERENCE.ipynb SUBMISSIONS_DIR --out DIR``: grade a folder of submissions.

Each submission's answer cells are merged into the reference (by grade_id), the result is run by
nbval in its own kernel (several submissions at once), and the scores and feedback are written
to DIR/scores.csv, DIR/scores.json and DIR/feedback/<student>.md. Student = the file's stem.
"""
import argparse
import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ._cli import GradingError, exit_with

DEFAULT_TIMEOUT = 60.0  # seconds per cell


def grade_notebook(reference, exercises, student, submission, cell_timeout):
    """One submission (a loaded notebook) graded against the reference: a StudentResult."""
    from ._notebook import merge
    from ._report import score
    from ._run import run_cells
    merged = merge(reference, exercises, submission)
    results = run_cells(merged.notebook, cell_timeout)
    return score(student, exercises, merged, results, cell_timeout)


def grade_file(reference, exercises, path, cell_timeout):
    """One submission file graded; an unreadable file scores 0 and says why in its feedback."""
    from ._notebook import read_notebook
    from ._report import unreadable
    student = Path(path).stem
    try:
        submission = read_notebook(path)
    except GradingError as e:
        return unreadable(student, exercises, str(e))
    return grade_notebook(reference, exercises, student, submission, cell_timeout)


def check_options(cell_timeout, jobs=1):
    """GradingError unless the timeout is positive and the number of jobs at least 1."""
    if not cell_timeout > 0:
        raise GradingError(f"--timeout must be a positive number of seconds, not {cell_timeout}")
    if jobs is not None and jobs < 1:
        raise GradingError(f"--jobs must be at least 1, not {jobs}")


def grade(reference, submissions, out, cell_timeout=DEFAULT_TIMEOUT, jobs=None, progress=None):
    """Grade every SUBMISSIONS/*.ipynb against REFERENCE; write the results under OUT.

    Runs at most ``jobs`` submissions at once (default: the number of CPUs). ``progress`` is
    called with each StudentResult as it finishes. Returns the data written to scores.json.
    """
    from ._notebook import find_exercises, read_notebook
    from ._report import write
    check_options(cell_timeout, jobs)
    reference, submissions = Path(reference), Path(submissions)
    ref = read_notebook(reference)
    exercises = find_exercises(ref, reference.name)
    if not submissions.is_dir():
        raise GradingError(f"{submissions}: no such folder")
    paths = sorted(p for p in submissions.glob("*.ipynb")
                   if p.is_file() and p.resolve() != reference.resolve())
    if not paths:
        raise GradingError(f"{submissions}: no .ipynb files to grade")
    if Path(out).exists() and not Path(out).is_dir():
        raise GradingError(f"{out}: exists and is not a folder")
    workers = min(jobs or os.cpu_count() or 1, len(paths))
    # Threads suffice: each submission runs in its own pytest process and kernel.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(grade_file, ref, exercises, p, cell_timeout): p for p in paths}
        done = {}
        for future in as_completed(futures):
            done[futures[future]] = result = future.result()
            if progress is not None:
                progress(result)
    return write(out, [done[p] for p in paths], exercises, reference.name, cell_timeout)


def main(argv=None):
    """The command line of minigrad-grade; returns the exit code."""
    parser = argparse.ArgumentParser(
        prog="minigrad-grade",
        description="Grade a folder of exercise notebooks against the reference notebook.")
    parser.add_argument("reference", help="the reference notebook (with solutions)")
    parser.add_argument("submissions", help="folder of submissions, one STUDENT.ipynb each")
    parser.add_argument("--out", required=True, help="folder for scores.csv, scores.json, "
                        "feedback/")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="time limit of one cell, in seconds (default %(default)g)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="submissions graded at once (default: the number of CPUs)")
    args = parser.parse_args(argv)

    def progress(r):
        print(f"{r.student}: {r.total:g} / {r.max_total:g}", flush=True)

    data = grade(args.reference, args.submissions, args.out, args.timeout, args.jobs, progress)
    print(f"{len(data['students'])} submissions graded; scores and feedback in {args.out}")
    return 0


def cli():
    """Console-script entry point."""
    exit_with(main)


if __name__ == "__main__":
    cli()
