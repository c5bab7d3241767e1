"""The exercise format: reading a notebook, finding its exercises, the student version, merging.

A notebook is a list of cells; this module only reads and rewrites them (no kernel runs here).
"""
import copy
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

# nbval reads these comments in a cell's source; a student's cell must not switch checking off.
_NBVAL_MARKER = re.compile(r"^(\s*)#+\s*(NBVAL_[A-Z_]+|PYTEST_VALIDATE_IGNORE_OUTPUT)\s*$", re.M)


@dataclass
class Exercise:
    """One exercise: its solution cell, the cells that grade it, and the points they are worth."""
    id: str                      # the solution cell's grade_id
    solution: int                # index of the solution cell in the notebook's cells
    graded: list = field(default_factory=list)     # indices of its graded (check) cells
    graded_ids: list = field(default_factory=list)
    points: float = 0.0          # sum of its graded cells' points, earned all or nothing


def nbgrader(cell):
    """The cell's nbgrader metadata dict (empty when it has none)."""
    meta = cell.get("metadata", {}).get("nbgrader")
    return meta if isinstance(meta, dict) else {}


def read_notebook(path):
    """Read a .ipynb file as an nbformat v4 notebook; GradingError if missing or unreadable."""
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


def find_exercises(nb, name="notebook"):
    """The notebook's exercises in order; GradingError if the metadata is missing or inconsistent.

    An exercise starts at a code cell with ``solution: true``; the ``grade: true`` code cells after
    it (up to the next solution cell) grade it. ``grade_id`` must be unique over the notebook.
    """
    seen, exercises = {}, []
    for i, cell in enumerate(nb.cells):
        meta = nbgrader(cell)
        solution, graded = bool(meta.get("solution")), bool(meta.get("grade"))
        gid = meta.get("grade_id")
        if isinstance(gid, str):
            if gid in seen:
                raise GradingError(f"{name}: duplicate grade_id {gid!r} (cells {seen[gid] + 1} "
                                   f"and {i + 1})")
            seen[gid] = i
        if not (solution or graded):
            continue  # a read-only or plain cell
        if not isinstance(gid, str) or not gid.strip():
            kind = "solution" if solution else "check"
            raise GradingError(f"{name}: the {kind} cell {i + 1} has no grade_id "
                               "in its nbgrader metadata")
        if cell.cell_type != "code":
            if graded:
                raise GradingError(f"{name}: the graded cell {gid!r} is not a code cell "
                                   "(only code cells can be graded automatically)")
            continue  # a written answer: stripped for students, not graded automatically
        if solution:
            exercises.append(Exercise(gid, i))
        elif not exercises:
            raise GradingError(f"{name}: the check cell {gid!r} comes before any solution cell")
        if graded:
            points = meta.get("points", 0)
            if isinstance(points, bool) or not isinstance(points, (int, float)) or points < 0:
                raise GradingError(f"{name}: the points of {gid!r} must be a number >= 0, "
                                   f"not {points!r}")
            ex = exercises[-1]
            ex.graded.append(i)
            ex.graded_ids.append(gid)
            ex.points += points
    if not exercises:
        raise GradingError(f"{name}: no exercise ids (no code cell has nbgrader metadata with "
                           "solution: true and a grade_id)")
    for ex in exercises:
        if not ex.graded:
            raise GradingError(f"{name}: the exercise {ex.id!r} has no check cell "
                               "(grade: true) after it")
    return exercises


def _lines(source):
    return source.split("\n")


def strip_solution(source, cell_type="code"):
    """The student's view of a solution cell: each BEGIN/END SOLUTION region becomes the stub.

    The stub keeps the indentation of the BEGIN line (nbgrader's rule); a solution cell without
    the markers is replaced whole.
    """
    stub = CODE_STUB if cell_type == "code" else TEXT_STUB
    if BEGIN_SOLUTION not in source:
        return "\n".join(stub)
    out, inside = [], False
    for line in _lines(source):
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


def strip_hidden(source):
    """A check cell without its BEGIN/END HIDDEN TESTS regions (markers included)."""
    out, inside = [], False
    for line in _lines(source):
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _clear(cell):
    if cell.cell_type == "code":
        cell.outputs = []
        cell.execution_count = None
    cell.metadata.pop("execution", None)  # timings written by the executor


def student_version(nb):
    """The source notebook as students get it: solutions stubbed, no hidden tests, no outputs."""
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        meta = nbgrader(cell)
        if meta.get("solution"):
            try:
                cell.source = strip_solution(cell.source, cell.cell_type)
            except GradingError as e:
                raise GradingError(f"solution cell {meta.get('grade_id')!r}: {e}") from None
        elif meta.get("grade"):
            cell.source = strip_hidden(cell.source)
        _clear(cell)
    return nb


@dataclass
class Merge:
    """A reference with a student's answers in it, and what the merge noticed."""
    notebook: object
    missing: list = field(default_factory=list)       # exercise ids with no answer cell
    edited_checks: list = field(default_factory=list)  # check cells the student changed (ignored)
    duplicates: list = field(default_factory=list)    # grade_ids on several student cells
    markers_removed: list = field(default_factory=list)


def merge(reference, exercises, submission):
    """The reference with each solution cell's source taken from the submission, by grade_id.

    Everything else (check cells included) stays the reference's. An answer the submission lacks
    becomes the unanswered stub, so the exercise's checks fail as they would for a blank answer.
    """
    theirs, result = {}, Merge(copy.deepcopy(reference))
    for cell in submission.cells:
        gid = nbgrader(cell).get("grade_id")
        if isinstance(gid, str):
            if gid in theirs:
                if gid not in result.duplicates:
                    result.duplicates.append(gid)
            else:
                theirs[gid] = cell
    cells = result.notebook.cells
    for ex in exercises:
        for i, gid in zip(ex.graded, ex.graded_ids):
            # A student's copy is the check without its hidden tests (or, from the source, with).
            original = {cells[i].source.strip(), strip_hidden(cells[i].source).strip()}
            if i != ex.solution and gid in theirs and theirs[gid].source.strip() not in original:
                result.edited_checks.append(gid)
        cell, answer = cells[ex.solution], theirs.get(ex.id)
        if answer is None or answer.cell_type != cell.cell_type:
            result.missing.append(ex.id)
            cell.source = strip_solution(cell.source, cell.cell_type)
        else:
            cell.source, n = _NBVAL_MARKER.subn(r"\1# (nbval marker removed)", answer.source)
            if n:
                result.markers_removed.append(ex.id)
    return result


def solution_ids(nb):
    """The grade_ids of the notebook's solution cells (to match a notebook with its reference)."""
    return {m["grade_id"] for m in map(nbgrader, nb.cells)
            if m.get("solution") and isinstance(m.get("grade_id"), str)}
