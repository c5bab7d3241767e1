"""``minigrad-grade SOURCE.ipynb SUBMISSIONS/ --out DIR``: grade a folder of submissions.

The source sheet (solutions, hidden checks, known wrong answers) is run first in a kernel of its
own: what its checks send are the expected values. Then every entry of SUBMISSIONS/ gets one row:
a notebook's answer cells (matched by grade_id) run with the sheet's other cells in a fresh
sandboxed kernel, its check values are compared here with the expected ones; anything else scores
0 with the reason. Scores go to DIR/scores.csv and DIR/scores.json, each student's feedback to
DIR/feedback/<name>.md. ``--shard i/n`` grades every n-th entry; ``minigrad-grade merge`` joins
the shards' outputs into what one run would have written.
"""
import argparse
import hashlib
import os
import stat
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path

from ._cli import GradingError, exit_with

DEFAULT_TIMEOUT = 60.0  # seconds per cell


def check_options(cell_timeout, jobs=1):
    """GradingError unless the timeout is positive and the number of jobs at least 1."""
    if not cell_timeout > 0:
        raise GradingError(f"--timeout must be a positive number of seconds, not {cell_timeout}")
    if jobs is not None and jobs < 1:
        raise GradingError(f"--jobs must be at least 1, not {jobs}")


def use_sandbox(require, warn=True):
    """True when kernels run in bubblewrap; GradingError if required and impossible."""
    from ._sandbox import sandbox_problem
    problem = sandbox_problem()
    if problem is None:
        return True
    if require:
        raise GradingError(f"--require-sandbox: no sandbox here: {problem}")
    if warn:
        print(f"WARNING: submissions are NOT isolated from this machine ({problem}): they run "
              "with your permissions, with resource limits and a temporary folder only. "
              "Grade untrusted work where bubblewrap runs (Linux).", file=sys.stderr, flush=True)
    return False


def expected_values(sheet, cell_timeout, limits, sandboxed, jobs=1):
    """The reference's values (a separate kernel, no submission in it) and the known wrong
    answers' values; GradingError when the reference fails or a wrong answer passes."""
    from ._compare import difference
    from ._notebook import steps
    from ._report import Expected, keyed
    from ._run import ERROR, OK, run_steps
    plan = steps(sheet)
    run = run_steps(plan, cell_timeout, limits, sandboxed)
    for step, result in zip(plan, run.steps):
        if result.status != OK:
            what = "a hidden region of " if step.kind == "hidden" else ""
            why = result.error or result.status
            raise GradingError(f"{sheet.name}: {what}{step.id} fails in the reference: {why}"
                               + (f" ({run.crash})" if run.crash else ""))
    values = keyed(plan, run.steps)
    for c in (c for ex in sheet.exercises for c in ex.checks):
        if not any(k.startswith(f"{c.id}#") for k in values):
            raise GradingError(f"{sheet.name}: the check cell {c.id!r} sends no value "
                               "(call check(name, value) in it)")
    check_of = {k: k.split("#", 1)[0] for k in values}
    hidden = {k: not k.split("#", 1)[1].startswith("0:") for k in values}
    expected = Expected(values, check_of, hidden)
    solutions = {ex.id: sheet.notebook.cells[ex.solution].source for ex in sheet.exercises}
    wrong_answers = [(ex, source, hint) for ex in sheet.exercises
                     for source, hint in ex.wrong_answers]

    def run_wrong(item):
        ex, source, hint = item
        plan = steps(sheet, {**solutions, ex.id: source})
        return plan, run_steps(plan, cell_timeout, limits, sandboxed).steps

    with ThreadPoolExecutor(max_workers=max(1, jobs or 1)) as pool:
        runs = list(pool.map(run_wrong, wrong_answers))
    for (ex, source, hint), (plan, results) in zip(wrong_answers, runs):
        wrong = keyed(plan, results)
        differs = False
        for step, result in zip(plan, results):
            if step.kind in ("check", "hidden") and result.status == ERROR and \
                    any(c.id == step.id for c in ex.checks):
                expected.wrong_errors.setdefault((step.id, step.part), []).append(
                    (result.error, hint))
        for c in ex.checks:
            for key in expected.keys_of(c.id):
                ref = values[key]
                if key not in wrong:
                    differs = True
                    continue
                if difference(wrong[key].get("value"), ref["value"], ref["rtol"],
                              ref["atol"]) is not None:
                    differs = True
                    expected.wrong.setdefault(key, []).append((wrong[key]["value"], hint))
        if not differs:
            raise GradingError(f"{sheet.name}: a wrong answer of {ex.id!r} passes every "
                               f"check ({hint!r})")
    return expected


def load_sheet(path):
    from ._notebook import read_notebook, read_sheet
    path = Path(path)
    return read_sheet(read_notebook(path), path.name)


def _read_entry(folder, raw_name):
    """The bytes of a folder entry, or an Unreadable for anything but a regular file."""
    from ._notebook import MAX_SUBMISSION_BYTES, Unreadable
    path = os.path.join(os.fsencode(folder), raw_name)
    try:
        st = os.lstat(path)
    except OSError as e:
        raise Unreadable(f"the file could not be read ({e.strerror})") from None
    if stat.S_ISLNK(st.st_mode):
        raise Unreadable("it is a symbolic link (not followed)")
    if stat.S_ISDIR(st.st_mode):
        raise Unreadable("it is a folder, not a notebook")
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable("it is not a regular file")
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as e:
        raise Unreadable(f"the file could not be read ({e.strerror})") from None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            raise Unreadable("it is not a regular file")
        return f.read(MAX_SUBMISSION_BYTES + 1)


def grade_entry(sheet, expected, folder, raw_name, student, cell_timeout, limits, sandboxed):
    """One folder entry graded; whatever it holds, a StudentResult comes back."""
    from ._notebook import Unreadable, read_answers, steps
    from ._report import judge, unreadable
    from ._run import run_steps
    try:
        answers = read_answers(_read_entry(folder, raw_name), sheet)
    except Unreadable as e:
        return unreadable(student, sheet, str(e))
    if not answers.sources:
        return unreadable(student, sheet, "it has none of the sheet's answer cells "
                                          f"({', '.join(ex.id for ex in sheet.exercises)})")
    plan = steps(sheet, answers.sources)
    run = run_steps(plan, cell_timeout, limits, sandboxed)
    return judge(student, sheet, expected, plan, run, answers, cell_timeout)


def entries(folder, reference=None):
    """The entries of the submissions folder, sorted by their raw names: (raw name, student)."""
    from ._notebook import student_name
    folder = os.fsencode(folder)
    skip = None
    if reference is not None:
        try:
            skip = os.stat(reference)
        except OSError:
            skip = None
    found = []
    for entry in os.scandir(folder):
        if skip is not None:
            try:
                st = entry.stat(follow_symlinks=False)
                if (st.st_dev, st.st_ino) == (skip.st_dev, skip.st_ino):
                    continue
            except OSError:
                pass
        found.append(entry.name)
    found.sort()
    out, used = [], set()
    for raw in found:
        name = base = student_name(raw)
        k = 2
        while name in used:
            name, k = f"{base} ({k})", k + 1
        used.add(name)
        out.append((raw, name))
    return out


def parse_shard(text):
    """"i/n" as (i, n) with 1 <= i <= n; GradingError otherwise."""
    try:
        i, n = (int(x) for x in str(text).split("/"))
    except ValueError:
        raise GradingError(f"--shard must look like 2/8, not {text!r}") from None
    if not 1 <= i <= n:
        raise GradingError(f"--shard {text}: need 1 <= i <= n")
    return i, n


def _sheet_digest(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def grade(reference, submissions, out, cell_timeout=DEFAULT_TIMEOUT, jobs=None, progress=None,
          limits=None, require_sandbox=False, shard=None):
    """Grade every entry of SUBMISSIONS against the source sheet; write the results under OUT.

    Runs at most ``jobs`` kernels at once (default: the number of CPUs). ``progress`` is called
    with each StudentResult as it finishes. Returns the data written to scores.json.
    """
    from ._report import feedback_names, write, unreadable
    from ._sandbox import Limits
    limits = limits or Limits()
    limits.check()
    check_options(cell_timeout, jobs)
    shard = shard or (1, 1)
    sheet = load_sheet(reference)
    if not os.path.isdir(submissions):
        raise GradingError(f"{submissions}: no such folder")
    out_path = Path(out)
    if out_path.is_symlink() or (out_path.exists() and not out_path.is_dir()):
        raise GradingError(f"{out}: exists and is not a folder")
    found = entries(submissions, reference)
    found = [e for k, e in enumerate(found) if k % shard[1] == shard[0] - 1]
    if not found and shard == (1, 1):
        raise GradingError(f"{submissions}: nothing to grade (the folder is empty)")
    sandboxed = use_sandbox(require_sandbox)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(found) or 1))
    expected = expected_values(sheet, cell_timeout, limits, sandboxed, jobs or os.cpu_count())
    done = {}
    # Threads suffice: each submission runs in a kernel process of its own.
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures = {pool.submit(grade_entry, sheet, expected, submissions, raw, name,
                               cell_timeout, limits, sandboxed): (raw, name)
                   for raw, name in found}
        for future in as_completed(futures):
            raw, name = futures[future]
            try:
                result = future.result()
            except Exception as e:  # a bug of ours must not cost the others their rows
                result = unreadable(name, sheet, f"the grader failed on it "
                                                 f"({type(e).__name__}: {str(e)[:200]})")
            result.file = raw.decode("utf-8", "replace")
            result.entry = raw.hex()
            done[raw] = result
            if progress is not None:
                progress(result)
    results = [done[raw] for raw, _ in found]
    for r, fname in zip(results, feedback_names([r.student for r in results])):
        r.feedback_file = fname
    meta = {"reference": sheet.name, "title": Path(sheet.name).stem,
            "sheet_sha256": _sheet_digest(reference), "cell_timeout": cell_timeout,
            "sandboxed": sandboxed, "shard": f"{shard[0]}/{shard[1]}"}
    return write(out, results, sheet, meta)


def merge(reference, shards, out):
    """The shards' outputs joined: the files one run over all submissions would have written."""
    import json
    from ._report import (ExerciseScore, OutFolder, StudentResult, feedback_names, write)
    sheet = load_sheet(reference)
    digest = _sheet_digest(reference)
    results, texts, meta, seen = [], {}, None, {}
    for folder in shards:
        src = OutFolder(folder)
        try:
            data = json.loads(src.read("scores.json"))
            if data.get("sheet_sha256") != digest:
                raise GradingError(f"{folder}: graded another sheet than {sheet.name}")
            part = data.get("shard", "1/1")
            if part in seen:
                raise GradingError(f"{folder}: shard {part} is also in {seen[part]}")
            seen[part] = folder
            meta = meta or data
            for student, entry in data["students"].items():
                if student in texts:
                    raise GradingError(f"{folder}: {student!r} is in two shards")
                scores = [ExerciseScore(ex.id, entry["exercises"][ex.id]["points"], ex.points,
                                        entry["exercises"][ex.id]["status"])
                          for ex in sheet.exercises]
                results.append(StudentResult(student, scores, file=entry["file"],
                                             entry=entry["entry"]))
                texts[student] = src.read(entry["feedback"], "feedback")
        except (OSError, ValueError, KeyError) as e:
            raise GradingError(f"{folder}: not the output of minigrad-grade ({e})") from None
        finally:
            src.close()
    counts = {int(p.split("/")[1]) for p in seen}
    if len(counts) != 1 or len(seen) != next(iter(counts)):
        raise GradingError(f"merge: expected the shards 1/n to n/n, got {sorted(seen)}")
    # the order of one run (the raw names), and feedback names made over all students at once
    results.sort(key=lambda r: bytes.fromhex(r.entry))
    for r, fname in zip(results, feedback_names([r.student for r in results])):
        r.feedback_file = fname
    meta = {k: meta[k] for k in ("reference", "title", "sheet_sha256", "cell_timeout",
                                 "sandboxed")}
    meta["shard"] = "1/1"
    return write(out, results, sheet, meta, texts)


def _limits_from(args):
    from ._sandbox import Limits
    return Limits(memory_mb=args.memory, cpu_seconds=args.cpu_time, file_mb=args.file_size,
                  tmp_mb=args.tmp_size, processes=args.processes, output_kb=args.output)


def add_limit_flags(parser):
    from ._sandbox import Limits
    d = Limits()
    parser.add_argument("--require-sandbox", action="store_true",
                        help="fail unless every kernel runs in a bubblewrap sandbox")
    parser.add_argument("--memory", type=int, default=d.memory_mb, metavar="MB",
                        help="address space of a kernel's process (default %(default)s MB)")
    parser.add_argument("--cpu-time", type=int, default=d.cpu_seconds, metavar="S",
                        help="CPU time of a kernel, all cells (default %(default)s s)")
    parser.add_argument("--file-size", type=int, default=d.file_mb, metavar="MB",
                        help="largest file a kernel may write (default %(default)s MB)")
    parser.add_argument("--tmp-size", type=int, default=d.tmp_mb, metavar="MB",
                        help="a kernel's private /tmp and home (default %(default)s MB)")
    parser.add_argument("--processes", type=int, default=d.processes, metavar="N",
                        help="processes and threads a kernel may add (default %(default)s)")
    parser.add_argument("--output", type=int, default=d.output_kb, metavar="KB",
                        help="output kept of one submission (default %(default)s kB)")


def _printable(text):
    return "".join(c if c.isprintable() else "?" for c in text)


def main(argv=None):
    """The command line of minigrad-grade; returns the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["merge"]:
        parser = argparse.ArgumentParser(
            prog="minigrad-grade merge",
            description="Join the outputs of minigrad-grade --shard runs into one.")
        parser.add_argument("reference", help="the source sheet the shards graded")
        parser.add_argument("shards", nargs="+", help="the shards' --out folders")
        parser.add_argument("--out", required=True, help="folder for the joined output")
        args = parser.parse_args(argv[1:])
        data = merge(args.reference, args.shards, args.out)
        print(f"{len(data['students'])} submissions in {len(args.shards)} shards; "
              f"scores and feedback in {args.out}")
        return 0
    parser = argparse.ArgumentParser(
        prog="minigrad-grade",
        description="Grade a folder of exercise notebooks against the source sheet "
                    "(or: minigrad-grade merge SOURCE SHARD_OUT... --out DIR).")
    parser.add_argument("reference", help="the source sheet (with solutions and hidden checks)")
    parser.add_argument("submissions", help="folder of submissions, one STUDENT.ipynb each")
    parser.add_argument("--out", required=True, help="folder for scores.csv, scores.json, "
                        "feedback/")
    parser.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                        help="time limit of one cell, in seconds (default %(default)g)")
    parser.add_argument("--jobs", type=int, default=None,
                        help="submissions graded at once (default: the number of CPUs)")
    parser.add_argument("--shard", default=None, metavar="I/N",
                        help="grade only the I-th of N equal parts of the folder")
    add_limit_flags(parser)
    args = parser.parse_args(argv)
    shard = parse_shard(args.shard) if args.shard else None

    def progress(r):
        print(f"{_printable(r.student)}: {r.total:g} / {r.max_total:g}", flush=True)

    data = grade(args.reference, args.submissions, args.out, args.timeout, args.jobs, progress,
                 _limits_from(args), args.require_sandbox, shard)
    print(f"{len(data['students'])} submissions graded; scores and feedback in {args.out}")
    return 0


def cli():
    """Console-script entry point."""
    exit_with(main)


if __name__ == "__main__":
    cli()
