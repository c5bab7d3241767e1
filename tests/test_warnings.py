"""PyTorch's one-time UserWarnings, given by minigrad as PyTorch gives them.

PyTorch gives these warnings once per process (TORCH_WARN_ONCE), whatever Python's warning
filters say, so each scenario runs in a fresh interpreter under ``import minigrad as torch`` and
under ``import torch``; every statement's warnings (file, category, text) and error are compared.
PyTorch's " (Triggered internally at <its C++ source>)" suffix is left out of the comparison.
"""
import json
import re
import subprocess
import sys

import pytest

pytest.importorskip("torch", reason="PyTorch is the reference of the parity tests")

RUNNER = r"""
import json, sys, warnings
torch = __import__(sys.argv[1])
x = torch.ones(1, requires_grad=True)
out = []
for stmt in json.loads(sys.argv[2]):
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        try:
            exec(compile(stmt, "<lesson cell>", "exec"), {"torch": torch, "x": x})
            error = None
        except Exception as e:
            error = [type(e).__name__, str(e)]
    out.append([stmt, [[w.filename, w.category.__name__, str(w.message)] for w in seen], error])
print(json.dumps(out))
"""

TRIGGERED = re.compile(r" \(Triggered internally at [^)]*\)\.?$")

SCENARIOS = {
    # the scalar conversion warns once, for float() only, with grad mode on, before any size error
    "float, then other conversions": [
        "float(x)", "float(x)", "float(x * 2)", "int(x)", "bool(x)", "x.item()",
    ],
    "no warning without grad, then the size error": [
        "with torch.no_grad():\n    float(x)",
        "float(x.detach())",
        "float(torch.ones(2, 2))",
        "float(torch.ones(3, requires_grad=True))",
        "float(x)",
    ],
    # .T: one warning for 0-D tensors, another for every other dimension but 2, once each
    ".T, from 2-D to 0-D and 1-D": [
        "torch.ones(2, 3).T", "torch.tensor(1.).T", "torch.tensor(2.).T", "torch.ones(3).T",
        "torch.ones(2, 3, 4).T",
    ],
    # backward(create_graph=True): PyTorch's reference-cycle warning, at the caller, once
    "backward with create_graph": [
        "(x ** 3).backward(create_graph=True)", "(x ** 3).backward(create_graph=True)",
        "torch.autograd.grad(x ** 3, x, create_graph=True)",
    ],
    "meshgrid without indexing": [
        "torch.meshgrid(torch.ones(2), torch.ones(3))", "torch.meshgrid(torch.ones(2))",
        "torch.meshgrid(torch.ones(2), indexing='ij')",
    ],
    ".T, 3-D first, on a tensor that requires grad": [
        "torch.ones(2, 3, 4, requires_grad=True).T.sum().backward()", "torch.ones(3).T",
        "torch.ones(2, 3, 4).mT", "torch.tensor(1.).T",
    ],
}


def _run(lib, statements):
    proc = subprocess.run([sys.executable, "-c", RUNNER, lib, json.dumps(statements)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return [(stmt, [(f, c, TRIGGERED.sub("", m)) for f, c, m in warned], error)
            for stmt, warned, error in json.loads(proc.stdout)]


def _without_files(run):
    return [(stmt, [(c, m) for _, c, m in warned], error) for stmt, warned, error in run]


def _files(run):
    return [(m, f) for _, warned, _ in run for f, _, m in warned]


@pytest.mark.parametrize("name", SCENARIOS)
def test_warnings_as_pytorch_gives_them(name):
    mine, theirs = _run("minigrad", SCENARIOS[name]), _run("torch", SCENARIOS[name])
    assert _without_files(mine) == _without_files(theirs)
    assert any(warned for _, warned, _ in theirs)  # each scenario shows at least one warning
    # Every warning points at the student's line. PyTorch's do too, but for the reference-cycle
    # one and meshgrid's, which it attributes to its own torch/autograd/graph.py and
    # torch/functional.py.
    assert {f for _, f in _files(mine)} == {"<lesson cell>"}
    for message, f in _files(theirs):
        from_torch = (message.startswith("Using backward() with create_graph") and f.endswith(
            "graph.py")) or (message.startswith("torch.meshgrid") and f.endswith("functional.py"))
        assert f == "<lesson cell>" or from_torch, (message, f)
