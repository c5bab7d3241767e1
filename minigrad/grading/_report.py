"""Scores from compared values, the feedback a student reads, and the files they are written to.

Judging happens here, in the grading process: the reference's values (``Expected``) against what
a submission's kernel sent. Output files are written inside ``--out`` only: each through a temporary
file renamed into place, opened relative to the folder's descriptor, never through a symlink.
"""
import csv
import hashlib
import io
import json
import os
import re
import stat
from dataclasses import dataclass, field

from ._cli import GradingError
from ._compare import difference, render
from ._run import CRASH, ERROR, OK, TIMEOUT

FEEDBACK_CAP = 16_000     # characters of one student's feedback
_TRACEBACK_LINES = 8


@dataclass
class ExerciseScore:
    """One student's result on one exercise, with the lines of feedback that explain it."""
    id: str
    points: float
    max_points: float
    status: str                       # passed / partial / failed / timeout / crash / missing
    feedback: list = field(default_factory=list)  # Markdown paragraphs


@dataclass
class StudentResult:
    """One submission's scores and the notes about the notebook as a whole."""
    student: str
    exercises: list
    notes: list = field(default_factory=list)
    file: str = ""          # the folder entry it came from, as text
    entry: str = ""         # its raw name, in hex (the order of the rows)
    feedback_file: str = ""

    @property
    def total(self):
        return sum(e.points for e in self.exercises)

    @property
    def max_total(self):
        return sum(e.max_points for e in self.exercises)


@dataclass
class Expected:
    """What the reference sent: per value key, its JSON and options; the known wrong answers."""
    values: dict        # key -> the reference's report (name, value, rtol, atol, show, hint)
    check_of: dict      # key -> check cell id
    hidden: dict        # key -> bool
    wrong: dict = field(default_factory=dict)   # key -> [(wrong value, hint)]
    wrong_errors: dict = field(default_factory=dict)  # (check id, part) -> [(error, hint)]

    def error_hints(self, check_id, part, result):
        """The hints of known wrong answers that stop this step with the same error."""
        if result is None or result.status != ERROR:
            return []
        return [h for e, h in self.wrong_errors.get((check_id, part), []) if e == result.error]

    def keys_of(self, check_id):
        return [k for k, c in self.check_of.items() if c == check_id]


def keyed(steps, results):
    """{key: report} of the values the check steps sent: key = "<check id>#<part>:<name>"; the
    first value under a name counts, a repeated name is numbered."""
    out = {}
    for step, result in zip(steps, results):
        if step.kind not in ("check", "hidden"):
            continue
        seen = {}
        for report in result.reports:
            if not isinstance(report, dict) or not isinstance(report.get("name"), str):
                continue
            name = report["name"][:200]
            seen[name] = seen.get(name, 0) + 1
            key = f"{step.id}#{step.part}:{name}" + (f" ({seen[name]})" if seen[name] > 1 else "")
            out.setdefault(key, report)
    return out


def _number(x):
    return int(x) if float(x).is_integer() else x


def _fmt(x):
    return f"{_number(x):g}"


def _quote(text):
    text = text.replace("```", "'''")
    return "```\n" + text.rstrip() + "\n```"


def _code(text):
    """Inline code that a student's text cannot break out of."""
    text = " ".join(str(text).split()).replace("`", "'")
    return f"`{text}`"


def _options(report):
    rtol, atol = report.get("rtol", 1e-5), report.get("atol", 1e-8)
    return float(rtol), float(atol)


def _value_feedback(key, expected, got, hidden, stopped=False):
    """A paragraph on one wrong or missing value; None when it is right."""
    ref = expected.values[key]
    rtol, atol = _options(ref)
    name = ref["name"]
    if got is not None:
        why = difference(got.get("value"), ref["value"], rtol, atol)
        if why is None:
            return None
    hints = [ref["hint"]] if ref.get("hint") else []
    if got is not None:
        for value, hint in expected.wrong.get(key, []):
            if difference(got.get("value"), value, rtol, atol) is None and hint not in hints:
                hints.append(hint)
    if hidden:
        if got is None and stopped:
            return None  # said once for the region: it stopped before sending this value
        text = "A hidden check failed" + ("" if got is not None else " (no value came back)")
        return text + "." + "".join(f" {h}" for h in hints)
    if got is None:
        return None  # said once for the check cell: it stopped before sending this value
    text = f"{_code(name)} {why}; yours is {_code(render(got.get('value')))}."
    if ref.get("show"):
        text += f" Expected: {_code(render(ref['value']))}."
    return text + "".join(f" {h}" for h in hints)


def _step_feedback(label, result, timeout, public):
    if result.status == TIMEOUT:
        return f"{label} was stopped after {timeout:g} s, the time limit of one cell."
    if result.status == CRASH:
        return f"{label} stopped the kernel."
    if result.status == ERROR and public:
        text = f"{label} raised {_code(result.error)}."
        if result.traceback:
            tail = result.traceback.rstrip().splitlines()[-_TRACEBACK_LINES:]
            text += "\n\n" + _quote("\n".join(tail))
        return text
    if result.status == ERROR:
        return f"{label} raised an error."
    return None


def judge(student, sheet, expected, steps, run, answers, timeout):
    """Score each check cell: its points when every value it sent matches the reference's."""
    got = keyed(steps, run.steps)
    step_of = {(s.kind, s.id, s.part): r for s, r in zip(steps, run.steps)}
    scores = []
    for ex in sheet.exercises:
        feedback, earned, statuses = [], 0.0, set()
        if ex.id not in answers.sources:
            feedback.append(f"Your notebook has no answer cell {_code(ex.id)} (cells are matched "
                            "by the `grade_id` in their metadata: answer in the cell provided, "
                            "don't delete it or paste your answer into a new cell).")
            statuses.add("missing")
        answer = step_of.get(("answer", ex.id, 0))
        if answer is not None and ex.id in answers.sources:
            line = _step_feedback(f"Your answer cell {_code(ex.id)}", answer, timeout, True)
            if line:
                feedback.append(line)
            if answer.status in (TIMEOUT, CRASH):
                statuses.add(answer.status if answer.status == TIMEOUT else "crash")
        for c in ex.checks:
            keys = expected.keys_of(c.id)
            lines = []
            public = step_of.get(("check", c.id, 0))
            if public is not None and public.status != OK:
                line = _step_feedback(f"The check {_code(c.id)}", public, timeout, True)
                if line:
                    lines.append(line + "".join(f" {h}" for h in
                                                expected.error_hints(c.id, 0, public)))
            for part in range(1, len(c.hidden) + 1):
                r = step_of.get(("hidden", c.id, part))
                if r is not None and r.status in (TIMEOUT, CRASH, ERROR):
                    hints = expected.error_hints(c.id, part, r)
                    lines.append(_step_feedback(f"A hidden check of {_code(c.id)}", r, timeout,
                                                False) + "".join(f" {h}" for h in hints))
            ok = True
            for key in keys:
                hidden = expected.hidden[key]
                value = got.get(key)
                if value is not None and difference(value.get("value"),
                                                    expected.values[key]["value"],
                                                    *_options(expected.values[key])) is None:
                    continue
                ok = False
                part = int(key.split("#", 1)[1].split(":", 1)[0])
                r = step_of.get(("hidden" if hidden else "check", c.id, part))
                line = _value_feedback(key, expected, value, hidden,
                                       r is not None and r.status != OK)
                if line and line not in lines:
                    lines.append(line)
            if ok and keys:
                earned += c.points
            else:
                if not lines:
                    lines.append(f"The check {_code(c.id)} did not pass.")
                feedback.append(f"**{c.id}** (0 / {_fmt(c.points)}): " + "\n\n".join(lines))
        if earned == ex.points:
            status = "passed"
        elif "missing" in statuses:
            status = "missing"
        elif statuses & {TIMEOUT, "crash"}:
            status = sorted(statuses & {TIMEOUT, "crash"})[0]
        else:
            status = "partial" if earned else "failed"
        scores.append(ExerciseScore(ex.id, earned, ex.points, status, feedback))
    notes = list(answers.notes)
    for s, r in zip(steps, run.steps):
        if s.kind == "cell" and r.status in (ERROR, TIMEOUT):
            notes.append(f"The cell {_code(s.id)} of the sheet did not run through "
                         f"({'time limit' if r.status == TIMEOUT else 'error'}); "
                         "did an answer change what it needs?")
    if run.crash:
        where = next((s for s, r in zip(steps, run.steps) if r.status == CRASH
                      or (r.status == TIMEOUT and r.error == "stopped")), None)
        at = "" if where is None else (" during a hidden check" if where.kind == "hidden"
                                        else f" during {_code(where.id)}")
        notes.append(f"The kernel stopped{at}: {run.crash}. Nothing after that ran.")
    if run.output_capped:
        notes.append("Your notebook sent more output than the grader keeps; the rest was "
                     "dropped (print less).")
    return StudentResult(student, scores, notes)


def unreadable(student, sheet, message):
    """The result of a folder entry that gives no answers: zero everywhere, and why."""
    scores = [ExerciseScore(ex.id, 0, ex.points, "missing") for ex in sheet.exercises]
    return StudentResult(student, scores, [f"Your file could not be graded: {message}."])


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
    text = "\n".join(lines) + "\n"
    if len(text) > FEEDBACK_CAP:
        text = text[:FEEDBACK_CAP] + "\n\n[... feedback shortened]\n"
    return text


# --- files ----------------------------------------------------------------------------------------

_SAFE = re.compile(r"[^A-Za-z0-9._-]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(text):
    """A CSV cell that a spreadsheet will not run as a formula."""
    text = str(text)
    return "'" + text if text.startswith(_FORMULA) else text


def feedback_names(students):
    """A distinct, safe file name (``NAME.md``) for each student name."""
    names, used = [], set()
    for s in students:
        safe = _SAFE.sub("_", s)[:80].lstrip(".") or "student"
        if safe != s or safe.lower() in used:
            safe = f"{safe}-{hashlib.sha256(s.encode('utf-8', 'replace')).hexdigest()[:10]}"
        while safe.lower() in used:
            safe += "_"
        used.add(safe.lower())
        names.append(safe + ".md")
    return names


class OutFolder:
    """The --out folder, written only through file descriptors that never follow a symlink."""

    def __init__(self, path):
        self.path = str(path)
        try:
            os.makedirs(self.path, exist_ok=True)
        except OSError as e:
            raise GradingError(f"{self.path}: cannot make the output folder ({e.strerror})")
        flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
        try:
            self.fd = os.open(self.path, flags)
        except OSError as e:
            raise GradingError(f"{self.path}: not a folder (or a symbolic link: {e.strerror})")
        self.sub = {}

    def folder(self, name):
        """A subfolder's descriptor; a symlink or file in its place is replaced by a folder."""
        if name not in self.sub:
            try:
                st = os.stat(name, dir_fd=self.fd, follow_symlinks=False)
                if not stat.S_ISDIR(st.st_mode):
                    os.unlink(name, dir_fd=self.fd)
                    raise FileNotFoundError
            except FileNotFoundError:
                os.mkdir(name, dir_fd=self.fd)
            flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0)
            self.sub[name] = os.open(name, flags, dir_fd=self.fd)
        return self.sub[name]

    def write(self, name, text, folder=None):
        """Write ``text`` to ``name`` atomically: a new temporary file, then a rename over it."""
        fd = self.fd if folder is None else self.folder(folder)
        tmp = f".{name}.{os.getpid()}.{os.urandom(4).hex()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
        handle = os.open(tmp, flags, 0o644, dir_fd=fd)
        try:
            with os.fdopen(handle, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            try:
                st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                if stat.S_ISDIR(st.st_mode):
                    raise GradingError(f"{self.path}: {name} is a folder; remove it first")
            except FileNotFoundError:
                pass
            os.replace(tmp, name, src_dir_fd=fd, dst_dir_fd=fd)  # replaces a symlink, not its target
        except BaseException:
            try:
                os.unlink(tmp, dir_fd=fd)
            except OSError:
                pass
            raise

    def read(self, name, folder=None):
        fd = self.fd if folder is None else self.folder(folder)
        handle = os.open(name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0), dir_fd=fd)
        with os.fdopen(handle, encoding="utf-8") as f:
            return f.read()

    def close(self):
        for fd in [*self.sub.values(), self.fd]:
            os.close(fd)
        self.sub = {}


def summary(results, sheet, meta):
    """The JSON-able scores: per student and exercise, and per exercise over all students."""
    per_exercise = {}
    for k, ex in enumerate(sheet.exercises):
        got = [r.exercises[k].points for r in results]
        per_exercise[ex.id] = {
            "max_points": _number(ex.points),
            "passed": sum(r.exercises[k].status == "passed" for r in results),
            "mean_points": round(sum(got) / len(got), 4) if got else 0}
    return {
        **meta,
        "max_total": _number(sum(ex.points for ex in sheet.exercises)),
        "exercises": per_exercise,
        "students": {r.student: {
            "file": r.file,
            "entry": r.entry,
            "feedback": r.feedback_file,
            "total": _number(r.total),
            "exercises": {e.id: {"points": _number(e.points), "max_points": _number(e.max_points),
                                 "status": e.status} for e in r.exercises}}
            for r in results},
    }


def scores_csv(results, sheet):
    f = io.StringIO()
    w = csv.writer(f)
    w.writerow(["student", *(ex.id for ex in sheet.exercises), "total"])
    for r in results:
        w.writerow([csv_cell(r.student), *(_fmt(e.points) for e in r.exercises), _fmt(r.total)])
    return f.getvalue()


def write(out, results, sheet, meta, feedback=None):
    """Write feedback/<name>.md, scores.csv and scores.json under ``out``; return the JSON.

    ``feedback`` maps a student to its feedback text (default: made from the result)."""
    folder = OutFolder(out)
    try:
        for r in results:
            text = feedback[r.student] if feedback else feedback_markdown(r, meta["title"])
            folder.write(r.feedback_file, text, "feedback")
        folder.write("scores.csv", scores_csv(results, sheet))
        data = summary(results, sheet, meta)
        folder.write("scores.json", json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    finally:
        folder.close()
    return data
