"""The exercise commands: the check format, the student release, grading (values judged outside
the kernel, hints of known wrong answers, shards), minigrad-check, and bad input.

The hostile submissions are in tests/adversarial/."""
import copy
import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from minigrad.grading import _notebook
from minigrad.grading._cli import run
from minigrad.grading._compare import difference, render
from minigrad.grading._report import OutFolder, csv_cell, feedback_names
from minigrad.grading._sandbox import Limits, sandbox_problem
from minigrad.grading.assign import main as assign_main
from minigrad.grading.assign import public_checks
from minigrad.grading.check import main as check_main
from minigrad.grading.checks import encode
from minigrad.grading.grade import expected_values, grade, load_sheet
from minigrad.grading.grade import main as grade_main

ROOT = Path(__file__).resolve().parents[1]
SHEETS = sorted((ROOT / "notebooks" / "exercises").glob("*.ipynb"))
SOURCE = ROOT / "notebooks" / "exercises" / "01_vjp_of_an_op.ipynb"
DATA = ROOT / "tests" / "data" / "grading"
TINY = DATA / "tiny.ipynb"
TIMEOUT = 10  # seconds per cell while grading (every cell here takes well under 1 s)
SANDBOX = sandbox_problem() is None
EXERCISES = ["ex1-vjp", "ex2-predict", "ex3-zero-grad"]


def _cells(nb):
    return {_notebook.nbgrader(c).get("grade_id"): c for c in nb.cells}


def _typed(path, ids):
    """The source's answers as a student would type them: without the solution markers."""
    cells = _cells(nbformat.read(str(path), as_version=4))
    return {gid: "\n".join(line for line in cells[gid].source.split("\n")
                           if "### BEGIN SOLUTION" not in line and "### END SOLUTION" not in line)
            for gid in ids}


def _answered(student, answers):
    nb = copy.deepcopy(student)
    for gid, cell in _cells(nb).items():
        if gid in answers:
            cell.source = answers[gid]
    return nb


# --- every sheet: its reference, its wrong answers, its release ----------------------------------

@pytest.fixture(scope="module")
def references():
    """Each sheet's expected values, computed in kernels of their own (as minigrad-grade does)."""
    out = {}
    for path in SHEETS:
        sheet = load_sheet(path)
        out[path.name] = sheet, expected_values(sheet, 60, Limits(), SANDBOX, 2)
    return out


def test_every_sheet_uses_the_check_format(references):
    for name, (sheet, expected) in references.items():
        nb = sheet.notebook
        assert "from minigrad.grading.checks import check" in _cells(nb)["setup"].source, name
        for ex in sheet.exercises:
            assert ex.wrong_answers, f"{name}: {ex.id} has no known wrong answer"
            for c in ex.checks:
                assert "assert" not in c.public, f"{name}: {c.id} decides in the kernel"
                assert expected.keys_of(c.id), f"{name}: {c.id} sends nothing"
        # a hint for every wrong answer shows on some value or error
        hints = {h for pairs in expected.wrong.values() for _, h in pairs}
        hints |= {h for pairs in expected.wrong_errors.values() for _, h in pairs}
        assert hints == {h for ex in sheet.exercises for _, h in ex.wrong_answers}, name


def test_the_student_release_holds_no_solution_and_no_hidden_check(references):
    for name, (sheet, expected) in references.items():
        release = _notebook.student_version(sheet, public_checks(expected))
        text = nbformat.writes(release)
        given = "\n".join(_notebook.split_hidden(c.source)[0] for i, c in
                          enumerate(sheet.notebook.cells) if c.cell_type != "raw" and
                          i not in {ex.solution for ex in sheet.exercises})
        given += "\n".join(_notebook.strip_solution(sheet.notebook.cells[ex.solution].source)
                           for ex in sheet.exercises)
        secrets = []
        for ex in sheet.exercises:
            source = sheet.notebook.cells[ex.solution].source
            inside = source.split("### BEGIN SOLUTION")[1].split("### END SOLUTION")[0]
            secrets += [line.strip() for line in inside.split("\n") if len(line.strip()) > 6]
            secrets += [line.strip() for s, _ in ex.wrong_answers for line in s.split("\n")
                        if len(line.strip()) > 30]
            for c in ex.checks:
                secrets += [line.strip() for region in c.hidden for line in region.split("\n")
                            if line.strip()]
        secrets = [line for line in secrets if line not in given]  # given code is no secret
        assert secrets
        for secret in ["BEGIN SOLUTION", "HIDDEN TESTS", "wrong_answer", *secrets]:
            assert json.dumps(secret)[1:-1] not in text, (name, secret)
        assert not [c for c in release.cells if c.cell_type == "raw"]
        assert all(c.outputs == [] for c in release.cells if c.cell_type == "code")
        public = release.metadata["minigrad"]["public"]
        for key, entry in public.items():
            assert not expected.hidden[key]
            assert ("expected" in entry) == bool(expected.values[key]["show"]), (name, key)


def test_the_references_agree_with_pytorch(references):
    """The reference answers of the prediction exercises are what PyTorch computes."""
    torch = pytest.importorskip("torch")

    def value(sheet, key):
        v = references[sheet][1].values[key]["value"]
        return v.get("value", v)

    def flat(v):
        if v.get("kind") in ("list", "tuple"):
            return [x for item in v["items"] for x in flat(item)]
        return v["values"] if "values" in v else [v["value"]]

    def expect(sheet, key, tensor):
        got = flat(references[sheet][1].values[key]["value"])
        assert got == pytest.approx(tensor.detach().flatten().tolist()), (sheet, key)

    x = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    (x * (x - 1) ** 2).mean().backward()
    expect("01_vjp_of_an_op.ipynb", "ex1-vjp-check#0:f_vjp(x, v)",
           torch.linspace(0.5, 2.0, 7, dtype=torch.float64) *
           (torch.sin(t := torch.linspace(-3.0, 3.0, 7, dtype=torch.float64)) +
            t * torch.cos(t)))
    expect("01_vjp_of_an_op.ipynb", "ex2-predict-check#0:predicted_grad", x.grad)
    w = torch.ones(3, requires_grad=True)
    for _ in range(3):
        (w * 5).sum().backward()
    (w * w).sum().backward()
    expect("02_accumulate_and_step.ipynb", "ex1-accumulate-check#0:predicted_grad", w.grad)
    for cell, steps, lr in [(0, 5, 0.05), (1, 3, 0.2)]:  # sgd_step against optim.SGD's steps
        xs = torch.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, -1.0], [1.0, 1.0, 0.0], [2.0, -1.0, 1.0]])
        ys = torch.tensor([3.0, -1.0, 0.5, 2.0])
        w, b = torch.zeros(3, requires_grad=True), torch.zeros(1, requires_grad=True)
        optimizer = torch.optim.SGD([w, b], lr=lr)
        for _ in range(steps):
            ((xs @ w + b - ys) ** 2).mean().backward()
            optimizer.step()
            optimizer.zero_grad()
        suffix = " after 5 steps" if cell == 0 else " after 3 steps with lr = 0.2"
        expect("02_accumulate_and_step.ipynb", f"ex2-sgd-step-check#{cell}:w{suffix}", w)
        expect("02_accumulate_and_step.ipynb", f"ex2-sgd-step-check#{cell}:b{suffix}", b)
    A = torch.tensor([[1.0, 2.0, 0.0], [0.0, 1.0, 3.0], [4.0, 0.0, 1.0]])
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (A @ x).backward(torch.ones(3))
    expect("03_predict_the_gradients.ipynb", "ex1-column-sums-check#0:predicted_grad", x.grad)
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    ((x * x).detach() * x).sum().backward()
    expect("03_predict_the_gradients.ipynb", "ex2-detach-check#0:grad_detached", x.grad)
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x * x).sum().backward()
    expect("03_predict_the_gradients.ipynb", "ex2-detach-check#0:grad_attached", x.grad)
    for a in (2.0, -0.5):
        t = torch.tensor(a, requires_grad=True)
        b = t
        while b.abs() < 100:
            b = b * 3
        (b - 50 if b > 0 else -b).backward()
        assert value("03_predict_the_gradients.ipynb",
                     f"ex3-control-flow-check#0:predicted[{a}]") == t.grad.item()
    x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    (x * x.sum()).backward(torch.ones(3))
    expect("05_vjps_and_the_engine.ipynb", "ex2-ones-vs-diagonal-check#0:predicted_backward_ones",
           x.grad)
    J = torch.autograd.functional.jacobian(lambda t: t * t.sum(), x.detach())
    expect("05_vjps_and_the_engine.ipynb", "ex2-ones-vs-diagonal-check#0:predicted_diagonal",
           torch.diagonal(J))
    # sheet 04: the graph of ((w * w - w) ** 2).sum() and its gradient, as PyTorch builds them
    w = torch.autograd.Variable(torch.tensor([2.0, -1.0, 3.0]), requires_grad=True)
    out = ((w * w - w) ** 2).sum()
    node, chain = out.grad_fn, []
    while node is not None:
        chain.append(node.name())
        node = node.next_functions[0][0] if node.next_functions else None
    sub = out.grad_fn.next_functions[0][0].next_functions[0][0]
    sheet = "04_legacy_variable.ipynb"
    sent = [i["value"] for i in value(sheet, "ex1-creator-chain-check#0:predicted_chain")["items"]]
    assert sent == chain
    sent = value(sheet, "ex1-creator-chain-check#0:predicted_sub_inputs")["items"]
    assert [i["value"] for i in sent] == [n.name() for n, _ in sub.next_functions]
    assert w.grad_fn is None
    assert value(sheet, "ex1-creator-chain-check#0:predicted_w_creator") == {"kind": "none"}
    out.backward()
    expect(sheet, "ex2-predict-grad-check#0:predicted_grad", w.grad)
    w = torch.tensor([0.5, 4.0], requires_grad=True)  # update() against optim.SGD's step
    (w ** 3).sum().backward()
    torch.optim.SGD([w], lr=0.1).step()
    expect(sheet, "ex3-modernise-check#1:w after an update with lr = 0.1", w)
    x = torch.tensor([-3.0, -0.5, 0.25, 2.0], dtype=torch.float64, requires_grad=True)
    (x / (1 + x.abs())).sum().backward()
    expect("05_vjps_and_the_engine.ipynb",
           "ex1-function-check#0:the gradient of Softsign.apply(x).sum()", x.grad)
    # what backward() does with its gradient argument: PyTorch's x.grad, or its error's name
    cases = {"a": lambda x: (x * x).sum().backward(torch.tensor(2.0)),
             "b": lambda x: (x * x).sum().backward(torch.ones(1)),
             "c": lambda x: (x * x)[:1].backward(),
             "d": lambda x: (x * x).backward(torch.ones(1, 3)),
             "e": lambda x: (x * x).backward(2.0),
             "f": lambda x: (x * x).sum().backward(torch.tensor(2.0, dtype=torch.float64))}
    for case, run in cases.items():
        x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
        key = f"ex3-backward-gradient-check#0:case {case}"
        try:
            run(x)
        except (RuntimeError, TypeError) as e:
            assert value("05_vjps_and_the_engine.ipynb", key) == type(e).__name__, case
        else:
            expect("05_vjps_and_the_engine.ipynb", key, x.grad)


# --- minigrad-assign and minigrad-grade on sheet 01 ----------------------------------------------

@pytest.fixture(scope="module")
def release(references, tmp_path_factory):
    """The student release of sheet 01, as minigrad-assign writes it."""
    sheet, expected = references[SOURCE.name]
    path = tmp_path_factory.mktemp("release") / SOURCE.name
    _notebook.write_notebook(_notebook.student_version(sheet, public_checks(expected)), path)
    return path


WRONG = {"ex1-vjp": "def f_vjp(x, v):\n    return v * torch.sin(x)",
         "ex2-predict": "predicted_grad = [[0.0, 21.0], [-0.25, 16.0]]",
         "ex3-zero-grad": "def train(steps=20, lr=0.1):\n    return train_broken(steps, lr)"}


@pytest.fixture(scope="module")
def graded(release, tmp_path_factory):
    """minigrad-grade (as ``python -m``) on a few students: (output folder, its stdout)."""
    student = nbformat.read(str(release), as_version=4)
    right = _typed(SOURCE, EXERCISES)
    subs = {
        "correct": _answered(student, right),
        "wrong": _answered(student, WRONG),
        "edits_check": _answered(student, {**right, "ex1-vjp": WRONG["ex1-vjp"]}),
        "missing": _answered(student, right),
        "loops": _answered(student, {**right, "ex1-vjp": "while True:\n    pass"}),
        "delegates": _answered(student, {**right, "ex1-vjp": """\
def f_vjp(x, v):  # by hand in name only: autograd through a name no source check knows
    x = x.detach().requires_grad_()
    return vars(vars(torch)["auto" "grad"])["gr" "ad"](f(x), x, v)[0]"""}),
        "hardcoded": _answered(student, {**right, "ex1-vjp": """\
def f_vjp(x, v):  # the values the release shows, returned whatever x is
    return torch.tensor([1.41442874, -0.05775282, -1.38177329, 0.0, 2.07265994, 0.13475657,
                         -5.65771496], dtype=torch.float64)"""}),
    }
    _cells(subs["edits_check"])["ex1-vjp-check"].source = "check('f_vjp(x, v)', 0)"
    subs["missing"].cells.remove(_cells(subs["missing"])["ex2-predict"])
    folder = tmp_path_factory.mktemp("submissions")
    for name, nb in subs.items():
        nbformat.write(nb, str(folder / f"{name}.ipynb"))
    (folder / "garbled.ipynb").write_text("{this is not a notebook")
    out = tmp_path_factory.mktemp("graded")
    proc = subprocess.run(
        [sys.executable, "-m", "minigrad.grading.grade", str(SOURCE), str(folder),
         "--out", str(out), "--timeout", str(TIMEOUT), "--jobs", "2"],
        capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    return out, proc.stdout


EXPECTED = {  # student: points per exercise (2, 1, 2)
    "correct": [2, 1, 2],
    "delegates": [0, 1, 2],     # ex1 by autograd: it fails when run with autograd switched off
    "edits_check": [0, 1, 2],   # wrong ex1 answer; its check cell edited to send 0
    "garbled": [0, 0, 0],
    "hardcoded": [0, 1, 2],     # right on the public points only: the hidden ones catch it
    "loops": [0, 1, 2],         # ex1 never ends: stopped, and the cells after it still run
    "missing": [2, 0, 2],       # the ex2 answer cell deleted
    "wrong": [0, 0, 0],
}


def test_scores_csv_and_json(graded):
    with open(graded[0] / "scores.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["student", *EXERCISES, "total"]
    assert {r[0]: [int(x) for x in r[1:]] for r in rows[1:]} == \
        {s: [*p, sum(p)] for s, p in EXPECTED.items()}
    data = json.loads((graded[0] / "scores.json").read_text())
    assert data["max_total"] == 5 and data["cell_timeout"] == TIMEOUT
    assert data["reference"] == SOURCE.name and data["sandboxed"] is SANDBOX
    status = {s: [data["students"][s]["exercises"][e]["status"] for e in EXERCISES]
              for s in EXPECTED}
    assert status["correct"] == ["passed"] * 3
    assert status["wrong"] == ["failed"] * 3
    assert status["loops"] == ["timeout", "passed", "passed"]
    assert status["missing"] == ["passed", "missing", "passed"]
    assert status["garbled"] == ["missing"] * 3
    for k, e in enumerate(EXERCISES):
        assert data["exercises"][e]["passed"] == sum(p[k] > 0 for p in EXPECTED.values())
    lines = graded[1].splitlines()
    for student, points in EXPECTED.items():
        assert f"{student}: {sum(points)} / 5" in lines
    assert lines[-1].startswith("8 submissions graded")


def _feedback(graded, student):
    return (graded[0] / "feedback" / f"{student}.md").read_text()


def test_feedback_says_what_is_wrong_without_the_answer(graded):
    text = _feedback(graded, "wrong")
    assert "**Total: 0 / 5 points**" in text
    # ex1 shows its expected value (show=True), and the hint of the wrong answer it matches
    assert "`f_vjp(x, v)` is wrong in 6 of its 7 numbers" in text
    assert "Expected: `tensor([1.41443, -0.0577528," in text
    assert "You are missing the x·cos x term" in text
    # ex2's answer is never shown; the hint of the known wrong answer is
    assert "`predicted_grad` is wrong in 2 of its 2 items; yours is `[[0, 21], [-0.25, 16]]`" in text
    assert "each counts a quarter" in text
    assert "5.25" not in text
    # ex3: what differs, no value of the reference
    assert "`the number of losses`" not in text  # that one is right
    assert "`the losses of the 20 steps` is wrong in 18 of its 20 items" in text
    assert "backward() adds into .grad: zero w.grad and b.grad once per step" in text
    assert "A hidden check failed." in text


def test_feedback_of_a_correct_submission(graded):
    text = _feedback(graded, "correct")
    assert "**Total: 5 / 5 points**" in text
    assert "failed" not in text and "## Notes" not in text


def test_feedback_of_a_vjp_that_delegates_to_autograd(graded):
    text = _feedback(graded, "delegates")
    assert "| `ex1-vjp` | 0 / 2 | failed |" in text
    assert "not available in this exercise" in text  # what it sent: the error, not a tensor
    assert "f_vjp(x, v) is v · f'(x), element by element" in text  # the check's hint


def test_hidden_checks_catch_hardcoded_values(graded):
    text = _feedback(graded, "hardcoded")
    assert "| `ex1-vjp` | 0 / 2 | failed |" in text
    assert "A hidden check failed." in text and "other points" not in text


def test_feedback_explains_a_timeout_and_an_edited_check(graded):
    text = _feedback(graded, "loops")
    assert "| `ex1-vjp` | 0 / 2 | timeout |" in text
    assert f"Your answer cell `ex1-vjp` was stopped after {TIMEOUT} s" in text
    assert "NameError: name 'f_vjp' is not defined" in text  # its check ran after it
    text = _feedback(graded, "edits_check")
    assert "You are missing the x·cos x term" in text  # the original check ran


def test_feedback_of_a_missing_cell_and_an_unreadable_file(graded):
    assert "Your notebook has no answer cell `ex2-predict`" in _feedback(graded, "missing")
    text = _feedback(graded, "garbled")
    assert "not a notebook (not JSON" in text and "**Total: 0 / 5 points**" in text


# --- minigrad-check, from the release alone ------------------------------------------------------

def test_check_a_correct_and_an_unanswered_release(release, tmp_path, capsys):
    student = nbformat.read(str(release), as_version=4)
    mine = tmp_path / "mine.ipynb"
    nbformat.write(_answered(student, _typed(SOURCE, EXERCISES)), str(mine))
    assert run(check_main, [str(mine), "--timeout", str(TIMEOUT)]) == 0
    out = capsys.readouterr().out
    assert "no problem found in the public checks" in out
    assert "`ex1-vjp-check`: `f_vjp(x, v)`: right" in out
    assert "`ex2-predict-check`: `predicted_grad`: the right kind and shape; the value is " \
           "checked when graded" in out
    nbformat.write(_answered(student, WRONG), str(mine))
    assert run(check_main, [str(mine), "--timeout", str(TIMEOUT)]) == 1
    out = capsys.readouterr().out
    assert "You are missing the x·cos x term" in out
    assert "5.25" not in out  # the answer of ex2 is never shown, not even next to a wrong one


# --- shards, merge, and the fallback without a sandbox --------------------------------------------

def test_shards_merged_equal_one_run(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    student = _notebook.student_version(load_sheet(TINY))
    twice = "def double(x):\n    return x + x"
    for name, answers in [("right", {"ex1": "answer = 42", "ex2": twice}),
                          ("off", {"ex1": "answer = 41"}),
                          ("=cmd", {"ex2": "def double(x):\n    return 2 * x"}),
                          ("half", {"ex1": "answer = 42.0"})]:
        nbformat.write(_answered(student, answers), str(subs / f"{name}.ipynb"))
    (subs / "junk.ipynb").write_bytes(b"\x00\x01")
    one = grade(TINY, subs, tmp_path / "one", TIMEOUT, jobs=2)
    for i in (1, 2):
        grade(TINY, subs, tmp_path / f"shard{i}", TIMEOUT, jobs=1, shard=(i, 2))
    assert run(grade_main, ["merge", str(TINY), str(tmp_path / "shard2"),
                            str(tmp_path / "shard1"), "--out", str(tmp_path / "merged")]) == 0
    for name in ["scores.csv", "scores.json"]:
        assert (tmp_path / "merged" / name).read_text() == (tmp_path / "one" / name).read_text()
    for path in (tmp_path / "one" / "feedback").iterdir():
        assert (tmp_path / "merged" / "feedback" / path.name).read_text() == path.read_text()
    assert {s: e["total"] for s, e in one["students"].items()} == \
        {"=cmd": 2, "half": 1, "junk": 0, "off": 0, "right": 3}
    rows = (tmp_path / "one" / "scores.csv").read_text().splitlines()
    assert "'=cmd,0,2,2" in rows


def test_without_a_sandbox_grading_says_so_and_works(tmp_path, monkeypatch, capsys):
    from minigrad.grading import _sandbox
    monkeypatch.setattr(_sandbox, "sandbox_problem", lambda: "bwrap is not installed")
    subs = tmp_path / "subs"
    subs.mkdir()
    student = _notebook.student_version(load_sheet(TINY))
    nbformat.write(_answered(student, {"ex1": "answer = 42"}), str(subs / "a.ipynb"))
    data = grade(TINY, subs, tmp_path / "out", TIMEOUT)
    assert data["sandboxed"] is False and data["students"]["a"]["total"] == 1
    assert "WARNING: submissions are NOT isolated" in capsys.readouterr().err
    assert run(grade_main, [str(TINY), str(subs), "--out", str(tmp_path / "o"),
                            "--require-sandbox"]) == 2
    assert "--require-sandbox: no sandbox here: bwrap is not installed" in capsys.readouterr().err


# --- the format and the judging, without a kernel ------------------------------------------------

def test_encode_and_compare():
    import minigrad as mg
    import numpy as np
    t = encode(mg.tensor([[1.0, float("nan")], [float("inf"), 2.0]], requires_grad=True))
    assert t == {"kind": "tensor", "dtype": "float32", "shape": [2, 2],
                 "values": [1.0, "nan", "inf", 2.0], "requires_grad": True}
    assert difference(t, t, 1e-5, 1e-8) is None  # NaN equals NaN
    assert encode(np.float64(2.5)) == {"kind": "float", "value": 2.5}
    assert encode({2.0: 1})["items"] == [["2.0", {"kind": "int", "value": 1}]]
    assert encode(object()) == {"kind": "object", "type": "object"}
    near = encode(mg.tensor([1.0, 2.0001]))
    assert difference(near, encode(mg.tensor([1.0, 2.0])), 1e-3, 0) is None
    assert difference(near, encode(mg.tensor([1.0, 2.0])), 1e-6, 0) == \
        "is wrong in 1 of its 2 numbers"
    assert difference(encode([1, 2]), encode(mg.tensor([1.0, 2.0])), 1e-5, 1e-8) == \
        "is a list, it should be a tensor"
    assert difference(encode(mg.zeros(3)), encode(mg.zeros(2, 2)), 1e-5, 1e-8) == \
        "has the shape (3,), it should have the shape (2, 2)"
    assert difference(encode((1, 2.0)), encode([1.0, 2]), 0, 0) is None  # tuples, ints: alike
    assert difference(encode([1, 3]), encode([1, 2]), 0, 0) == \
        "is wrong: its item 1 is not the expected number"
    # whatever a submission sends is a wrong value, never an exception
    for junk in [None, 3, "x", [], {"kind": "tensor"}, {"kind": "tensor", "shape": "x"},
                 {"kind": "list", "items": 5}, {"kind": "dict", "items": [[1, 2, 3]]},
                 {"kind": "float", "value": "NaNx"}]:
        for ref in [t, encode([1.0]), encode({"a": 1}), encode(1.5), encode("s")]:
            assert difference(junk, ref, 1e-5, 1e-8) is not None
            render(junk)
    assert render(encode(list(range(100)))).endswith(", ...]")


def test_read_answers_takes_only_answer_cells_from_any_bytes():
    sheet = load_sheet(TINY)
    good = nbformat.writes(_answered(_notebook.student_version(sheet), {"ex1": "answer = 1"}))
    answers = _notebook.read_answers(good.encode(), sheet)
    assert answers.sources["ex1"] == "answer = 1" and answers.notes == []
    for data, message in [
        (b"\xff\xfe", "not UTF-8"), (b"[" * 100_000, "not JSON"), (b"{}", "no list of cells"),
        (b"null", "no list of cells"), (b'{"cells": 3}', "no list of cells"),
    ]:
        with pytest.raises(_notebook.Unreadable, match=message):
            _notebook.read_answers(data, sheet)
    weird = {"cells": [1, None, {"metadata": []}, {"metadata": {"nbgrader": []}},
                       {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "ex1"}},
                        "source": ["x = '\ud800'", "\x00"]},
                       {"cell_type": "code", "metadata": {"nbgrader": {"grade_id": "ex1"}},
                        "source": "second"},
                       {"cell_type": "markdown", "metadata": {"nbgrader": {"grade_id": "ex2"}},
                        "source": "def double"}]}
    answers = _notebook.read_answers(json.dumps(weird).encode(), sheet)
    assert answers.sources == {"ex1": "x = '\ufffd'\ufffd"}
    assert any("Several cells" in n for n in answers.notes)
    assert any("`ex2` of your notebook is not a code cell" in n for n in answers.notes)
    assert _notebook.student_name(b"caf\xc3\xa9.ipynb") == "café"
    assert _notebook.student_name(b"bad\xff\x1b[31m.ipynb") == "bad\ufffd\ufffd[31m"


def test_output_files_never_go_through_a_symlink(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_text("keep")
    out = tmp_path / "out"
    (out / "feedback").mkdir(parents=True)
    (out / "scores.csv").symlink_to(outside)
    (out / "feedback" / "a.md").symlink_to(outside)
    folder = OutFolder(out)
    folder.write("scores.csv", "new")
    folder.write("a.md", "new", "feedback")
    folder.close()
    assert outside.read_text() == "keep"
    assert (out / "scores.csv").read_text() == "new" and not (out / "scores.csv").is_symlink()
    assert not [p for p in out.rglob("*.tmp")]
    (tmp_path / "link").symlink_to(out)
    with pytest.raises(_notebook.GradingError, match="symbolic link"):
        OutFolder(tmp_path / "link")


def test_csv_cells_and_feedback_names():
    assert [csv_cell(s) for s in ["=1+1", "+a", "-b", "@c", "\tx", "ok", "a=b"]] == \
        ["'=1+1", "'+a", "'-b", "'@c", "'\tx", "ok", "a=b"]
    names = feedback_names(["ann", "ANN", "../etc/passwd", ".hidden", "a b", "ann-x"])
    assert len(set(n.lower() for n in names)) == 6
    assert names[0] == "ann.md"
    assert all(re.fullmatch(r"[A-Za-z0-9_-][A-Za-z0-9._-]*\.md", n) for n in names)


def test_find_exercises_rules():
    def sheet(*cells):
        make = {"code": nbformat.v4.new_code_cell, "markdown": nbformat.v4.new_markdown_cell}
        return nbformat.v4.new_notebook(cells=[
            make[kind]("x = 1", metadata={"nbgrader": meta} if meta else {})
            for kind, meta in cells])

    answer = {"grade_id": "a", "solution": True, "grade": False}
    check = {"grade_id": "a-check", "solution": False, "grade": True, "points": 3}
    read = _notebook.read_sheet(sheet(("markdown", None), ("code", answer), ("code", None),
                                      ("code", check)))
    assert [(e.id, e.solution, [c.id for c in e.checks], e.points) for e in read.exercises] == \
        [("a", 1, ["a-check"], 3)]
    for cells, message in [
        ([("code", check), ("code", answer)], "'a-check' comes before any solution cell"),
        ([("code", answer)], "'a' has no check cell"),
        ([("code", answer), ("code", {**check, "points": -1})], "must be a number >= 0"),
        ([("code", answer), ("markdown", check)], "'a-check' is not a code cell"),
        ([("code", {"solution": True})], "the solution cell 1 has no grade_id"),
        ([("code", answer), ("code", {**check, "grade_id": "a"})], "duplicate grade_id 'a'"),
        ([("code", {**answer, "grade": True, "points": 1})], "both an answer and a check"),
    ]:
        with pytest.raises(_notebook.GradingError, match=re.escape(message)):
            _notebook.read_sheet(sheet(*cells))


def test_strip_solution_and_split_hidden():
    src = ("def f(x):\n    '''doc'''\n    ### BEGIN SOLUTION\n    return x\n"
           "    ### END SOLUTION\ny = 1")
    assert _notebook.strip_solution(src) == (
        "def f(x):\n    '''doc'''\n    # YOUR CODE HERE\n    raise NotImplementedError()\ny = 1")
    assert _notebook.strip_solution("x = 1") == "# YOUR CODE HERE\nraise NotImplementedError()"
    with pytest.raises(_notebook.GradingError, match="without"):
        _notebook.strip_solution("### BEGIN SOLUTION\nx = 1")
    public, hidden = _notebook.split_hidden(
        "a\n### BEGIN HIDDEN TESTS\nb\n### END HIDDEN TESTS\nc\n### BEGIN HIDDEN TESTS\nd\n"
        "### END HIDDEN TESTS")
    assert (public, hidden) == ("a\nc", ["b", "d"])


# --- bad input: exit code 2 and one line ---------------------------------------------------------

@pytest.mark.parametrize("command, args, message", [
    (grade_main, ["{tmp}/nope.ipynb", "{tmp}", "--out", "{tmp}/o"], "nope.ipynb: no such file"),
    (grade_main, ["{data}/no_exercise_ids.ipynb", "{tmp}", "--out", "{tmp}/o"],
     "no_exercise_ids.ipynb: no exercise ids"),
    (grade_main, ["{data}/duplicate_ids.ipynb", "{tmp}", "--out", "{tmp}/o"],
     "duplicate_ids.ipynb: duplicate grade_id 'ex1' (cells 1 and 3)"),
    (grade_main, ["{tiny}", "{tmp}/absent", "--out", "{tmp}/o"], "absent: no such folder"),
    (grade_main, ["{tiny}", "{tmp}/empty", "--out", "{tmp}/o"], "nothing to grade"),
    (grade_main, ["{tmp}/broken.txt", "{tmp}", "--out", "{tmp}/o"], "not a readable notebook"),
    (grade_main, ["{tiny}", "{tmp}", "--out", "{tmp}/o", "--timeout", "0"],
     "--timeout must be a positive number"),
    (grade_main, ["{tiny}", "{tmp}", "--out", "{tmp}/o", "--shard", "3/2"], "need 1 <= i <= n"),
    (grade_main, ["{tiny}", "{tmp}", "--out", "{tmp}/o", "--memory", "0"],
     "--memory must be at least 1"),
    (grade_main, ["{tiny}", "{tmp}", "--out", "{tmp}/o", "--file-size", "0"],
     "--file-size must be at least 1"),
    (grade_main, ["merge", "{tiny}", "{tmp}", "--out", "{tmp}/o"],
     "not the output of minigrad-grade"),
    (assign_main, ["{data}/duplicate_ids.ipynb", "--out", "{tmp}/o"], "duplicate grade_id"),
    (assign_main, ["{data}/no_exercise_ids.ipynb", "--out", "{tmp}/o"], "no exercise ids"),
    (check_main, ["{tmp}/nope.ipynb"], "nope.ipynb: no such file"),
    (check_main, ["{tiny}"], "not a student release"),
])
def test_bad_input_is_one_line_and_exit_code_2(command, args, message, tmp_path, capsys):
    (tmp_path / "broken.txt").write_text("{not json")
    (tmp_path / "empty").mkdir()
    args = [a.format(tmp=tmp_path, data=DATA, tiny=TINY) for a in args]
    assert run(command, args) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert message in err
    assert not (tmp_path / "o").exists()


def test_assign_refuses_a_failing_reference_and_a_passing_wrong_answer(tmp_path, capsys):
    nb = nbformat.read(str(TINY), as_version=4)
    broken = copy.deepcopy(nb)
    _cells(broken)["ex2"].source = "def double(x):\n    ### BEGIN SOLUTION\n    return y\n" \
                                   "    ### END SOLUTION"
    nbformat.write(broken, str(tmp_path / "broken.ipynb"))
    assert run(assign_main, [str(tmp_path / "broken.ipynb"), "--out", str(tmp_path / "o")]) == 2
    assert "ex2-check fails in the reference: NameError" in capsys.readouterr().err
    passing = copy.deepcopy(nb)
    next(c for c in passing.cells if c.cell_type == "raw").source = "answer = 42"
    nbformat.write(passing, str(tmp_path / "passing.ipynb"))
    assert run(assign_main, [str(tmp_path / "passing.ipynb"), "--out", str(tmp_path / "o")]) == 2
    assert "a wrong answer of 'ex1' passes every check ('One more.')" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


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
    for name in ["nbformat", "jupyter_client", "ipykernel"]:
        assert name in grading.replace("-", "_")


def test_import_minigrad_stays_numpy_only():
    code = ("import sys, minigrad, minigrad.grading, minigrad.grading.assign, "
            "minigrad.grading.grade, minigrad.grading.check, minigrad.grading.checks\n"
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'nbformat', 'nbclient', "
            "'nbval', 'jupyter_client', 'ipykernel', 'zmq', 'pytest', 'IPython'}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
