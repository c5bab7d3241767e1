"""The exercise format: reading a sheet, its exercises and checks, the student release, and the
answers of a submission (any bytes at all); no kernel runs here.

The source sheet is the instructor's and read with nbformat. A submission is untrusted: it is read
by :func:`read_answers` as plain JSON, taking only the source of its answer cells, whatever the
rest of the file holds.
"""
import copy
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from ._cli import GradingError

BEGIN_SOLUTION = "### BEGIN SOLUTION"
END_SOLUTION = "### END SOLUTION"
BEGIN_HIDDEN = "### BEGIN HIDDEN TESTS"
END_HIDDEN = "### END HIDDEN TESTS"
CODE_STUB = ["# YOUR CODE HERE", "raise NotImplementedError()"]  # what nbgrader writes
TEXT_STUB = ["YOUR ANSWER HERE"]
MAX_SUBMISSION_BYTES = 16 << 20  # a sheet is a few kB; a bigger file is not read at all
MAX_ANSWER_CHARS = 200_000      # one answer cell's source


@dataclass
class Check:
    """A check cell: its grade_id, position, points, public source and hidden regions."""
    id: str
    cell: int
    points: float
    public: str
    hidden: list = field(default_factory=list)


@dataclass
class Exercise:
    """One exercise: its answer cell, the check cells that grade it, the points they are worth."""
    id: str
    solution: int                # index of the answer cell in the notebook's cells
    checks: list = field(default_factory=list)
    wrong_answers: list = field(default_factory=list)  # (source, hint) pairs

    @property
    def points(self):
        return sum(c.points for c in self.checks)


@dataclass
class Sheet:
    """A source sheet, read: its notebook and its exercises."""
    name: str
    notebook: object
    exercises: list

    def exercise_of(self, check_id):
        return next(ex for ex in self.exercises if any(c.id == check_id for c in ex.checks))


def nbgrader(cell):
    """The cell's nbgrader metadata dict (empty when it has none)."""
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    meta = meta.get("nbgrader") if isinstance(meta, dict) else None
    return meta if isinstance(meta, dict) else {}


def _minigrad(cell):
    meta = cell.get("metadata", {}).get("minigrad")
    return meta if isinstance(meta, dict) else {}


def read_notebook(path):
    """Read an instructor's .ipynb file as an nbformat v4 notebook; GradingError if unreadable."""
    path = Path(path)
    if not path.is_file():
        raise GradingError(f"{path}: no such file")
    import nbformat
    try:
        return nbformat.read(str(path), as_version=4)
    except Exception as e:  # nbformat raises several unrelated types for a broken file
        first = (str(e).strip().splitlines() or [""])[0]
        raise GradingError(f"{path}: not a readable notebook "
                           f"({type(e).__name__}: {first})") from None


def write_notebook(nb, path):
    """Write a notebook (creating its folder)."""
    import nbformat
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, str(path))


def split_hidden(source):
    """(the source without its hidden regions, [each hidden region's source])."""
    public, hidden, inside = [], [], None
    for line in source.split("\n"):
        if BEGIN_HIDDEN in line:
            if inside is not None:
                raise GradingError(f"nested {BEGIN_HIDDEN!r}")
            inside = []
        elif END_HIDDEN in line:
            if inside is None:
                raise GradingError(f"{END_HIDDEN!r} without {BEGIN_HIDDEN!r}")
            hidden.append("\n".join(inside))
            inside = None
        elif inside is not None:
            inside.append(line)
        else:
            public.append(line)
    if inside is not None:
        raise GradingError(f"{BEGIN_HIDDEN!r} without {END_HIDDEN!r}")
    return "\n".join(public), hidden


def read_sheet(nb, name="notebook"):
    """The sheet's exercises in order; GradingError if its metadata is missing or inconsistent.

    An exercise starts at a code cell with ``solution: true``; the ``grade: true`` code cells
    after it (up to the next solution cell) check it. ``grade_id`` is unique over the notebook.
    Raw cells with ``metadata.minigrad.wrong_answer`` are known wrong answers.
    """
    seen, exercises, wrong = {}, [], []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type == "raw" and "wrong_answer" in _minigrad(cell):
            wrong.append((i, cell))
            continue
        meta = nbgrader(cell)
        solution, graded = bool(meta.get("solution")), bool(meta.get("grade"))
        gid = meta.get("grade_id")
        if isinstance(gid, str):
            if gid in seen:
                raise GradingError(f"{name}: duplicate grade_id {gid!r} (cells {seen[gid] + 1} "
                                   f"and {i + 1})")
            seen[gid] = i
        if not (solution or graded):
            continue
        if not isinstance(gid, str) or not gid.strip():
            kind = "solution" if solution else "check"
            raise GradingError(f"{name}: the {kind} cell {i + 1} has no grade_id "
                               "in its nbgrader metadata")
        if cell.cell_type != "code":
            if graded:
                raise GradingError(f"{name}: the graded cell {gid!r} is not a code cell "
                                   "(only code cells can be graded automatically)")
            continue  # a written answer: stripped for students, not graded automatically
        if solution and graded:
            raise GradingError(f"{name}: the cell {gid!r} is both an answer and a check; "
                               "put the checks in a cell of their own")
        if solution:
            exercises.append(Exercise(gid, i))
            continue
        if not exercises:
            raise GradingError(f"{name}: the check cell {gid!r} comes before any solution cell")
        points = meta.get("points", 0)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
            raise GradingError(f"{name}: the points of {gid!r} must be a number >= 0, "
                               f"not {points!r}")
        try:
            public, hidden = split_hidden(cell.source)
        except GradingError as e:
            raise GradingError(f"{name}: check cell {gid!r}: {e}") from None
        exercises[-1].checks.append(Check(gid, i, points, public, hidden))
    if not exercises:
        raise GradingError(f"{name}: no exercise ids (no code cell has nbgrader metadata with "
                           "solution: true and a grade_id)")
    ids = {ex.id: ex for ex in exercises}
    for i, cell in wrong:
        meta = _minigrad(cell)
        target, hint = meta.get("wrong_answer"), meta.get("hint")
        if target not in ids:
            raise GradingError(f"{name}: the wrong answer in cell {i + 1} is for {target!r}, "
                               "which is not an exercise of this notebook")
        if not isinstance(hint, str) or not hint.strip():
            raise GradingError(f"{name}: the wrong answer in cell {i + 1} has no hint")
        ids[target].wrong_answers.append((cell.source, hint.strip()))
    for ex in exercises:
        if not ex.checks:
            raise GradingError(f"{name}: the exercise {ex.id!r} has no check cell "
                               "(grade: true) after it")
        try:
            strip_solution(nb.cells[ex.solution].source)
        except GradingError as e:
            raise GradingError(f"{name}: solution cell {ex.id!r}: {e}") from None
    return Sheet(name, nb, exercises)


def strip_solution(source, cell_type="code"):
    """The student's view of a solution cell: each BEGIN/END SOLUTION region becomes the stub.

    The stub keeps the indentation of the BEGIN line (nbgrader's rule); a solution cell without
    the markers is replaced whole.
    """
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    if BEGIN_SOLUTION not in source:
        return "\n".join(stub)
    out, inside = [], False
    for line in source.split("\n"):
        if BEGIN_SOLUTION in line:
            if inside:
                raise GradingError(f"nested {BEGIN_SOLUTION!r}")
            inside = True
            indent = line[:len(line) - len(line.lstrip())]
            out += [indent + s for s in stub]
        elif END_SOLUTION in line:
            if not inside:
                raise GradingError(f"{END_SOLUTION!r} without {BEGIN_SOLUTION!r}")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise GradingError(f"{BEGIN_SOLUTION!r} without {END_SOLUTION!r}")
    return "\n".join(out)


def student_version(sheet, public=None):
    """The sheet as students get it: solutions stubbed, no hidden checks, no wrong answers, no
    outputs; ``public`` (what minigrad-check needs) in ``metadata.minigrad.public``."""
    nb = copy.deepcopy(sheet.notebook)
    cells = []
    for cell in nb.cells:
        if cell.cell_type == "raw" and "wrong_answer" in _minigrad(cell):
            continue
        meta = nbgrader(cell)
        if meta.get("solution"):
            cell.source = strip_solution(cell.source, cell.cell_type)
        elif meta.get("grade"):
            cell.source = split_hidden(cell.source)[0].rstrip("\n")
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
        cells.append(cell)
    nb.cells = cells
    nb.metadata.pop("minigrad", None)
    if public is not None:
        nb.metadata["minigrad"] = {"public": public}
    return nb


# --- the steps a kernel runs ---------------------------------------------------------------------

@dataclass
class Step:
    """One execution in the kernel: a cell of the sheet, or a hidden region run at the end."""
    kind: str        # "cell", "answer", "check" or "hidden"
    id: str          # grade_id (answer, check, hidden) or "cell N"
    source: str
    part: int = 0    # 0 for a check cell's public part, k for its k-th hidden region


def steps(sheet, answers=None, hidden=True):
    """What runs, in order: every code cell of the sheet (answer cells from ``answers``, by
    exercise id; the solution where ``answers`` is None), then the hidden regions."""
    out, tail = [], []
    by_cell = {ex.solution: ex for ex in sheet.exercises}
    checks = {c.cell: c for ex in sheet.exercises for c in ex.checks}
    for i, cell in enumerate(sheet.notebook.cells):
        if cell.cell_type != "code":
            continue
        if i in by_cell:
            ex = by_cell[i]
            source = cell.source if answers is None else answers.get(ex.id)
            if source is None:
                source = strip_solution(cell.source)
            out.append(Step("answer", ex.id, source))
        elif i in checks:
            c = checks[i]
            out.append(Step("check", c.id, c.public))
            tail += [Step("hidden", c.id, region, k + 1) for k, region in enumerate(c.hidden)]
        else:
            gid = nbgrader(cell).get("grade_id")
            out.append(Step("cell", gid if isinstance(gid, str) else f"cell {i + 1}",
                            cell.source))
    return out + (tail if hidden else [])


# --- a submission: any bytes ---------------------------------------------------------------------

_UNSENDABLE = re.compile("[\ud800-\udfff\x00]")


class Unreadable(Exception):
    """A submission the grader could not take answers from (the message is one line)."""


def _clean(text):
    """A string that can be sent and written: lone surrogates become U+FFFD, no NUL."""
    return _UNSENDABLE.sub("\ufffd", text)


def _source(value):
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(s, str) for s in value):
        return "".join(value)
    return None


@dataclass
class Answers:
    """What a submission gives: answer sources by exercise id, and what was odd about it."""
    sources: dict
    notes: list = field(default_factory=list)


def read_answers(data, sheet):
    """The answer cells' sources from a submission's bytes (by grade_id); Unreadable if none can
    be taken. Nothing else of the file is used: checks and other cells are the sheet's."""
    if len(data) > MAX_SUBMISSION_BYTES:
        raise Unreadable(f"the file is larger than {MAX_SUBMISSION_BYTES >> 20} MB")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise Unreadable("the file is not UTF-8 text (not a notebook)") from None
    try:
        nb = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise Unreadable(f"the file is not a notebook (not JSON: {str(e)[:80]})") from None
    cells = nb.get("cells") if isinstance(nb, dict) else None
    if not isinstance(cells, list):
        raise Unreadable("the file is not a notebook (no list of cells)")
    wanted = {ex.id: sheet.notebook.cells[ex.solution].cell_type for ex in sheet.exercises}
    sources, notes = {}, []
    for cell in cells:
        gid = nbgrader(cell).get("grade_id")
        if not isinstance(gid, str) or gid not in wanted:
            continue
        gid = _clean(gid)
        if gid in sources:
            notes.append(f"Several cells of your notebook have the grade_id `{gid}`; "
                         "the first one was graded.")
            continue
        source = _source(cell.get("source"))
        if cell.get("cell_type") != wanted[gid] or source is None:
            notes.append(f"The cell `{gid}` of your notebook is not a {wanted[gid]} cell with "
                         "text in it; it was not graded.")
            sources[gid] = None
            continue
        if len(source) > MAX_ANSWER_CHARS:
            notes.append(f"Your answer `{gid}` is longer than {MAX_ANSWER_CHARS} characters; "
                         "it was not graded.")
            sources[gid] = None
            continue
        sources[gid] = _clean(source)
    return Answers({k: v for k, v in sources.items() if v is not None}, notes)


def student_name(entry_name):
    """The student a folder entry (a str from os.fsdecode, or bytes) stands for: its name without
    ``.ipynb``, with bytes that are not UTF-8 and control characters replaced."""
    if isinstance(entry_name, bytes):
        raw = entry_name
    else:
        raw = entry_name.encode("utf-8", "surrogateescape")
    name = raw.decode("utf-8", "replace")
    if name.endswith(".ipynb") and len(name) > len(".ipynb"):
        name = name[:-len(".ipynb")]
    return "".join(c if c.isprintable() else "\ufffd" for c in name)
