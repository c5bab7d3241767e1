"""``minigrad.nn``: modules, parameters, initialisation, functional layers and losses."""
import copy
import math
import warnings

import numpy as np
import pytest

import minigrad
from compare import error_of

torch = pytest.importorskip("torch")


def build(lib):
    """A small model written for PyTorch, built with ``lib``."""
    nn = lib.nn

    class MLP(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 16)
            self.act = nn.ReLU()
            self.fc2 = nn.Linear(16, 1, bias=False)
            self.seq = nn.Sequential(nn.Tanh(), nn.Sigmoid(), nn.Linear(1, 1))
            self.loss = nn.MSELoss(reduction="sum")
            self.ce = nn.CrossEntropyLoss()
            self.scale = nn.Parameter(lib.ones(1))

        def forward(self, x):
            return self.seq(self.fc2(self.act(self.fc1(x)))) * self.scale

    return MLP()


def copy_weights(src, dst):
    """Load a torch module's weights into the same minigrad module (by state_dict)."""
    dst.load_state_dict({k: minigrad.tensor(v.detach().numpy()) for k, v in
                         src.state_dict().items()})


def test_module_tree_and_repr_match_torch():
    m, t = build(minigrad), build(torch)
    assert repr(m) == repr(t)
    assert [n for n, _ in m.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in m.named_children()] == [n for n, _ in t.named_children()]
    assert [type(x).__name__ for x in m.modules()] == [type(x).__name__ for x in t.modules()]
    assert [n for n, _ in m.named_modules()] == [n for n, _ in t.named_modules()]
    assert list(m.state_dict()) == list(t.state_dict())
    assert type(m.state_dict()).__name__ == "OrderedDict"
    assert [tuple(p.shape) for p in m.parameters()] == [tuple(p.shape) for p in t.parameters()]
    assert repr(m.load_state_dict(m.state_dict())) == repr(t.load_state_dict(t.state_dict()))
    assert repr(minigrad.nn.ReLU(inplace=True)) == repr(torch.nn.ReLU(inplace=True))
    assert repr(minigrad.nn.Sequential()) == repr(torch.nn.Sequential())


def test_forward_and_backward_match_torch_with_copied_weights():
    m, t = build(minigrad), build(torch)
    copy_weights(t, m)
    x = np.random.default_rng(0).standard_normal((5, 2)).astype(np.float32)
    ym, yt = m(minigrad.tensor(x)), t(torch.tensor(x))
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    ym.sum().backward()
    yt.sum().backward()
    for (name, pm), (_, pt) in zip(m.named_parameters(), t.named_parameters()):
        np.testing.assert_allclose(pm.grad.numpy(), pt.grad.numpy(), rtol=1e-4, atol=1e-6,
                                   err_msg=name)


def test_load_state_dict_errors_match_torch():
    m, t = build(minigrad), build(torch)
    assert error_of(lambda: m.load_state_dict({})) == error_of(lambda: t.load_state_dict({}))
    sd_m, sd_t = m.state_dict(), t.state_dict()
    sd_m["extra"], sd_t["extra"] = minigrad.ones(1), torch.ones(1)
    sd_m["fc1.bias"], sd_t["fc1.bias"] = minigrad.ones(3), torch.ones(3)
    assert error_of(lambda: m.load_state_dict(sd_m)) == error_of(lambda: t.load_state_dict(sd_t))
    del sd_m["fc1.bias"], sd_t["fc1.bias"]
    rm = m.load_state_dict(sd_m, strict=False)
    rt = t.load_state_dict(sd_t, strict=False)
    assert (rm.missing_keys, rm.unexpected_keys) == (rt.missing_keys, rt.unexpected_keys)
    assert repr(rm) == repr(rt)


def test_state_dict_values_are_detached_copies_of_the_storage():
    m = build(minigrad)
    sd = m.state_dict()
    assert not sd["fc1.weight"].requires_grad
    sd["fc1.weight"].zero_()  # shares storage, as in PyTorch
    assert m.fc1.weight.abs().sum().item() == 0.0


def test_attribute_errors_match_torch():
    m, t = build(minigrad), build(torch)
    assert error_of(lambda: setattr(m.fc1, "weight", minigrad.ones(3))) == \
        error_of(lambda: setattr(t.fc1, "weight", torch.ones(3)))
    assert error_of(lambda: m.nothing) == error_of(lambda: t.nothing)
    assert error_of(lambda: setattr(m, "seq", 3)) == error_of(lambda: setattr(t, "seq", 3))

    def forgot_super(lib):
        class Broken(lib.nn.Module):
            def __init__(self):
                self.fc = lib.nn.Linear(1, 1)
        Broken()

    assert error_of(lambda: forgot_super(minigrad)) == error_of(lambda: forgot_super(torch))


def test_parameter_repr_and_type():
    for data in ([1.0], [[1.0, 2.0], [3.0, 4.0]]):
        pm, pt = minigrad.nn.Parameter(minigrad.tensor(data)), torch.nn.Parameter(
            torch.tensor(data))
        assert repr(pm) == repr(pt) and str(pm) == str(pt)
        assert repr(pm).startswith("Parameter containing:\ntensor(")
    pm = minigrad.nn.Parameter(minigrad.ones(2), requires_grad=False)
    assert repr(pm) == repr(torch.nn.Parameter(torch.ones(2), requires_grad=False))
    p = minigrad.nn.Parameter(minigrad.ones(2))
    assert p.is_leaf and p.requires_grad and isinstance(p, minigrad.Tensor)
    assert type(p * 2) is minigrad.Tensor and repr(p * 2) == repr(torch.nn.Parameter(
        torch.ones(2)) * 2)
    q = copy.deepcopy(p)
    assert type(q) is minigrad.nn.Parameter and q is not p and q.tolist() == p.tolist()
    data = minigrad.zeros(2)
    shared = minigrad.nn.Parameter(data)
    data.add_(1)
    assert shared.tolist() == [1.0, 1.0]  # the parameter shares its data's storage


def test_linear_initialisation_draws_from_minigrads_generator():
    minigrad.manual_seed(123)
    layer = minigrad.nn.Linear(5, 3)
    rng = np.random.default_rng(123)
    bound = 1 / math.sqrt(5)  # kaiming_uniform(a=√5): gain·√(3/fan_in) = 1/√fan_in
    np.testing.assert_array_equal(layer.weight.detach().numpy(),
                                  rng.uniform(-bound, bound, (3, 5)).astype(np.float32))
    np.testing.assert_array_equal(layer.bias.detach().numpy(),
                                  rng.uniform(-bound, bound, 3).astype(np.float32))
    minigrad.manual_seed(123)
    again = minigrad.nn.Linear(5, 3)
    assert again.weight.tolist() == layer.weight.tolist()


def test_linear_initialisation_distribution_matches_torch():
    minigrad.manual_seed(0)
    torch.manual_seed(0)
    wm = minigrad.nn.Linear(400, 300).weight.detach().numpy()
    wt = torch.nn.Linear(400, 300).weight.detach().numpy()
    bound = 1 / math.sqrt(400)
    for w in (wm, wt):
        assert w.dtype == np.float32
        assert -bound <= w.min() < -0.99 * bound and 0.99 * bound < w.max() <= bound
        assert abs(w.std() - bound / math.sqrt(3)) < 0.01 * bound
    assert abs(wm.mean()) < 0.01 * bound


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 4, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_grad_fn_and_values_match_torch(shape, bias):
    t = torch.nn.Linear(3, 2, bias=bias)
    m = minigrad.nn.Linear(3, 2, bias=bias)
    copy_weights(t, m)
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    xm, xt = minigrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ym, yt = m(xm), t(xt)
    assert ym.grad_fn.name() == yt.grad_fn.name()
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-5, atol=1e-6)
    ym.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(m.weight.grad.numpy(), t.weight.grad.numpy(), rtol=1e-5,
                               atol=1e-6)


def test_linear_2d_graph_matches_torch():
    t, m = torch.nn.Linear(3, 2), minigrad.nn.Linear(3, 2)
    ym, yt = m(minigrad.ones(4, 3)), t(torch.ones(4, 3))
    assert [None if n is None else n.name() for n, _ in ym.grad_fn.next_functions] == \
        [None if n is None else n.name() for n, _ in yt.grad_fn.next_functions]
    assert error_of(lambda: m(minigrad.ones(4, 5))) == error_of(lambda: t(torch.ones(4, 5)))
    assert error_of(lambda: m(minigrad.ones(5))) == error_of(lambda: t(torch.ones(5)))


def test_train_eval_zero_grad_and_conversions():
    m = build(minigrad)
    assert m.training and m.fc1.training
    assert m.eval() is m and not m.fc1.training and not m.seq[2].training
    m.train()
    assert m.seq[0].training
    m(minigrad.ones(3, 2)).sum().backward()
    assert all(p.grad is not None for p in m.parameters())
    m.zero_grad(set_to_none=False)
    assert all(float(p.grad.abs().sum()) == 0.0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())
    weight = m.fc1.weight
    m.double()
    assert m.fc1.weight is weight and weight.dtype == minigrad.float64
    assert m(minigrad.ones(1, 2, dtype=minigrad.float64)).dtype == minigrad.float64


def test_sequential_container():
    seq = minigrad.nn.Sequential(minigrad.nn.Linear(2, 3), minigrad.nn.Tanh(),
                                 minigrad.nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[1], minigrad.nn.Tanh) and seq[-1] is seq[2]
    assert [type(s).__name__ for s in seq] == ["Linear", "Tanh", "Linear"]
    assert repr(seq[:2]) == repr(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh()))
    x = minigrad.ones(4, 2)
    out = seq(x)
    expected = seq[2](seq[1](seq[0](x)))
    assert out.tolist() == expected.tolist()


# ---- functional ------------------------------------------------------------------------------
XS = np.random.default_rng(2).standard_normal((4, 3)).astype(np.float32)


@pytest.mark.parametrize("name", ["relu", "tanh", "sigmoid", "softmax", "log_softmax"])
def test_activations_match_torch(name):
    xm, xt = minigrad.tensor(XS, requires_grad=True), torch.tensor(XS, requires_grad=True)
    kwargs = {"dim": 1} if "softmax" in name else {}
    ym = getattr(minigrad.nn.functional, name)(xm, **kwargs)
    yt = getattr(torch.nn.functional, name)(xt, **kwargs)
    assert ym.grad_fn.name() == yt.grad_fn.name()
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-6, atol=1e-7)
    (ym * minigrad.tensor(XS)).sum().backward()
    (yt * torch.tensor(XS)).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-5, atol=1e-6)


def test_implicit_softmax_dim_warns_like_torch():
    texts = []
    for lib in (minigrad, torch):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            out = lib.nn.functional.softmax(lib.tensor(XS))
        texts.append([str(w.message) for w in caught])
        assert abs(float(out.sum()) - 4.0) < 1e-5  # dim 1 for a 2-d input
    assert texts[0] == texts[1] and len(texts[0]) == 1


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_mse_loss_matches_torch(reduction):
    target = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
    xm, xt = minigrad.tensor(XS, requires_grad=True), torch.tensor(XS, requires_grad=True)
    lm = minigrad.nn.MSELoss(reduction=reduction)(xm, minigrad.tensor(target))
    lt = torch.nn.MSELoss(reduction=reduction)(xt, torch.tensor(target))
    assert lm.grad_fn.name() == lt.grad_fn.name() == "MseLossBackward0"
    np.testing.assert_allclose(lm.detach().numpy(), lt.detach().numpy(), rtol=1e-6)
    lm.sum().backward()
    lt.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-6, atol=1e-7)
    expected = {"mean": 2 * (XS - target) / XS.size, "sum": 2 * (XS - target),
                "none": 2 * (XS - target)}[reduction]
    np.testing.assert_allclose(xm.grad.numpy(), expected, rtol=1e-5)


def test_mse_loss_broadcast_warning_and_errors_match_torch():
    for target_shape in [(3,), (5,)]:
        results = []
        for lib in (minigrad, torch):
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always")
                err = error_of(lambda: lib.nn.functional.mse_loss(lib.tensor(XS),
                                                                  lib.zeros(target_shape)))
            results.append(([str(w.message) for w in caught], err))
        assert results[0] == results[1]
    assert error_of(lambda: minigrad.nn.functional.mse_loss(
        minigrad.tensor(XS), minigrad.tensor(XS), reduction="avg")) == error_of(
        lambda: torch.nn.functional.mse_loss(torch.tensor(XS), torch.tensor(XS),
                                             reduction="avg"))


CE_CASES = {
    "mean": dict(target=[0, 2, 1, 2]),
    "sum": dict(target=[0, 2, 1, 2], reduction="sum"),
    "none": dict(target=[0, 2, 1, 2], reduction="none"),
    "weight": dict(target=[0, 2, 1, 2], weight=[1.0, 2.0, 0.5]),
    "ignore_index": dict(target=[0, -100, 1, 2]),
    "ignore_weight_sum": dict(target=[0, 1, 1, 2], ignore_index=1, weight=[1.0, 2.0, 0.5],
                              reduction="sum"),
    "label_smoothing": dict(target=[0, 2, 1, 2], label_smoothing=0.1),
    "smoothing_weight_ignore": dict(target=[0, 2, -100, 2], label_smoothing=0.2,
                                    weight=[1.0, 2.0, 0.5]),
    "probabilities": dict(target="probs"),
    "probabilities_none": dict(target="probs", reduction="none"),
}


@pytest.mark.parametrize("case", list(CE_CASES))
def test_cross_entropy_matches_torch(case):
    options = dict(CE_CASES[case])
    target = options.pop("target")
    weight = options.pop("weight", None)
    probs = np.random.default_rng(4).dirichlet(np.ones(3), 4).astype(np.float32)
    out = []
    for lib in (minigrad, torch):
        x = lib.tensor(XS, requires_grad=True)
        t = lib.tensor(probs) if target == "probs" else lib.tensor(target)
        w = None if weight is None else lib.tensor(weight)
        loss = lib.nn.CrossEntropyLoss(weight=w, **options)(x, t)
        loss.sum().backward()
        out.append((loss.detach().numpy(), x.grad.numpy(), loss.grad_fn.name()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(out[0][1], out[1][1], rtol=1e-5, atol=1e-6)
    if target != "probs" or options.get("reduction") == "none":
        assert out[0][2] == out[1][2]


def test_cross_entropy_grad_against_the_math():
    x = minigrad.tensor(XS.astype(np.float64), requires_grad=True)
    t = np.array([0, 2, 1, 2])
    minigrad.nn.functional.cross_entropy(x, minigrad.tensor(t)).backward()
    p = np.exp(XS.astype(np.float64))
    p /= p.sum(1, keepdims=True)
    p[np.arange(4), t] -= 1
    np.testing.assert_allclose(x.grad.numpy(), p / 4, rtol=1e-12)
    single = minigrad.tensor(XS[0], requires_grad=True)
    loss_m = minigrad.nn.functional.cross_entropy(single, minigrad.tensor(1))
    loss_t = torch.nn.functional.cross_entropy(torch.tensor(XS[0]), torch.tensor(1))
    np.testing.assert_allclose(loss_m.item(), loss_t.item(), rtol=1e-6)
    assert loss_m.grad_fn.name() == "NllLossBackward0"
    assert loss_m.grad_fn.next_functions[0][0].name() == "LogSoftmaxBackward0"


@pytest.mark.parametrize("target", [[0, 1, 5, 2], [0, 1, -1, 2], [0.0, 1.0, 1.0, 2.0], [0, 1, 1]])
def test_cross_entropy_target_errors_match_torch(target):
    assert error_of(lambda: minigrad.nn.functional.cross_entropy(
        minigrad.tensor(XS), minigrad.tensor(target))) == error_of(
        lambda: torch.nn.functional.cross_entropy(torch.tensor(XS), torch.tensor(target)))


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_nll_loss_matches_torch(reduction):
    logp = np.log(np.random.default_rng(5).dirichlet(np.ones(3), 4)).astype(np.float32)
    out = []
    for lib in (minigrad, torch):
        x = lib.tensor(logp, requires_grad=True)
        loss = lib.nn.functional.nll_loss(x, lib.tensor([2, 0, 1, 1]), reduction=reduction)
        loss.sum().backward()
        out.append((loss.detach().numpy(), x.grad.numpy(), loss.grad_fn.name()))
    np.testing.assert_allclose(out[0][0], out[1][0], rtol=1e-6)
    np.testing.assert_array_equal(out[0][1], out[1][1])
    assert out[0][2] == out[1][2] == "NllLossBackward0"


def test_all_targets_ignored_gives_nan_like_torch():
    with np.errstate(all="ignore"):
        m = minigrad.nn.functional.nll_loss(minigrad.tensor(XS), minigrad.tensor([-100] * 4))
    t = torch.nn.functional.nll_loss(torch.tensor(XS), torch.tensor([-100] * 4))
    assert np.isnan(m.item()) and np.isnan(t.item())
