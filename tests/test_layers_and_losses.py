"""The layers and losses of intro courses against PyTorch's: values, gradients, grad_fn names,
module reprs, warnings and errors, on the same inputs."""
import warnings

import numpy as np
import pytest

import minigrad
from compare import outcome

torch = pytest.importorskip("torch")

RNG = np.random.default_rng(0)
X = RNG.uniform(-2, 2, (4, 3)).astype(np.float32)
P = RNG.uniform(0.05, 0.95, (4, 3)).astype(np.float32)  # probabilities
Y = RNG.uniform(-2, 2, (4, 3)).astype(np.float32)
T = (RNG.random((4, 3)) > 0.5).astype(np.float32)  # 0/1 targets
W = RNG.uniform(0.5, 2, (3,)).astype(np.float32)


def run(fn, lib):
    """fn(lib, x, y) on leaves made from the arrays; (output, [x.grad, y.grad], warnings)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            out, leaves = fn(lib)
        except Exception as e:  # noqa: BLE001 - the error is what is compared
            return (type(e).__name__, str(e)), None, [str(w.message) for w in caught]
        if out.requires_grad:
            (out.sum() if out.dim() else out).backward()
    return out, [None if t.grad is None else t.grad.numpy() for t in leaves], \
        [str(w.message) for w in caught]


def leaf(lib, a):
    return lib.tensor(a, requires_grad=True)


CASES = {
    "bce": lambda T: (lambda x, y: (T.nn.functional.binary_cross_entropy(x, y), [x, y]))(
        leaf(T, P), leaf(T, T_)),
    "bce_sum_weight": lambda T: (lambda x: (T.nn.functional.binary_cross_entropy(
        x, T.tensor(T_), weight=T.tensor(W), reduction="sum"), [x]))(leaf(T, P)),
    "bce_none": lambda T: (lambda x: (T.nn.BCELoss(reduction="none")(x, T.tensor(T_)), [x]))(
        leaf(T, P)),
    "bce_at_0_and_1": lambda T: (lambda x: (T.nn.functional.binary_cross_entropy(
        x, T.tensor([1.0, 0.0, 1.0])), [x]))(leaf(T, np.array([0.0, 1.0, 1.0], np.float32))),
    "bce_out_of_range": lambda T: (T.nn.functional.binary_cross_entropy(
        T.tensor([1.5]), T.tensor([1.0])), []),
    "bce_size_mismatch": lambda T: (T.nn.functional.binary_cross_entropy(
        T.tensor(P), T.tensor(T_[0])), []),
    "bce_logits": lambda T: (lambda x, y: (T.nn.functional.binary_cross_entropy_with_logits(
        x, y), [x, y]))(leaf(T, X * 10), leaf(T, T_)),
    "bce_logits_pos_weight": lambda T: (lambda x, y: (T.nn.BCEWithLogitsLoss(
        pos_weight=T.tensor(W), weight=T.tensor(W[::-1].copy()))(x, y), [x, y]))(
        leaf(T, X), leaf(T, P)),
    "bce_logits_none": lambda T: (lambda x: (T.nn.functional.binary_cross_entropy_with_logits(
        x, T.tensor(T_), reduction="none"), [x]))(leaf(T, X)),
    "bce_logits_size": lambda T: (T.nn.functional.binary_cross_entropy_with_logits(
        T.tensor(X), T.tensor(T_[0])), []),
    "l1": lambda T: (lambda x, y: (T.nn.L1Loss()(x, y), [x, y]))(leaf(T, X), leaf(T, Y)),
    "l1_sum": lambda T: (lambda x: (T.nn.functional.l1_loss(x, T.tensor(Y), reduction="sum"),
                                    [x]))(leaf(T, X)),
    "l1_none": lambda T: (lambda x: (T.nn.functional.l1_loss(x, T.tensor(Y), reduction="none"),
                                     [x]))(leaf(T, X)),
    **{f"{name}_weighted_{reduction}": (lambda name, reduction: lambda T: (lambda x: (
        getattr(T.nn.functional, name)(x, T.tensor(Y), reduction=reduction,
                                       weight=T.tensor(np.abs(X[::-1]).copy())), [x]))(
        leaf(T, X)))(name, reduction)
       for name in ("mse_loss", "l1_loss", "huber_loss") for reduction in ("mean", "sum", "none")},
    "l1_weight_size": lambda T: (T.nn.functional.l1_loss(
        T.tensor(X), T.tensor(Y), weight=T.tensor(W)), []),
    "l1_broadcast": lambda T: (lambda x: (T.nn.functional.l1_loss(x, T.tensor(Y[0])), [x]))(
        leaf(T, X)),
    "smooth_l1": lambda T: (lambda x, y: (T.nn.SmoothL1Loss()(x, y), [x, y]))(
        leaf(T, X), leaf(T, Y)),
    "smooth_l1_beta": lambda T: (lambda x: (T.nn.functional.smooth_l1_loss(
        x, T.tensor(Y), beta=0.5, reduction="sum"), [x]))(leaf(T, X)),
    "smooth_l1_beta0": lambda T: (lambda x: (T.nn.functional.smooth_l1_loss(
        x, T.tensor(Y), beta=0.0), [x]))(leaf(T, X)),
    "smooth_l1_negative_beta": lambda T: (T.nn.functional.smooth_l1_loss(
        T.tensor(X), T.tensor(Y), beta=-1.0), []),
    "smooth_l1_broadcast": lambda T: (lambda x: (T.nn.functional.smooth_l1_loss(
        x, T.tensor(Y[:1])), [x]))(leaf(T, X)),
    "huber": lambda T: (lambda x, y: (T.nn.HuberLoss(delta=0.7)(x, y), [x, y]))(
        leaf(T, X), leaf(T, Y)),
    "huber_none": lambda T: (lambda x: (T.nn.functional.huber_loss(
        x, T.tensor(Y), reduction="none"), [x]))(leaf(T, X)),
    "nll": lambda T: (lambda x: (T.nn.NLLLoss()(x.log_softmax(1), T.tensor([0, 2, 1, 2])),
                                 [x]))(leaf(T, X)),
    "leaky_relu": lambda T: (lambda x: (T.nn.LeakyReLU(0.2)(x), [x]))(leaf(T, X)),
    "leaky_relu_f": lambda T: (lambda x: (T.nn.functional.leaky_relu(x), [x]))(leaf(T, X)),
    "gelu": lambda T: (lambda x: (T.nn.GELU()(x), [x]))(leaf(T, X)),
    "gelu_tanh": lambda T: (lambda x: (T.nn.GELU("tanh")(x), [x]))(leaf(T, X)),
    "gelu_bad": lambda T: (T.nn.functional.gelu(T.tensor(X), approximate="foo"), []),
    "softplus": lambda T: (lambda x: (T.nn.Softplus()(x), [x]))(leaf(T, X)),
    "softplus_threshold": lambda T: (lambda x: (T.nn.Softplus(beta=2, threshold=1)(x), [x]))(
        leaf(T, X)),
    "elu": lambda T: (lambda x: (T.nn.ELU(alpha=0.5)(x), [x]))(leaf(T, X)),
    "selu": lambda T: (lambda x: (T.nn.SELU()(x), [x]))(leaf(T, X)),
    "silu": lambda T: (lambda x: (T.nn.SiLU()(x), [x]))(leaf(T, X)),
    "softmax": lambda T: (lambda x: (T.nn.Softmax(dim=1)(x), [x]))(leaf(T, X)),
    "log_softmax": lambda T: (lambda x: (T.nn.LogSoftmax(dim=0)(x), [x]))(leaf(T, X)),
    "flatten": lambda T: (lambda x: (T.nn.Flatten()(x.reshape(2, 2, 3)), [x]))(leaf(T, X)),
    "flatten_0_1": lambda T: (lambda x: (T.nn.Flatten(0, 1)(x), [x]))(leaf(T, X)),
    "unflatten": lambda T: (lambda x: (T.nn.Unflatten(0, (2, 2))(x), [x]))(leaf(T, X)),
    "identity": lambda T: (lambda x: (T.nn.Identity(54, unused="x")(x), [x]))(leaf(T, X)),
    "dropout_eval": lambda T: (lambda x: (T.nn.Dropout(0.3).eval()(x), [x]))(leaf(T, X)),
    "dropout_p1": lambda T: (lambda x: (T.nn.functional.dropout(x, 1.0), [x]))(leaf(T, X)),
    "dropout_empty": lambda T: (lambda x: (T.nn.functional.dropout(x), [x]))(
        leaf(T, np.zeros((0, 3), np.float32))),
    "dropout_p0": lambda T: (lambda x: (T.nn.functional.dropout(x, 0.0), [x]))(leaf(T, X)),
    "dropout_bad_p": lambda T: (T.nn.Dropout(1.5), []),
}
T_ = T


def same_tensor(mine, theirs):
    assert repr(mine) == repr(theirs) or (
        type(mine.grad_fn).__name__ == type(theirs.grad_fn).__name__ and
        np.allclose(mine.detach().numpy(), theirs.detach().numpy(), rtol=2e-6, atol=1e-6))
    assert tuple(mine.shape) == tuple(theirs.shape) and str(mine.dtype) == str(theirs.dtype)


@pytest.mark.parametrize("name", sorted(CASES))
def test_layer_or_loss_matches_torch(name):
    mine, grads, warned = run(CASES[name], minigrad)
    theirs, expected, expected_warned = run(CASES[name], torch)
    assert warned == expected_warned
    if isinstance(theirs, tuple):
        assert mine == theirs
        return
    same_tensor(mine, theirs)
    assert len(grads) == len(expected)
    for g, e in zip(grads, expected):
        assert (g is None) == (e is None)
        if e is not None:
            np.testing.assert_allclose(g, e, rtol=1e-5, atol=1e-6)


def test_dropout_in_training():
    for lib in (minigrad, torch):
        lib.manual_seed(0)
        x = lib.ones(2000, requires_grad=True)
        drop = lib.nn.Dropout(p=0.25)
        y = drop(x)
        assert type(y.grad_fn).__name__ == "MulBackward0"
        kept = y.detach().numpy() != 0
        assert 0.7 < kept.mean() < 0.8  # about 1 − p kept
        np.testing.assert_allclose(y.detach().numpy()[kept], 1 / 0.75, rtol=1e-6)
        y.sum().backward()
        np.testing.assert_array_equal(x.grad.numpy() != 0, kept)  # the same mask in backward
        assert drop.eval()(x) is x


@pytest.mark.parametrize("make", [
    lambda nn: nn.LeakyReLU(), lambda nn: nn.LeakyReLU(0.2, inplace=True), lambda nn: nn.GELU(),
    lambda nn: nn.GELU("tanh"), lambda nn: nn.Softplus(), lambda nn: nn.Softplus(2, 10),
    lambda nn: nn.ELU(), lambda nn: nn.ELU(0.5, True), lambda nn: nn.SELU(), lambda nn: nn.SiLU(),
    lambda nn: nn.Dropout(), lambda nn: nn.Dropout(0.2, True), lambda nn: nn.Flatten(),
    lambda nn: nn.Flatten(0, 2), lambda nn: nn.Unflatten(1, (2, 2)), lambda nn: nn.Identity(),
    lambda nn: nn.Softmax(dim=1), lambda nn: nn.Softmax(), lambda nn: nn.LogSoftmax(1),
    lambda nn: nn.BCELoss(), lambda nn: nn.BCEWithLogitsLoss(), lambda nn: nn.L1Loss(),
    lambda nn: nn.SmoothL1Loss(beta=0.5), lambda nn: nn.HuberLoss(delta=2), lambda nn: nn.NLLLoss(),
    lambda nn: nn.Sequential(nn.Linear(4, 3), nn.LeakyReLU(), nn.Dropout(0.1), nn.Flatten(0)),
])
def test_module_reprs_and_state(make):
    mine, theirs = make(minigrad.nn), make(torch.nn)
    assert repr(mine) == repr(theirs)
    assert list(mine.state_dict()) == list(theirs.state_dict())


def test_softmax_without_dim_warns_as_pytorch():
    for lib in (minigrad, torch):
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            lib.nn.Softmax()(lib.ones(2, 3))


def test_loss_modules_keep_their_weights_as_buffers():
    for lib in (minigrad, torch):
        m = lib.nn.BCEWithLogitsLoss(pos_weight=lib.ones(3))
        assert list(dict(m.named_buffers())) == ["pos_weight"]


def test_binary_classifier_trains_like_pytorch():
    """A first training loop: logistic regression with BCEWithLogitsLoss, same start, same
    steps."""
    rng = np.random.default_rng(1)
    data = rng.standard_normal((32, 2)).astype(np.float32)
    labels = (data[:, :1] + data[:, 1:] > 0).astype(np.float32)
    losses = {}
    for lib in (minigrad, torch):
        model = lib.nn.Sequential(lib.nn.Linear(2, 4), lib.nn.GELU(), lib.nn.Linear(4, 1))
        with lib.no_grad():
            for p, v in zip(model.parameters(), [np.full((4, 2), 0.3), np.linspace(-1, 1, 4),
                                                 np.full((1, 4), -0.2), np.zeros(1)]):
                p.copy_(lib.tensor(v.astype(np.float32)))
        opt = lib.optim.SGD(model.parameters(), lr=0.5)
        loss_fn = lib.nn.BCEWithLogitsLoss()
        history = []
        for _ in range(20):
            opt.zero_grad()
            loss = loss_fn(model(lib.tensor(data)), lib.tensor(labels))
            loss.backward()
            opt.step()
            history.append(loss.item())
        losses[lib.__name__] = history
    np.testing.assert_allclose(losses["minigrad"], losses["torch"], rtol=1e-5)
    assert losses["torch"][-1] < 0.6 * losses["torch"][0]  # it learns


@pytest.mark.parametrize("expr", [
    lambda T: T.ones(3).uniform_(-2, 5).shape, lambda T: T.zeros(3).normal_(1, 2).dtype,
    lambda T: T.ones(2, 3).uniform_().requires_grad,
    lambda T: T.ones(3, requires_grad=True).uniform_(),
    lambda T: T.ones(3, requires_grad=True).normal_(),
    lambda T: T.zeros(4, 3).index_copy_(0, T.tensor([0, 3]), T.ones(2, 3)),
    lambda T: T.zeros(3, 4).index_copy_(1, T.tensor([1]), T.full((3, 1), 2.0)),
    lambda T: T.zeros(4).index_copy(0, T.tensor([2]), T.tensor([5.0])),
    lambda T: T.zeros(3).index_copy_(0, T.tensor(2), T.tensor(5.0)),
    lambda T: T.zeros(4, 2).index_copy_(0, T.tensor([0, 1]), T.ones(3, 2)),
    lambda T: T.zeros(4, 2).index_copy_(0, T.tensor([0.0]), T.ones(1, 2)),
    lambda T: (lambda s: (T.zeros(4, 2, requires_grad=True).clone().index_copy_(
        0, T.tensor([3, 0]), s).sum() * 2).backward() or s.grad)(
        T.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)),
    lambda T: T.zeros(4, 2, requires_grad=True).index_copy(0, T.tensor([1]), T.ones(1, 2)),
    lambda T: T.ones(2).type(), lambda T: T.ones(2).type(T.float64),
    lambda T: T.ones(2).type("torch.LongTensor"), lambda T: T.ones(2).type("banana"),
    lambda T: T.tensor([1, 2]).type(),
])
def test_in_place_fills_and_type(expr):
    mine, theirs = outcome(expr, minigrad), outcome(expr, torch)
    assert mine[0] == theirs[0]
    assert repr(mine[1]) == repr(theirs[1])


def test_random_fills_follow_their_distributions():
    minigrad.manual_seed(0)
    u = minigrad.empty(20000).uniform_(-1, 3).numpy()
    assert u.min() >= -1 and u.max() < 3 and abs(u.mean() - 1) < 0.05
    n = minigrad.empty(20000).normal_(2, 0.5).numpy()
    assert abs(n.mean() - 2) < 0.02 and abs(n.std() - 0.5) < 0.02
    r = minigrad.empty(1000).random_(3, 7).numpy()
    assert set(r.tolist()) == {3.0, 4.0, 5.0, 6.0}
    assert set(minigrad.empty(1000).random_(2).numpy().tolist()) == {0.0, 1.0}
    # random_(): every integer the dtype holds exactly, as documented for PyTorch's
    for dtype, top in ((minigrad.float32, 2 ** 24), (minigrad.float64, 2 ** 53),
                       (minigrad.int64, 2 ** 63 - 1)):
        r = minigrad.empty(1000, dtype=dtype).random_().numpy()
        assert r.min() >= 0 and r.max() <= top and r.max() > top / 2 and (r == np.round(r)).all()
    assert set(minigrad.empty(100, dtype=minigrad.bool).random_().numpy().tolist()) == {False,
                                                                                         True}
    b = minigrad.empty(20000).bernoulli_(0.25).numpy()
    assert set(b.tolist()) == {0.0, 1.0} and abs(b.mean() - 0.25) < 0.02
    g1 = minigrad.empty(5).normal_(generator=minigrad.Generator().manual_seed(3))
    g2 = minigrad.empty(5).normal_(generator=minigrad.Generator().manual_seed(3))
    assert g1.tolist() == g2.tolist()
