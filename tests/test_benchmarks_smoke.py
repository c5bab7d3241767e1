"""The benchmark suite's smoke run: every backend runs every workload, gradients agree.

No timing is asserted: times depend on the machine. What is asserted is that
``python -m benchmarks --quick`` succeeds, that minigrad's gradients match the hand-written
numpy ones on every workload (and PyTorch's, HIPS autograd's and mygrad's where installed), and
that the gradient check does catch a wrong gradient.
"""
import importlib.util
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the benchmarks package lives next to minigrad, not inside it

from benchmarks import runner  # noqa: E402
from benchmarks.workloads import WORKLOADS  # noqa: E402

PEERS = {"torch": "torch", "autograd": "autograd", "mygrad": "mygrad"}


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    proc = subprocess.run([sys.executable, "-m", "benchmarks", "--quick", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=240)
    result = json.loads((out / "latest.json").read_text()) if proc.returncode == 0 else None
    return proc, result, out


def test_quick_run_succeeds(quick_run):
    proc, result, out = quick_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert result["mode"] == "quick" and result["problems"] == []
    md = (out / "latest.md").read_text()
    assert "| per_op | minigrad |" in md and "| deep_chain | minigrad |" in md


@pytest.mark.parametrize("backend", ["numpy", "minigrad"])
def test_required_backends_run_every_workload(quick_run, backend):
    _, result, _ = quick_run
    report = result["runs"]["1"][backend]
    assert report["available"] and report["errors"] == {}
    assert set(report["results"]) == set(WORKLOADS)
    for name, res in report["results"].items():
        assert res["median"] > 0, name


@pytest.mark.parametrize("backend", ["minigrad", "torch", "autograd", "mygrad"])
def test_gradients_match_handwritten_numpy(quick_run, backend):
    _, result, _ = quick_run
    report = result["runs"]["1"][backend]
    if backend in PEERS and importlib.util.find_spec(PEERS[backend]) is None:
        assert not report["available"] and "skipped" in report["note"]
        pytest.skip(f"{backend} is not installed (the run skips it with a note)")
    assert report["available"]
    checked = report["grads"]
    assert set(checked) == set(report["results"]) and checked
    for name, ok in checked.items():
        assert ok["ok"], f"{backend} {name}: max rel err {ok['max_rel_err']:.2e}"
    if backend == "minigrad":  # minigrad runs everything, recursion-free deep chain included
        assert set(checked) == set(WORKLOADS)


def test_memory_returns_after_backward_for_minigrad(quick_run):
    _, result, _ = quick_run
    memory = result["runs"]["1"]["minigrad"]["memory"]
    assert set(memory) == {"mlp_64", "mlp_1024", "deep_chain"}
    for name, mem in memory.items():
        assert mem["peak"] > 0, name
        assert mem["after_release"] <= 64 * 1024, (name, mem)


def test_gradient_check_catches_a_wrong_gradient():
    ref = {"per_op.x": np.array([1.0, 2.0, 3.0], dtype=np.float32)}
    wrong = {"per_op.x": np.array([1.0, 2.0, 3.5], dtype=np.float32)}
    reports = {
        "numpy": {"available": True, "results": {"per_op": {}}, "errors": {}, "_grads": ref},
        "minigrad": {"available": True, "results": {"per_op": {}}, "errors": {}, "_grads": wrong},
    }
    runner.check_gradients(reports)
    assert reports["numpy"]["grads"]["per_op"]["ok"]
    assert not reports["minigrad"]["grads"]["per_op"]["ok"]
    problems = runner.failures({"1": reports})
    assert len(problems) == 1 and "minigrad per_op: gradients differ" in problems[0]
