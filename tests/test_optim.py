"""``minigrad.optim``: SGD, Adam and RMSprop follow PyTorch's updates step for step."""
import numpy as np
import pytest

import minigrad
from compare import error_of

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
W0 = RNG.standard_normal((3, 2)).astype(np.float32)
B0 = RNG.standard_normal(3).astype(np.float32)
X = RNG.standard_normal((8, 2)).astype(np.float32)


def trajectory(lib, name, steps=15, groups=False, **options):
    """Parameters after each step of ``name`` minimising a small smooth loss."""
    w = lib.nn.Parameter(lib.tensor(W0))
    b = lib.nn.Parameter(lib.tensor(B0))
    params = [{"params": [w]}, {"params": [b], "lr": 0.05}] if groups else [w, b]
    opt = getattr(lib.optim, name)(params, **options)
    history = []
    for _ in range(steps):
        opt.zero_grad()
        loss = ((lib.tensor(X) @ w.t() + b).tanh() ** 2).mean()
        loss.backward()
        opt.step()
        history.append(np.concatenate([w.detach().numpy().ravel(), b.detach().numpy()]))
    return np.array(history), opt, (w, b)


CASES = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.9)),
    ("SGD", dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    ("SGD", dict(lr=0.1, momentum=0.5, dampening=0.3, maximize=True)),
    ("Adam", dict(lr=0.01)),
    ("Adam", dict(lr=0.01, amsgrad=True, weight_decay=0.1)),
    ("Adam", dict(lr=0.01, betas=(0.3, 0.9), eps=1e-6)),
    ("Adam", dict(lr=0.01, weight_decay=0.1, decoupled_weight_decay=True, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, momentum=0.5, weight_decay=0.1)),
    ("RMSprop", dict(lr=0.01, centered=True, eps=1e-6, maximize=True)),
]


@pytest.mark.parametrize("name, options", CASES, ids=[f"{n}-{i}" for i, (n, _) in
                                                     enumerate(CASES)])
def test_updates_match_torch(name, options):
    got, opt_m, _ = trajectory(minigrad, name, **options)
    expected, opt_t, _ = trajectory(torch, name, **options)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert repr(opt_m) == repr(opt_t)
    assert opt_m.defaults == opt_t.defaults


def test_param_groups_match_torch():
    got, opt_m, _ = trajectory(minigrad, "SGD", groups=True, lr=0.1, momentum=0.9)
    expected, opt_t, _ = trajectory(torch, "SGD", groups=True, lr=0.1, momentum=0.9)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert repr(opt_m) == repr(opt_t)
    assert [g["lr"] for g in opt_m.param_groups] == [0.1, 0.05]


def test_sgd_matches_the_formula():
    w = minigrad.nn.Parameter(minigrad.tensor([1.0, -2.0]))
    opt = minigrad.optim.SGD([w], lr=0.1, momentum=0.9)
    w.grad = minigrad.tensor([1.0, 1.0])
    opt.step()  # buffer = g
    w.grad = minigrad.tensor([2.0, 0.0])
    opt.step()  # buffer = 0.9·g₁ + g₂
    buf = 0.9 * np.array([1.0, 1.0]) + np.array([2.0, 0.0])
    np.testing.assert_allclose(w.detach().numpy(), np.array([1.0, -2.0]) - 0.1 * (1.0 + buf),
                               rtol=1e-6)


def test_adam_first_step_is_lr_times_sign():
    w = minigrad.nn.Parameter(minigrad.tensor([1.0, -2.0, 3.0]))
    opt = minigrad.optim.Adam([w], lr=0.1)
    w.grad = minigrad.tensor([0.5, -3.0, 0.0])
    opt.step()  # m̂ = g, v̂ = g²: the step is lr·g/(|g| + eps)
    np.testing.assert_allclose(w.detach().numpy(), [0.9, -1.9, 3.0], rtol=1e-6)


def test_state_dict_matches_torch_and_resumes_exactly():
    _, opt_m, (wm, bm) = trajectory(minigrad, "Adam", steps=3, lr=0.01)
    _, opt_t, _ = trajectory(torch, "Adam", steps=3, lr=0.01)
    sd_m, sd_t = opt_m.state_dict(), opt_t.state_dict()
    assert sd_m["param_groups"] == sd_t["param_groups"]
    assert list(sd_m["state"]) == list(sd_t["state"]) == [0, 1]
    for i in (0, 1):
        assert list(sd_m["state"][i]) == list(sd_t["state"][i])
        for key in sd_m["state"][i]:
            np.testing.assert_allclose(sd_m["state"][i][key].numpy(),
                                       sd_t["state"][i][key].numpy(), rtol=1e-5, atol=1e-7)
    assert repr(sd_m["state"][0]["step"]) == repr(sd_t["state"][0]["step"]) == "tensor(3.)"
    # a fresh optimizer loaded from the state continues exactly like the original
    w2 = minigrad.nn.Parameter(wm.detach().clone())
    b2 = minigrad.nn.Parameter(bm.detach().clone())
    opt2 = minigrad.optim.Adam([w2, b2], lr=0.5)
    opt2.load_state_dict(sd_m)
    assert opt2.param_groups[0]["lr"] == 0.01
    for params, opt in (((wm, bm), opt_m), ((w2, b2), opt2)):
        for p in params:
            p.grad = minigrad.ones_like(p)
        opt.step()
    assert wm.tolist() == w2.tolist() and bm.tolist() == b2.tolist()


def test_zero_grad_default_is_set_to_none():
    w = minigrad.nn.Parameter(minigrad.ones(2))
    opt = minigrad.optim.SGD([w], lr=0.1)
    (w * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert w.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert w.grad is None


def test_updates_are_not_recorded_and_bump_versions_like_torch():
    versions = []
    for lib in (minigrad, torch):
        _, opt, (w, b) = trajectory(lib, "Adam", steps=4, lr=0.01)
        assert w.is_leaf and w.grad_fn is None and w.requires_grad
        assert all(not v.requires_grad for s in opt.state.values() for v in s.values())
        versions.append((w._version, b._version))
    assert versions[0] == versions[1]
    for lib in (minigrad, torch):
        _, opt, (w, _) = trajectory(lib, "SGD", steps=3, lr=0.1, momentum=0.9)
        buf = opt.state[w]["momentum_buffer"]
        assert buf.grad_fn is None and not buf.requires_grad


def test_closure_is_called_with_grad_enabled():
    w = minigrad.nn.Parameter(minigrad.ones(2))
    opt = minigrad.optim.SGD([w], lr=0.1)

    def closure():
        opt.zero_grad()
        loss = (w * w).sum()
        loss.backward()
        return loss

    with minigrad.no_grad():
        loss = opt.step(closure)
    assert loss.item() == 2.0
    np.testing.assert_allclose(w.detach().numpy(), [0.8, 0.8], rtol=1e-7)


@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD([p], lr=-1),
    lambda lib, p: lib.optim.SGD([p], lr=0.1, momentum=-1),
    lambda lib, p: lib.optim.SGD([p], lr=0.1, weight_decay=-1),
    lambda lib, p: lib.optim.SGD([p], lr=0.1, nesterov=True),
    lambda lib, p: lib.optim.Adam([p], lr=-1),
    lambda lib, p: lib.optim.Adam([p], betas=(1.0, 0.9)),
    lambda lib, p: lib.optim.Adam([p], betas=(0.9, -0.1)),
    lambda lib, p: lib.optim.Adam([p], eps=-1),
    lambda lib, p: lib.optim.Adam([p], weight_decay=-1),
    lambda lib, p: lib.optim.Adam([]),
    lambda lib, p: lib.optim.RMSprop([p], lr=-1),
    lambda lib, p: lib.optim.RMSprop([p], alpha=-0.5),
    lambda lib, p: lib.optim.RMSprop([p], momentum=-1),
    lambda lib, p: lib.optim.Adam(p),
    lambda lib, p: lib.optim.Adam([p * 2]),
    lambda lib, p: lib.optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1),
], ids=lambda f: "")
def test_constructor_errors_match_torch(make):
    got = error_of(lambda: make(minigrad, minigrad.nn.Parameter(minigrad.ones(2))))
    assert got is not None
    assert got == error_of(lambda: make(torch, torch.nn.Parameter(torch.ones(2))))


def test_named_parameters_are_accepted():
    model = minigrad.nn.Linear(2, 1)
    opt = minigrad.optim.SGD(model.named_parameters(), lr=0.1)
    assert opt.param_groups[0]["param_names"] == ["weight", "bias"]
    assert opt.param_groups[0]["params"][0] is model.weight
