"""``save``/``load`` as the "Save and load the model" tutorials use them, beside PyTorch's."""
import io
import pickle

import pytest

import minigrad

torch = pytest.importorskip("torch")


def model(lib):
    lib.manual_seed(0)
    return lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_state_dict_round_trip(lib, tmp_path):
    m = model(lib)
    path = tmp_path / "model.pth"
    lib.save(m.state_dict(), path)
    fresh = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
    assert repr(fresh.load_state_dict(lib.load(path, weights_only=True))) == \
        "<All keys matched successfully>"
    for a, b in zip(m.parameters(), fresh.parameters()):
        assert a.tolist() == b.tolist() and b.requires_grad
    checkpoint = {"epoch": 3, "loss": 0.25, "x": lib.ones(2, dtype=lib.int64),
                  "optimizer": lib.optim.SGD(m.parameters(), lr=0.1).state_dict()}
    buffer = io.BytesIO()
    lib.save(checkpoint, buffer)
    buffer.seek(0)
    back = lib.load(buffer)
    assert back["epoch"] == 3 and repr(back["x"]) == "tensor([1, 1])"
    assert back["optimizer"]["param_groups"][0]["lr"] == 0.1


@pytest.mark.parametrize("lib", [minigrad, torch], ids=["minigrad", "torch"])
def test_whole_modules_need_weights_only_false(lib):
    buffer = io.BytesIO()
    lib.save(model(lib), buffer)
    buffer.seek(0)
    with pytest.raises(pickle.UnpicklingError, match="Weights only load failed"):
        lib.load(buffer)
    buffer.seek(0)
    assert repr(lib.load(buffer, weights_only=False)) == repr(model(lib))


def test_load_to_cuda_raises_as_pytorch_does_without_cuda(tmp_path):
    minigrad.save(minigrad.ones(1), tmp_path / "t.pt")
    for lib in (minigrad, torch):
        lib.save(lib.ones(1), tmp_path / f"{lib.__name__}.pt")
        with pytest.raises(RuntimeError, match="Attempting to deserialize object on a CUDA "
                           "device but torch.cuda.is_available.. is False"):
            lib.load(tmp_path / f"{lib.__name__}.pt", map_location="cuda")
    assert repr(minigrad.load(tmp_path / "t.pt", map_location="cpu")) == "tensor([1.])"
