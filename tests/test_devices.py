"""Devices: minigrad answers like PyTorch built without CUDA (the reference in the test
environment is the CPU build of PyTorch 2.13, so every answer is compared with it directly)."""
import pickle

import pytest

import minigrad
from compare import outcome

torch = pytest.importorskip("torch")


def same(fn):
    """fn(lib) gives the same outcome (value's repr, or exception type and text) in both."""
    mine, theirs = outcome(fn, minigrad), outcome(fn, torch)
    assert (mine[0], repr(mine[1]) if mine[0] == "ok" else mine[1]) == \
        (theirs[0], repr(theirs[1]) if theirs[0] == "ok" else theirs[1])


@pytest.mark.parametrize("spec", ["cpu", "cpu:0", "cuda", "cuda:1", "mps", "meta", "banana",
                                  "cuda:x", "cpu:-1", 0, 3.0])
def test_device_objects(spec):
    same(lambda T: T.device(spec))
    same(lambda T: str(T.device(spec)))
    same(lambda T: (T.device(spec).type, T.device(spec).index))


def test_device_equality_hash_and_pickle():
    for lib in (minigrad, torch):
        d = lib.device("cpu")
        assert d == lib.device("cpu") and hash(d) == hash(lib.device("cpu"))
        assert d != lib.device("cpu", 0) and d != "cpu"
        assert pickle.loads(pickle.dumps(d)) == d
    same(lambda T: T.device("cpu", 0))
    same(lambda T: T.device(T.device("cuda", 1)))


@pytest.mark.parametrize("expr", [
    lambda T: T.cuda.is_available(), lambda T: T.cuda.device_count(),
    lambda T: T.cuda.is_initialized(), lambda T: T.cuda.manual_seed(0),
    lambda T: T.cuda.manual_seed_all(0), lambda T: T.cuda.empty_cache(),
    lambda T: T.cuda.current_device(), lambda T: T.cuda.get_device_name(),
    lambda T: T.cuda.synchronize(),
    lambda T: T.backends.mps.is_available(), lambda T: T.backends.mps.is_built(),
    lambda T: T.backends.cuda.is_built(), lambda T: T.backends.cudnn.is_available(),
    lambda T: T.accelerator.is_available(), lambda T: T.accelerator.current_accelerator(),
    lambda T: T.accelerator.device_count(),
    lambda T: T.get_default_device(),
])
def test_what_a_cpu_build_answers(expr):
    same(expr)


@pytest.mark.parametrize("expr", [
    lambda T: T.zeros(2, device="cpu"), lambda T: T.ones(2, device=T.device("cpu")),
    lambda T: T.tensor([1.0], device="cpu:0").device, lambda T: T.arange(3, device="cpu"),
    lambda T: T.zeros(1, device="cuda"), lambda T: T.tensor([1.0], device="cuda"),
    lambda T: T.randn(2, device="cuda"), lambda T: T.eye(2, device="cuda:0"),
    lambda T: T.zeros(1, device="banana"), lambda T: T.full((2,), 1.0, device="cuda"),
    lambda T: T.zeros(2).to("cuda"), lambda T: T.zeros(2).cuda(),
    lambda T: T.zeros(2).to("banana"), lambda T: T.zeros(2).to("cpu"),
    lambda T: T.zeros(2).to(device="cpu", dtype=T.float64),
    lambda T: T.zeros(2).to(T.device("cpu"), T.float64),
    lambda T: T.zeros(2).to("cpu", non_blocking=True), lambda T: T.zeros(2).cpu(),
    lambda T: (str(T.zeros(2).device), T.zeros(2).is_cuda, T.zeros(2).is_cpu),
    lambda T: T.zeros(2).get_device(), lambda T: T.zeros(2).to(3),
    lambda T: T.nn.Linear(2, 2).to("cpu"), lambda T: T.nn.Linear(2, 2).to("cuda"),
    lambda T: T.nn.Linear(2, 2).cuda(), lambda T: T.nn.Linear(2, 2, device="cuda"),
])
def test_device_arguments(expr):
    same(expr)


def test_the_usual_device_probe_runs():
    """The first lines of the current tutorials."""
    for lib in (minigrad, torch):
        device = (lib.accelerator.current_accelerator().type
                  if lib.accelerator.is_available() else "cpu")
        assert device == "cpu"
        device = lib.device("cuda" if lib.cuda.is_available() else "cpu")
        x = lib.ones(3, device=device).to(device)
        assert repr(x.device) == "device(type='cpu')" and str(x.device) == "cpu"


def test_set_default_device():
    for lib in (minigrad, torch):
        try:
            lib.set_default_device("cpu")
            assert repr(lib.get_default_device()) == "device(type='cpu')"
            lib.set_default_device("cuda")  # accepted, as in PyTorch: the error comes on use
        finally:
            lib.set_default_device(None)
    minigrad.set_default_device("cuda")
    torch.set_default_device("cuda")
    try:
        same(lambda T: T.zeros(1))
        same(lambda T: T.get_default_device())
    finally:
        minigrad.set_default_device(None)
        torch.set_default_device(None)
    same(lambda T: T.set_default_device("banana"))
    same(lambda T: T.zeros(1).device)
    with minigrad.device("cuda"):
        with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
            minigrad.ones(1)
    assert str(minigrad.ones(1).device) == "cpu"


def test_generators():
    for lib in (minigrad, torch):
        g = lib.Generator()
        assert g.manual_seed(3) is g and g.initial_seed() == 3
        assert str(g.device) == "cpu"
        assert repr(g).startswith("<torch._C.Generator object at 0x")
        assert repr(lib.manual_seed(1)).startswith("<torch._C.Generator object at 0x")
        assert lib.initial_seed() == 1
    for lib in (minigrad, torch):  # negative seeds wrap to 64 bits
        lib.manual_seed(-1)
        assert lib.initial_seed() == 2 ** 64 - 1
        assert lib.Generator().manual_seed(-5).initial_seed() == 2 ** 64 - 5
        with pytest.raises(ValueError, match="Overflow when unpacking long long"):
            lib.manual_seed(2 ** 64)
    # the same seed gives the same draws (minigrad's own numbers, not PyTorch's)
    a = minigrad.randperm(10, generator=minigrad.Generator().manual_seed(5))
    b = minigrad.randperm(10, generator=minigrad.Generator().manual_seed(5))
    assert a.tolist() == b.tolist() and sorted(a.tolist()) == list(range(10))
    minigrad.manual_seed(7)
    r1 = minigrad.rand(4)
    minigrad.manual_seed(7)
    assert minigrad.rand(4).tolist() == r1.tolist()
