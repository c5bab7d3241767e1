"""The grading benchmark's smoke run: a class of one sheet is graded, and scored as it should be.

No timing is asserted: times depend on the machine. What is asserted is that
``python -m benchmarks.grading --quick`` succeeds with the class's scores checked (the reference's
rows full marks, the known wrong answers' rows less), and that the check does catch wrong scores.
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the benchmarks package lives next to minigrad, not inside it

from benchmarks import grading  # noqa: E402

pytest.importorskip("nbformat")
pytest.importorskip("jupyter_client")


def test_quick_run_grades_the_class_as_expected(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "benchmarks.grading", "--quick",
                           "--out", str(tmp_path)],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads((tmp_path / "grading.json").read_text())
    [sheet] = result["sheets"]
    assert sheet["sheet"].startswith("01_") and sheet["submissions"] == 3
    assert sheet["returncode"] == 0 and sheet["problems"] == []
    assert sheet["first_graded"] > 0 and sheet["wall"] >= sheet["first_graded"]
    assert sheet["peak_rss"] > 0
    md = (tmp_path / "grading.md").read_text()
    assert "| 01 |" in md and "as expected" in md and "Load average" in md


def test_class_holds_the_reference_and_known_wrong_answers(tmp_path):
    path = grading.sheet_paths(["01"])[0]
    kinds, n_wrong = grading.make_class(path, 6, tmp_path)
    assert list(kinds.values()) == [True, False, False, True, False, False]
    sheet = grading.load_sheet(path)
    wrong = [src for ex in sheet.exercises for src, _ in ex.wrong_answers]
    assert n_wrong == len(wrong)
    for k, (name, reference) in enumerate(kinds.items()):
        nb = json.loads((tmp_path / f"{name}.ipynb").read_text())
        assert not any("wrong_answer" in c["metadata"].get("minigrad", {}) for c in nb["cells"])
        answers = ["".join(c["source"]) for c in nb["cells"]
                   if c["metadata"].get("nbgrader", {}).get("solution")
                   and c["cell_type"] == "code"]
        held = [a for a in answers if a in wrong]
        assert held == ([] if reference else [wrong[k - 1 - k // 3]])


def test_score_check_catches_wrong_scores():
    kinds = {"a": True, "b": False}

    def data(a, b):
        return {"max_total": 10, "sandboxed": True,
                "students": {"a": {"total": a}, "b": {"total": b}}}

    assert grading.check_scores(data(10, 4), kinds) == []
    assert "expected full marks" in grading.check_scores(data(9, 4), kinds)[0]
    assert "expected less" in grading.check_scores(data(10, 10), kinds)[0]
    missing = {"max_total": 10, "sandboxed": True, "students": {"a": {"total": 10}}}
    assert grading.check_scores(missing, kinds)
