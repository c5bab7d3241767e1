"""``out=`` against PyTorch: the result written into the given tensor (cast, resized with
PyTorch's warning), and PyTorch's errors where an argument requires grad or out is no tensor."""
import re
import warnings

import pytest

import minigrad
from compare import outcome

torch = pytest.importorskip("torch")


def run(expr, lib):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = outcome(expr, lib)
    shown = repr(result[1]) if result[0] == "ok" else result[1]
    return result[0], shown, [re.sub(r" \(Triggered internally at [^)]*\)\.?$", "",
                                     str(w.message)) for w in caught]


CASES = [
    lambda T: (lambda o: (T.add(T.ones(2), 1, out=o), o))(T.empty(2)),
    lambda T: (lambda o: T.mul(T.ones(2, 2), T.tensor([1.0, 2.0]), out=o) is o)(T.empty(2, 2)),
    lambda T: T.sum(T.ones(2, 3), 1, out=T.empty(2)),
    lambda T: T.mean(T.ones(2, 3), out=T.empty(())),
    lambda T: T.matmul(T.ones(2, 2), T.ones(2), out=T.empty(2)),
    lambda T: T.cat([T.ones(2), T.zeros(1)], out=T.empty(3)),
    lambda T: T.stack([T.ones(2), T.zeros(2)], out=T.empty(2, 2)),
    lambda T: T.exp(T.zeros(2), out=T.empty(2, dtype=T.float64)),
    lambda T: T.eq(T.ones(2), 1, out=T.empty(2)),
    lambda T: T.add(T.ones(2), 1.5, out=T.empty(2, dtype=T.int64)),
    lambda T: T.mul(T.ones(2), 3, out=T.empty(3)),  # resized, with a warning
    lambda T: T.mul(T.ones(2), 3, out=T.empty(0)),  # resized silently: it was empty
    lambda T: T.add(T.ones(2), 1, out=[1]),
    lambda T: T.exp(T.ones(2, requires_grad=True), out=T.empty(2)),
    lambda T: T.add(T.ones(2), 1, out=T.zeros(2, requires_grad=True)),
    lambda T: T.zeros(2, 2, out=T.empty(1)), lambda T: T.ones(3, out=T.empty(3)),
    lambda T: T.arange(3, out=T.empty(3)), lambda T: T.randn(3, out=T.empty(3)).shape,
    lambda T: T.ones(2).add(1, out=T.empty(2)),  # methods take no out=
]


@pytest.mark.parametrize("k", range(len(CASES)))
def test_out_matches_torch(k):
    assert run(CASES[k], minigrad) == run(CASES[k], torch)


def test_out_under_no_grad_and_version():
    for lib in (minigrad, torch):
        x = lib.ones(2, requires_grad=True)
        out = lib.zeros(2)
        with lib.no_grad():
            lib.mul(x, 3, out=out)
        assert out.tolist() == [3.0, 3.0] and out._version == 1 and not out.requires_grad
