"""``python -m benchmarks.grading``: how fast ``minigrad-grade`` grades a class, in what memory.

    python -m benchmarks.grading                        # sheets 01-08, 30 submissions, --jobs 2
    python -m benchmarks.grading --sheets 01,02 --submissions 30 --jobs 2
    python -m benchmarks.grading --quick                # sheet 01, 3 submissions, nothing written

For each sheet a class is made from the sheet itself: a third of the submissions hold the
reference solution, the others each hold one of the sheet's known wrong answers in its answer
cell (in turn). ``minigrad-grade`` grades them as a subprocess, in the sandbox when bubblewrap
is available (``--require-sandbox``). Measured: the start-up (time to the first graded
submission: the reference and every known wrong answer run before any submission), submissions
per minute after it, the wall time in all, and the peak resident memory of the grader and its
kernels together (the process tree's RSS, sampled every 0.1 s). The scores are checked (the
reference's rows have full marks, every other row less) so a broken run is never reported as
a fast one; the exit status is 1 when they are not.

Separate from the autograd suite (``python -m benchmarks``): its own workload, its own results
file (``benchmarks/results/grading.md``).
"""
import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from minigrad.grading._notebook import write_notebook
from minigrad.grading._sandbox import sandbox_problem
from minigrad.grading.grade import load_sheet

from .runner import machine, save

ROOT = Path(__file__).resolve().parent.parent
SHEETS = ROOT / "notebooks" / "exercises"
DEFAULT_OUT = Path(__file__).resolve().parent / "results"
SAMPLE_EVERY = 0.1  # seconds between two samples of the process tree's memory


def sheet_paths(names):
    """The sheets' files by their number ("01"); SystemExit on an unknown one."""
    found = {p.name[:2]: p for p in sorted(SHEETS.glob("[0-9][0-9]_*.ipynb"))}
    names = names or list(found)
    unknown = [n for n in names if n not in found]
    if unknown:
        raise SystemExit(f"unknown sheet: {', '.join(unknown)} (known: {', '.join(found)})")
    return [found[n] for n in names]


def make_class(sheet_path, n, folder):
    """Write N submissions of the sheet into FOLDER; return {file stem: True if reference}.

    Submission k is the reference when k % 3 == 0; otherwise it holds the next known wrong
    answer (in the sheet's order) in place of that exercise's solution.
    """
    sheet = load_sheet(sheet_path)
    wrong = [(ex, src) for ex in sheet.exercises for src, _ in ex.wrong_answers]
    if not wrong:
        raise SystemExit(f"{sheet_path.name}: no known wrong answers to make a class from")
    folder.mkdir(parents=True, exist_ok=True)
    kinds, w = {}, 0
    for k in range(n):
        nb = copy.deepcopy(sheet.notebook)
        # a student's notebook holds no known wrong answers
        nb.cells = [c for c in nb.cells
                    if not (c.cell_type == "raw" and "wrong_answer" in
                            c.get("metadata", {}).get("minigrad", {}))]
        name = f"student{k:03d}"
        if k % 3 == 0:
            kinds[name] = True
        else:
            ex, src = wrong[w % len(wrong)]
            w += 1
            gid = ex.id
            cell = next(c for c in nb.cells
                        if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == gid)
            cell.source = src
            kinds[name] = False
        write_notebook(nb, folder / f"{name}.ipynb")
    return kinds, len(wrong)


def _tree_rss(proc):
    total = 0
    for p in [proc] + proc.children(recursive=True):
        try:
            total += p.memory_info().rss
        except Exception:  # the process ended between listing and reading
            pass
    return total


def _sample_memory(pid, stop, peak):
    try:
        import psutil
        proc = psutil.Process(pid)
    except Exception:  # psutil missing, or the grader already gone
        peak.append(None)
        return
    while not stop.is_set():
        try:
            peak[0] = max(peak[0], _tree_rss(proc))
        except Exception:
            pass
        stop.wait(SAMPLE_EVERY)


def run_sheet(sheet_path, n, jobs, sandboxed, tmp):
    """Grade a class of N submissions of the sheet; return the measurements and the check."""
    subs, out = tmp / "submissions", tmp / "out"
    kinds, n_wrong = make_class(sheet_path, n, subs)
    cmd = [sys.executable, "-m", "minigrad.grading.grade", str(sheet_path), str(subs),
           "--out", str(out), "--jobs", str(jobs)]
    if sandboxed:
        cmd.append("--require-sandbox")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(ROOT)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]))
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env, cwd=ROOT)
    stop, peak = threading.Event(), [0]
    sampler = threading.Thread(target=_sample_memory, args=(proc.pid, stop, peak), daemon=True)
    sampler.start()
    graded = []  # the time of each graded line
    for line in proc.stdout:
        if line.startswith("student") and " / " in line:
            graded.append(time.perf_counter() - start)
    stderr = proc.stderr.read()
    proc.wait()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    result = {"sheet": sheet_path.name, "submissions": n, "wrong_answers": n_wrong,
              "returncode": proc.returncode, "wall": wall,
              "first_graded": graded[0] if graded else None,
              "peak_rss": peak[0] if peak[0] else None, "problems": []}
    if len(graded) > 1 and graded[-1] > graded[0]:
        result["per_minute"] = (len(graded) - 1) / (graded[-1] - graded[0]) * 60
    else:
        result["per_minute"] = None
    if proc.returncode != 0:
        result["problems"].append(f"minigrad-grade exited {proc.returncode}: "
                                  f"{stderr.strip()[-500:]}")
        return result
    result["problems"] += check_scores(json.loads((out / "scores.json").read_text()), kinds)
    return result


def check_scores(data, kinds):
    """What is wrong with the scores: reference rows need full marks, the others less."""
    problems, full = [], data["max_total"]
    students = data["students"]
    if set(students) != set(kinds):
        problems.append(f"graded {sorted(students)}, expected {sorted(kinds)}")
    if not data.get("sandboxed") and sandbox_problem() is None:
        problems.append("graded outside the sandbox although bubblewrap works")
    for name, reference in kinds.items():
        total = students.get(name, {}).get("total")
        if total is None:
            continue
        if reference and total != full:
            problems.append(f"{name} (reference): {total} / {full}, expected full marks")
        if not reference and not total < full:
            problems.append(f"{name} (a known wrong answer): {total} / {full}, expected less")
    return problems


def markdown(result):
    """The results as Markdown: the machine, the command, the table."""
    m = result["machine"]
    lines = [f"## Grading benchmark ({result['started']})", "",
             f"Machine: {m['cpu']}, {m['cores']} cores, {m['platform']}; Python {m['python']}. "
             f"Load average (1, 5, 15 min) at the start: "
             f"{', '.join(str(x) for x in result['load_average'])}.", "",
             f"Command: `{result['command']}`; {'in' if result['sandboxed'] else 'outside'} "
             f"the bubblewrap sandbox. Each class: a third of the submissions the reference "
             f"solution, two thirds one known wrong answer each (in turn).", "",
             "| sheet | start (reference + known wrong answers) | submissions per minute "
             "after it | all in | peak memory | scores |",
             "|---|---:|---:|---:|---:|---|"]
    for r in result["sheets"]:
        first = "—" if r["first_graded"] is None else f"{r['first_graded']:.1f} s"
        rate = "—" if r["per_minute"] is None else f"{r['per_minute']:.0f}"
        mem = "—" if r["peak_rss"] is None else f"{r['peak_rss'] / 1e6:.0f} MB"
        ok = "as expected" if not r["problems"] else "**WRONG**"
        lines.append(f"| {r['sheet'][:2]} | {first} ({r['wrong_answers']} wrong answers) | "
                     f"{rate} | {r['submissions']} in {r['wall']:.1f} s | {mem} | {ok} |")
    lines += ["", "Start is the time to the first graded submission (it includes that "
              "submission's own run). Peak memory is the resident memory of the grader and its "
              f"kernels together, sampled every {SAMPLE_EVERY} s."]
    problems = [f"- {r['sheet']}: {p}" for r in result["sheets"] for p in r["problems"]]
    if problems:
        lines += ["", "Problems:", ""] + problems
    return "\n".join(lines)


def main(argv=None):
    """Run, print, write; returns the exit status (1 when a class was not graded as expected)."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.grading", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: sheet 01 (unless --sheets), 3 submissions; "
                             "writes nothing unless --out is given")
    parser.add_argument("--sheets", default=None, help="comma-separated sheet numbers "
                        "(default: every sheet; with --quick: 01)")
    parser.add_argument("--submissions", type=int, default=None,
                        help="submissions per sheet (default 30; with --quick: 3)")
    parser.add_argument("--jobs", type=int, default=2, help="minigrad-grade --jobs (default 2)")
    parser.add_argument("--out", type=Path, default=None,
                        help=f"folder for grading.md and grading.json (default: {DEFAULT_OUT}; "
                             "with --quick: nothing is written unless given)")
    args = parser.parse_args(argv)
    names = [s for s in (args.sheets or ("01" if args.quick else "")).split(",") if s]
    paths = sheet_paths(names)
    n = args.submissions or (3 if args.quick else 30)
    if n < 1 or args.jobs < 1:
        raise SystemExit("--submissions and --jobs must be at least 1")
    sandboxed = sandbox_problem() is None
    if not sandboxed:
        print(f"warning: grading outside the sandbox ({sandbox_problem()})", file=sys.stderr)
    load = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else []
    command = "python -m benchmarks.grading " + " ".join(
        (["--quick"] if args.quick else []) +
        [f"--sheets {','.join(p.name[:2] for p in paths)}", f"--submissions {n}",
         f"--jobs {args.jobs}"])
    result = {"started": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
              "machine": machine(), "load_average": load, "command": command,
              "sandboxed": sandboxed, "sheets": []}
    for path in paths:
        tmp = Path(tempfile.mkdtemp(prefix="grading-bench-"))
        try:
            r = run_sheet(path, n, args.jobs, sandboxed, tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        result["sheets"].append(r)
        print(f"{path.name}: {r['wall']:.1f} s"
              + (f", {len(r['problems'])} problems" if r["problems"] else ""), file=sys.stderr)
    text = markdown(result)
    print(text)
    out = args.out if args.out is not None else (None if args.quick else DEFAULT_OUT)
    if out is not None:
        save(out, "grading", result, text)
    problems = [p for r in result["sheets"] for p in r["problems"]]
    for p in problems:
        print(f"FAILED: {p}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
