"""The exercise commands: assign, grade (correct, wrong, edited-check, missing-cell and endless
submissions), check, and their errors on bad input."""
import copy
import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from minigrad.grading import _notebook
from minigrad.grading._cli import run
from minigrad.grading.assign import assign
from minigrad.grading.assign import main as assign_main
from minigrad.grading.check import find_reference
from minigrad.grading.check import main as check_main
from minigrad.grading.grade import grade
from minigrad.grading.grade import main as grade_main

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "notebooks" / "exercises" / "01_vjp_of_an_op.ipynb"
DATA = ROOT / "tests" / "data" / "grading"
TIMEOUT = 5  # seconds per cell while grading (every cell here takes well under 1 s)
EXERCISES = ["ex1-vjp", "ex2-predict", "ex3-zero-grad"]
POINTS = {"ex1-vjp": 2, "ex2-predict": 1, "ex3-zero-grad": 2}

WRONG = {
    "ex1-vjp": "def f_vjp(x, v):\n    return v * torch.sin(x)  # the product rule forgotten",
    "ex2-predict": "predicted_grad = [[3.0, 4.0], [5.0, 6.0]]",
    "ex3-zero-grad": """\
def train(steps=20, lr=0.1):
    w = torch.zeros(1, requires_grad=True)
    b = torch.zeros(1, requires_grad=True)
    losses = []
    for step in range(steps):
        loss = ((w * xs + b - ys) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            w -= lr * w.grad
            b -= lr * b.grad
        losses.append(loss.item())
    return w, b, losses
""",
}
ENDLESS = "while True:\n    pass"


def _cells(nb):
    return {_notebook.nbgrader(c).get("grade_id"): c for c in nb.cells}


def _typed_solutions():
    """The source's answers as a student would type them: without the solution markers."""
    source = nbformat.read(str(SOURCE), as_version=4)
    return {gid: "\n".join(line for line in _cells(source)[gid].source.split("\n")
                           if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
            for gid in EXERCISES}


def _answered(student, answers):
    nb = copy.deepcopy(student)
    for gid, cell in _cells(nb).items():
        if gid in answers:
            cell.source = answers[gid]
    return nb


@pytest.fixture(scope="module")
def assigned(tmp_path_factory):
    """minigrad-assign on the real exercise notebook: (student path, reference path)."""
    return assign(SOURCE, tmp_path_factory.mktemp("assigned"), cell_timeout=60)


@pytest.fixture(scope="module")
def submissions(assigned, tmp_path_factory):
    """A folder of submissions built from the student version, one per kind of student."""
    student = nbformat.read(str(assigned[0]), as_version=4)
    right = _typed_solutions()
    subs = {
        "correct": _answered(student, right),
        "wrong": _answered(student, WRONG),
        "edits_check": _answered(student, {**right, "ex1-vjp": WRONG["ex1-vjp"]}),
        "missing": _answered(student, right),
        "loops": _answered(student, {**right, "ex1-vjp": ENDLESS}),
    }
    _cells(subs["edits_check"])["ex1-vjp-check"].source = "assert True"
    subs["missing"].cells.remove(_cells(subs["missing"])["ex2-predict"])
    folder = tmp_path_factory.mktemp("submissions")
    for name, nb in subs.items():
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
    (folder / "garbled.ipynb").write_text("{this is not a notebook")
    return folder


@pytest.fixture(scope="module")
def graded(assigned, submissions, tmp_path_factory):
    """minigrad-grade (as ``python -m``) on the submissions: (output folder, its stdout)."""
    out = tmp_path_factory.mktemp("graded")
    proc = subprocess.run(
        [sys.executable, "-m", "minigrad.grading.grade", str(assigned[1]), str(submissions),
         "--out", str(out), "--timeout", str(TIMEOUT), "--jobs", "2"],
        capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


# --- minigrad-assign -----------------------------------------------------------------------------

def test_student_version_has_no_solutions_hidden_tests_or_outputs(assigned):
    student = nbformat.read(str(assigned[0]), as_version=4)
    text = "\n".join(c.source for c in student.cells)
    for secret in ["BEGIN SOLUTION", "END SOLUTION", "HIDDEN TESTS", "torch.cos(x)",
                   "zero_()", "[[4.5, 6.0], [7.5, 9.0]]"]:
        assert secret not in text
    for cell in student.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None
    cells = _cells(student)
    # the stub sits where the solution was, at its indentation; the function's header stays
    assert cells["ex1-vjp"].source.startswith("def f_vjp(x, v):")
    assert "    # YOUR CODE HERE\n    raise NotImplementedError()" in cells["ex1-vjp"].source
    assert cells["ex2-predict"].source.endswith("# YOUR CODE HERE\nraise NotImplementedError()")
    source = nbformat.read(str(SOURCE), as_version=4)
    assert [_notebook.nbgrader(c) for c in student.cells] == \
           [_notebook.nbgrader(c) for c in source.cells]


def test_reference_is_executed_and_passes_its_checks(assigned):
    reference = nbformat.read(str(assigned[1]), as_version=4)
    code = [c for c in reference.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code)
    assert not [o for c in code for o in c.outputs if o.output_type == "error"]
    printed = {gid: "".join(o.get("text", "") for o in c.get("outputs", []))
               for gid, c in _cells(reference).items()}
    assert "agrees with autograd and with finite differences" in printed["ex1-vjp-check"]
    assert "x.grad = tensor([[4.5000, 6.0000]," in printed["ex2-predict-check"]
    assert "as gradient descent gives" in printed["ex3-zero-grad-check"]
    assert "BEGIN SOLUTION" in _cells(reference)["ex1-vjp"].source


def test_assign_refuses_a_reference_whose_check_fails(tmp_path, capsys):
    nb = nbformat.read(str(DATA / "duplicate_ids.ipynb"), as_version=4)
    nb.cells = nb.cells[:2]
    nb.cells[0].source = "### BEGIN SOLUTION\nanswer = 41\n### END SOLUTION"
    nbformat.write(nb, str(tmp_path / "bad.ipynb"))
    assert run(assign_main, [str(tmp_path / "bad.ipynb"), "--out", str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "ex1-check fails in the reference: AssertionError" in err
    assert not (tmp_path / "o").exists()


# --- minigrad-grade ------------------------------------------------------------------------------

EXPECTED = {  # student: points per exercise, from the notebook's points (2, 1, 2)
    "correct": [2, 1, 2],
    "edits_check": [0, 1, 2],   # wrong ex1 answer; its check cell replaced by `assert True`
    "garbled": [0, 0, 0],
    "loops": [0, 1, 2],         # ex1 never ends: stopped, and the cells after it still run
    "missing": [2, 0, 2],       # the ex2 answer cell deleted
    "wrong": [0, 0, 0],
}


def test_scores_csv(graded):
    with open(graded[0] / "scores.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", *EXERCISES, "total"]
    got = {r[0]: [int(x) for x in r[1:]] for r in rows[1:]}
    assert got == {s: [*p, sum(p)] for s, p in EXPECTED.items()}
    assert [r[0] for r in rows[1:]] == sorted(EXPECTED)


def test_scores_json(graded):
    data = json.loads((graded[0] / "scores.json").read_text())
    assert data["max_total"] == 5 and data["cell_timeout"] == TIMEOUT
    assert data["reference"] == SOURCE.name
    for student, points in EXPECTED.items():
        entry = data["students"][student]
        assert entry["total"] == sum(points)
        assert [entry["exercises"][e]["points"] for e in EXERCISES] == points
        assert all(entry["exercises"][e]["max_points"] == POINTS[e] for e in EXERCISES)
    status = {s: [data["students"][s]["exercises"][e]["status"] for e in EXERCISES]
              for s in EXPECTED}
    assert status["correct"] == ["passed"] * 3
    assert status["wrong"] == ["failed"] * 3
    assert status["loops"] == ["timeout", "passed", "passed"]
    assert status["missing"] == ["passed", "missing", "passed"]
    assert status["edits_check"] == ["failed", "passed", "passed"]
    assert status["garbled"] == ["missing"] * 3
    for k, e in enumerate(EXERCISES):
        summary = data["exercises"][e]
        assert summary["max_points"] == POINTS[e]
        assert summary["passed"] == sum(p[k] > 0 for p in EXPECTED.values())
        assert summary["mean_points"] == pytest.approx(
            sum(p[k] for p in EXPECTED.values()) / len(EXPECTED), abs=1e-4)


def test_grade_prints_each_student(graded):
    lines = graded[1].splitlines()
    for student, points in EXPECTED.items():
        assert f"{student}: {sum(points)} / 5" in lines
    assert lines[-1].startswith("6 submissions graded")


def _feedback(graded, student):
    return (graded[0] / "feedback" / f"{student}.md").read_text()


def test_feedback_of_a_correct_submission(graded):
    text = _feedback(graded, "correct")
    assert "**Total: 5 / 5 points**" in text
    assert "failed" not in text and "## Notes" not in text


def test_feedback_quotes_the_failed_assertions(graded):
    text = _feedback(graded, "wrong")
    assert "**Total: 0 / 5 points**" in text
    assert "The check `ex1-vjp-check` failed: `AssertionError: f_vjp gives" in text
    assert "you predicted [[3.0, 4.0], [5.0, 6.0]], autograd computed [[4.5, 6.0], [7.5, 9.0]]" \
        in text
    assert "AssertionError: the loss after 20 steps is" in text


def test_feedback_explains_a_timeout(graded):
    text = _feedback(graded, "loops")
    assert "| `ex1-vjp` | 0 / 2 | timeout |" in text
    assert f"Your answer cell `ex1-vjp` was stopped after {TIMEOUT} s" in text
    assert "NameError: name 'f_vjp' is not defined" in text  # its check ran after it


def test_feedback_says_an_edited_check_was_ignored(graded):
    text = _feedback(graded, "edits_check")
    assert "You changed the check cell `ex1-vjp-check`; grading used the original." in text
    assert "The check `ex1-vjp-check` failed: `AssertionError: f_vjp gives" in text


def test_feedback_of_a_missing_cell_and_an_unreadable_file(graded):
    assert "Your notebook has no answer cell `ex2-predict`" in _feedback(graded, "missing")
    text = _feedback(graded, "garbled")
    assert "Your notebook could not be read" in text and "**Total: 0 / 5 points**" in text


def test_a_check_marked_nbval_check_output_compares_with_the_reference(tmp_path):
    nb = nbformat.read(str(DATA / "duplicate_ids.ipynb"), as_version=4)
    nb.cells = nb.cells[:2]
    check = nb.cells[1]
    check.source = "# NBVAL_CHECK_OUTPUT\nprint(answer * 2)"
    # an executed reference, as minigrad-assign writes it: 42 * 2 was printed
    check.execution_count = 1
    check.outputs = [nbformat.v4.new_output("stream", name="stdout", text="84\n")]
    nbformat.write(nb, str(tmp_path / "reference.ipynb"))
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(_answered(nb, {"ex1": "answer = 41"}), str(subs / "other.ipynb"))
    data = grade(tmp_path / "reference.ipynb", subs, tmp_path / "out", cell_timeout=TIMEOUT)
    assert data["students"]["other"]["total"] == 0
    text = (tmp_path / "out" / "feedback" / "other.md").read_text()
    assert "The check `ex1-check` failed: `its output differs from the reference's`" in text
    assert "'84\\n' == '82\\n'" in text  # the two outputs, quoted
    assert "\x1b" not in text


# --- minigrad-check ------------------------------------------------------------------------------

def test_check_finds_the_reference_and_passes_a_correct_notebook(submissions, tmp_path,
                                                                  capsys):
    mine = tmp_path / SOURCE.name
    mine.write_bytes((submissions / "correct.ipynb").read_bytes())
    code = run(check_main, [str(mine), "--timeout", str(TIMEOUT)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "**Total: 5 / 5 points**" in out


def test_check_against_a_given_reference_fails_an_unanswered_notebook(assigned, capsys):
    code = run(check_main, [str(assigned[0]), "--reference", str(assigned[1]),
                            "--timeout", str(TIMEOUT)])
    out = capsys.readouterr().out
    assert code == 1
    assert "**Total: 0 / 5 points**" in out
    assert "Your answer cell `ex2-predict` failed: `NotImplementedError`" in out


def test_find_reference_by_exercise_ids(assigned, tmp_path):
    renamed = tmp_path / "homework.ipynb"
    renamed.write_bytes(assigned[0].read_bytes())
    assert find_reference(renamed) == SOURCE.parent / SOURCE.name
    assert find_reference(assigned[0]) == SOURCE.parent / SOURCE.name


# --- the format, without a kernel ----------------------------------------------------------------

def test_strip_solution_keeps_the_rest_and_the_indentation():
    src = ("def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    return x\n"
           "    ### END SOLUTION\ny = 1")
    assert _notebook.strip_solution(src) == (
        "def f(x):\n    '''doc'''\n    # YOUR CODE HERE\n    raise NotImplementedError()\ny = 1")
    assert _notebook.strip_solution("x = 1") == "# YOUR CODE HERE\nraise NotImplementedError()"
    assert _notebook.strip_solution("a *b*", "markdown") == "YOUR ANSWER HERE"
    with pytest.raises(_notebook.GradingError, match="without"):
        _notebook.strip_solution("### BEGIN SOLUTION\nx = 1")


def test_merge_matches_answers_by_id_not_position():
    reference = nbformat.read(str(SOURCE), as_version=4)
    exercises = _notebook.find_exercises(reference)
    submission = _answered(reference, {"ex1-vjp": "# NBVAL_SKIP\nA", "ex3-zero-grad": "C"})
    submission.cells.reverse()
    _cells(submission)["ex2-predict-check"].source = "assert True"
    merged = _notebook.merge(reference, exercises, submission)
    cells = _cells(merged.notebook)
    assert [_notebook.nbgrader(c).get("grade_id") for c in merged.notebook.cells] == \
           [_notebook.nbgrader(c).get("grade_id") for c in reference.cells]
    assert cells["ex1-vjp"].source == "# (nbval marker removed)\nA"  # can't skip its own cell
    assert cells["ex3-zero-grad"].source == "C"
    assert cells["ex2-predict-check"].source == _cells(reference)["ex2-predict-check"].source
    assert merged.edited_checks == ["ex2-predict-check"]
    assert merged.markers_removed == ["ex1-vjp"] and merged.missing == []
    del submission.cells[[_notebook.nbgrader(c).get("grade_id") for c in submission.cells]
                         .index("ex3-zero-grad")]
    merged = _notebook.merge(reference, exercises, submission)
    assert merged.missing == ["ex3-zero-grad"]
    assert "raise NotImplementedError()" in _cells(merged.notebook)["ex3-zero-grad"].source


def test_exercises_of_the_real_notebook():
    exercises = _notebook.find_exercises(nbformat.read(str(SOURCE), as_version=4))
    assert [(e.id, e.graded_ids, e.points) for e in exercises] == [
        ("ex1-vjp", ["ex1-vjp-check"], 2), ("ex2-predict", ["ex2-predict-check"], 1),
        ("ex3-zero-grad", ["ex3-zero-grad-check"], 2)]
    # stored without outputs: the executed reference is made on demand
    nb = nbformat.read(str(SOURCE), as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None
               for c in nb.cells if c.cell_type == "code")


def _sheet(*cells):
    """A notebook of (cell type, nbgrader metadata) pairs."""
    make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
    return nbformat.v4.new_notebook(cells=[
        make[kind]("x = 1", metadata={"nbgrader": meta} if meta else {}) for kind, meta in cells])


def test_find_exercises_rules():
    answer = {"grade_id": "a", "solution": True, "grade": False}
    check = {"grade_id": "a-check", "solution": False, "grade": True, "points": 3}
    graded_answer = {"grade_id": "b", "solution": True, "grade": True, "points": 1}
    exercises = _notebook.find_exercises(_sheet(
        ("markdown", None), ("code", answer), ("code", None), ("code", check),
        ("markdown", {"grade_id": "essay", "solution": True}), ("code", graded_answer)))
    assert [(e.id, e.solution, e.graded, e.points) for e in exercises] == [
        ("a", 1, [3], 3), ("b", 5, [5], 1)]
    for cells, message in [
        ([("code", check), ("code", answer)], "'a-check' comes before any solution cell"),
        ([("code", answer)], "'a' has no check cell"),
        ([("code", answer), ("code", {**check, "points": -1})], "must be a number >= 0"),
        ([("code", answer), ("markdown", check)], "'a-check' is not a code cell"),
        ([("code", {"solution": True})], "the solution cell 1 has no grade_id"),
        ([("code", answer), ("code", {**check, "grade_id": "a"})], "duplicate grade_id 'a'"),
    ]:
        with pytest.raises(_notebook.GradingError, match=re.escape(message)):
            _notebook.find_exercises(_sheet(*cells))


# --- bad input: exit code 2 and one line ---------------------------------------------------------

@pytest.mark.parametrize("command, args, message", [
    (grade_main, ["{tmp}/nope.ipynb", "{tmp}", "--out", "{tmp}/o"], "nope.ipynb: no such file"),
    (grade_main, ["{data}/no_exercise_ids.ipynb", "{tmp}", "--out", "{tmp}/o"],
     "no_exercise_ids.ipynb: no exercise ids"),
    (grade_main, ["{data}/duplicate_ids.ipynb", "{tmp}", "--out", "{tmp}/o"],
     "duplicate_ids.ipynb: duplicate grade_id 'ex1' (cells 1 and 3)"),
    (grade_main, ["{source}", "{tmp}/absent", "--out", "{tmp}/o"], "absent: no such folder"),
    (grade_main, ["{source}", "{tmp}", "--out", "{tmp}/o"], "no .ipynb files to grade"),
    (grade_main, ["{tmp}/broken.txt", "{tmp}", "--out", "{tmp}/o"], "not a readable notebook"),
    (grade_main, ["{source}", "{tmp}", "--out", "{tmp}/o", "--timeout", "0"],
     "--timeout must be a positive number"),
    (assign_main, ["{data}/duplicate_ids.ipynb", "--out", "{tmp}/o"], "duplicate grade_id"),
    (assign_main, ["{data}/no_exercise_ids.ipynb", "--out", "{tmp}/o"], "no exercise ids"),
    (check_main, ["{tmp}/nope.ipynb"], "nope.ipynb: no such file"),
    (check_main, ["{data}/no_exercise_ids.ipynb"], "no reference for no_exercise_ids.ipynb"),
])
def test_bad_input_is_one_line_and_exit_code_2(command, args, message, tmp_path, capsys):
    (tmp_path / "broken.txt").write_text("{not json")
    args = [a.format(tmp=tmp_path, data=DATA, source=SOURCE) for a in args]
    assert run(command, args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "o").exists()


def test_the_console_command_reports_bad_input_without_a_traceback(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "minigrad.grading.grade",
                           str(tmp_path / "nope.ipynb"), str(tmp_path), "--out",
                           str(tmp_path / "o")], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "nope.ipynb: no such file" in proc.stderr
    assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
    assert "Traceback" not in proc.stderr


# --- packaging -----------------------------------------------------------------------------------

def test_console_scripts_are_declared():
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"] == {
        "minigrad-assign": "minigrad.grading.assign:cli",
        "minigrad-grade": "minigrad.grading.grade:cli",
        "minigrad-check": "minigrad.grading.check:cli",
    }
    grading = " ".join(project["optional-dependencies"]["grading"])
    for name in ["nbformat", "nbclient", "nbval", "pytest", "ipykernel"]:
        assert name in grading


def test_import_minigrad_stays_numpy_only():
    code = ("import sys, minigrad, minigrad.grading, minigrad.grading.assign, "
            "minigrad.grading.grade, minigrad.grading.check\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'nbformat', 'nbclient', "
            "'nbval', 'jupyter_client', 'ipykernel', 'zmq', 'pytest'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
