"""Scores from cell results, and the files they are written to (CSV, JSON, Markdown feedback)."""
import csv
import json
from dataclasses import dataclass, field
from pathlib import Path

from ._notebook import nbgrader
from ._run import FAILED, NOT_RUN, PASSED, TIMEOUT

MISSING = "missing"
_TRACEBACK_LINES = 25  # the end of a traceback is the part that says what went wrong


@dataclass
class ExerciseScore:
    """One student's result on one exercise, with the lines of feedback that explain it."""
    id: str
    points: float
    max_points: float
    status: str                       # passed / failed / timeout / not run / missing
    feedback: list = field(default_factory=list)  # Markdown paragraphs


@dataclass
class StudentResult:
    """One submission's scores and the notes about the notebook as a whole."""
    student: str
    exercises: list
    notes: list = field(default_factory=list)

    @property
    def total(self):
        return sum(e.points for e in self.exercises)

    @property
    def max_total(self):
        return sum(e.max_points for e in self.exercises)


def _number(x):
    return int(x) if float(x).is_integer() else x


def _fmt(x):
    return f"{_number(x):g}"


def _quote(text):
    return "```\n" + text.rstrip() + "\n```"


def _describe(cell_name, result, timeout):
    """Markdown saying why one cell did not pass."""
    if result.status == TIMEOUT and "Failed to interrupt" in result.message:
        # nbval could not get the kernel back: it stops it, and no later cell runs
        return (f"{cell_name} was stopped after {timeout:g} s, the time limit of one cell, and "
                "the kernel did not answer any more (did the cell exit or crash the kernel?), "
                "so the cells after it did not run.")
    if result.status == TIMEOUT:
        return (f"{cell_name} was stopped after {timeout:g} s, the time limit of one cell (an "
                "endless loop, or far too slow?). The kernel was interrupted and the cells "
                "after it still ran.")
    if result.status == NOT_RUN:
        return f"{cell_name} did not run: {result.message}."
    text = f"{cell_name} failed: `{result.message}`" if result.message else f"{cell_name} failed."
    if result.traceback:
        tail = result.traceback.rstrip().splitlines()[-_TRACEBACK_LINES:]
        text += "\n\n" + _quote("\n".join(tail))
    return text


def score(student, exercises, merged, results, timeout):
    """Score each exercise: its points if its solution cell and all its check cells passed."""
    cells = merged.notebook.cells
    scores = []
    for ex in exercises:
        if ex.id in merged.missing:
            scores.append(ExerciseScore(ex.id, 0, ex.points, MISSING, [
                f"Your notebook has no answer cell `{ex.id}` (cells are matched by the "
                "`grade_id` in their metadata: answer in the cell provided, don't delete it "
                "or paste your answer into a new cell)."]))
            continue
        order = [ex.solution] + [i for i in ex.graded if i != ex.solution]
        feedback, statuses = [], []
        for i in order:
            r = results[i]
            statuses.append(r.status)
            if r.status != PASSED:
                gid = nbgrader(cells[i]).get("grade_id")
                name = f"Your answer cell `{gid}`" if i == ex.solution else f"The check `{gid}`"
                feedback.append(_describe(name, r, timeout))
        if all(s == PASSED for s in statuses):
            scores.append(ExerciseScore(ex.id, ex.points, ex.points, PASSED, feedback))
            continue
        status = next(s for s in (TIMEOUT, FAILED, NOT_RUN) if s in statuses)
        scores.append(ExerciseScore(ex.id, 0, ex.points, status, feedback))
    notes = _notes(merged, exercises, results, cells)
    return StudentResult(student, scores, notes)


def _notes(merged, exercises, results, cells):
    notes = []
    for gid in merged.edited_checks:
        notes.append(f"You changed the check cell `{gid}`; grading used the original.")
    for gid in merged.duplicates:
        notes.append(f"Several cells of your notebook have the grade_id `{gid}`; "
                     "the first one was graded.")
    for gid in merged.markers_removed:
        notes.append(f"Your answer `{gid}` contained an nbval marker comment; it was ignored.")
    graded = {i for ex in exercises for i in [ex.solution, *ex.graded]}
    for i, r in sorted(results.items()):
        if i not in graded and r.status != PASSED:
            notes.append(_describe(f"The (ungraded) cell {i + 1} of the notebook", r, 0)
                         if r.status != TIMEOUT else
                         f"The (ungraded) cell {i + 1} of the notebook timed out.")
    return notes


def unreadable(student, exercises, message):
    """The result of a submission that could not be read: zero everywhere, and why."""
    scores = [ExerciseScore(ex.id, 0, ex.points, MISSING) for ex in exercises]
    return StudentResult(student, scores, [f"Your notebook could not be read: {message}"])


def feedback_markdown(result, title):
    """The feedback a student reads: a table of exercises, then what went wrong and why."""
    lines = [f"# {title} — feedback for {result.student}", "",
             f"**Total: {_fmt(result.total)} / {_fmt(result.max_total)} points**", "",
             "| exercise | points | result |", "|---|---|---|"]
    for e in result.exercises:
        lines.append(f"| `{e.id}` | {_fmt(e.points)} / {_fmt(e.max_points)} | {e.status} |")
    for e in result.exercises:
        if e.feedback:
            lines += ["", f"## `{e.id}`: {_fmt(e.points)} / {_fmt(e.max_points)} ({e.status})"]
            for paragraph in e.feedback:
                lines += ["", paragraph]
    if result.notes:
        lines += ["", "## Notes"]
        for note in result.notes:
            lines += ["", note]
    return "\n".join(lines) + "\n"


def summary(results, exercises, reference_name, timeout):
    """The JSON-able scores: per student and exercise, and per exercise over all students."""
    per_exercise = {}
    for k, ex in enumerate(exercises):
        got = [r.exercises[k].points for r in results]
        per_exercise[ex.id] = {
            "max_points": _number(ex.points),
            "passed": sum(r.exercises[k].status == PASSED for r in results),
            "mean_points": round(sum(got) / len(got), 4) if got else 0}
    return {
        "reference": reference_name,
        "cell_timeout": timeout,
        "max_total": _number(sum(ex.points for ex in exercises)),
        "exercises": per_exercise,
        "students": {r.student: {
            "total": _number(r.total),
            "exercises": {e.id: {"points": _number(e.points), "max_points": _number(e.max_points),
                                 "status": e.status} for e in r.exercises}}
            for r in results},
    }


def write(out, results, exercises, reference_name, timeout):
    """Write scores.csv, scores.json and feedback/<student>.md under ``out``; return the JSON."""
    out = Path(out)
    (out / "feedback").mkdir(parents=True, exist_ok=True)
    with open(out / "scores.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["student", *(ex.id for ex in exercises), "total"])
        for r in results:
            w.writerow([r.student, *(_fmt(e.points) for e in r.exercises), _fmt(r.total)])
    data = summary(results, exercises, reference_name, timeout)
    (out / "scores.json").write_text(json.dumps(data, indent=2) + "\n")
    title = Path(reference_name).stem
    for r in results:
        (out / "feedback" / f"{r.student}.md").write_text(feedback_markdown(r, title))
    return data
