"""A training loop written for PyTorch, run unchanged with ``import minigrad as torch``.

A 2-layer MLP learns the two moons (made with numpy, fixed seed). Both runs start from the same
weights (PyTorch's initial ones, copied), so the losses must agree step for step.
"""
import numpy as np
import pytest

import minigrad

real_torch = pytest.importorskip("torch")

STEPS = 50


def two_moons(n=200, noise=0.1, seed=0):
    """Two interleaving half circles, labels 0 and 1 (float32 points, int64 labels)."""
    rng = np.random.default_rng(seed)
    t = rng.uniform(0, np.pi, n)
    upper = np.stack([np.cos(t[: n // 2]), np.sin(t[: n // 2])], 1)
    lower = np.stack([1 - np.cos(t[n // 2:]), 0.5 - np.sin(t[n // 2:])], 1)
    X = np.concatenate([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.concatenate([np.zeros(n // 2), np.ones(n - n // 2)])
    return X.astype(np.float32), y.astype(np.int64)


def train(torch, X, y, initial_state, optimizer, loss_name="ce"):
    """Plain PyTorch code: only the module it receives as ``torch`` differs."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Linear(2, 16),
        nn.ReLU() if loss_name == "ce" else nn.Tanh(),
        nn.Linear(16, 2 if loss_name == "ce" else 1),
    )
    model.load_state_dict({k: torch.tensor(v) for k, v in initial_state.items()})
    if optimizer == "sgd":
        opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    else:
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
    if loss_name == "ce":
        loss_fn = nn.CrossEntropyLoss()
        inputs, targets = torch.tensor(X), torch.tensor(y)
    else:
        loss_fn = nn.MSELoss()
        inputs, targets = torch.tensor(X), torch.tensor(y, dtype=torch.float32).unsqueeze(1)
    losses = []
    for step in range(STEPS):
        opt.zero_grad()
        loss = loss_fn(model(inputs), targets)
        loss.backward()
        opt.step()
        losses.append(loss.item())
    with torch.no_grad():
        logits = model(inputs)
        if loss_name == "ce":
            accuracy = (logits.argmax(dim=1) == targets).float().mean().item()
        else:
            accuracy = ((logits > 0.5).float() == targets).float().mean().item()
    return losses, accuracy, {k: v.detach().numpy().copy() for k, v in
                              model.state_dict().items()}


def initial_weights(loss_name):
    real_torch.manual_seed(0)
    out = 2 if loss_name == "ce" else 1
    model = real_torch.nn.Sequential(real_torch.nn.Linear(2, 16), real_torch.nn.ReLU(),
                                     real_torch.nn.Linear(16, out))
    return {k: v.detach().numpy().copy() for k, v in model.state_dict().items()}


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize("loss_name", ["ce", "mse"])
def test_training_tracks_torch_step_for_step(optimizer, loss_name):
    X, y = two_moons()
    state = initial_weights(loss_name)
    losses_m, acc_m, final_m = train(minigrad, X, y, state, optimizer, loss_name)
    losses_t, acc_t, final_t = train(real_torch, X, y, state, optimizer, loss_name)
    assert len(losses_m) == STEPS
    np.testing.assert_allclose(losses_m, losses_t, rtol=1e-4, atol=1e-6)
    assert losses_m[-1] < 0.75 * losses_m[0]  # it does learn
    assert abs(acc_m - acc_t) <= 1.0 / len(y)
    for key in final_t:
        np.testing.assert_allclose(final_m[key], final_t[key], rtol=1e-3, atol=1e-5,
                                   err_msg=key)
