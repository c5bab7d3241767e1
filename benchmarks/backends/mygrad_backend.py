"""mygrad: numpy-like tensors with ``backward()``.

mygrad has no ``retain_graph``: backward frees the graph, so its Jacobian runs the forward again
for each row. Under numpy 2's promotion rules ``y * 2.0`` on a float32 tensor gives float64 in
mygrad, so its chains compute in float64 (the gradient for x is float32).
"""
import mygrad as mg
import numpy as np
from mygrad.nnet.losses import softmax_crossentropy

from . import Case

NAME = "mygrad"
MEMORY = True  # numpy arrays and Python objects


def version():
    """The library's version string."""
    return mg.__version__


def threads():
    """Intra-op threads the library reports (None: it follows the BLAS variables)."""
    return None


def chain(inp):
    """y = cycle^(n/8)(x) (see workloads.CHAIN_CYCLE); out = y.sum(); gradient for x."""
    x, n = mg.tensor(inp["x"]), inp["n"]

    def forward():
        y = x
        for _ in range(n // 8):
            y = y * 2.0
            y = y + 1.0
            y = mg.exp(y)
            y = mg.sqrt(y)
            y = mg.log(y)
            y = y * 2.0
            y = y - 1.0
            y = y * 0.5
        return mg.sum(y)

    def backward(out):
        out.backward()

    return Case(forward, backward, lambda: {"x": np.asarray(x.grad)})


def seed_lesson(inp):
    """x = [[1,2],[3,4]]; y = x+2; z = y·y·3; out = z.mean(); gradient for x."""
    state = {}

    def forward():
        x = mg.tensor([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
        y = x + 2
        z = y * y * 3
        state["x"] = x
        return mg.mean(z)

    def backward(out):
        out.backward()

    return Case(forward, backward, lambda: {"x": np.asarray(state["x"].grad)})


def mlp(inp):
    """One SGD step of the 784-256-256-10 tanh MLP with softmax cross-entropy."""
    names = ("W1", "b1", "W2", "b2", "W3", "b3")
    params = [mg.tensor(inp[k].copy()) for k in names]
    W1, b1, W2, b2, W3, b3 = params
    x, y, lr = mg.tensor(inp["x"], constant=True), inp["y"], inp["lr"]

    def forward():
        h = mg.tanh(x @ W1 + b1)
        h = mg.tanh(h @ W2 + b2)
        logits = h @ W3 + b3
        return softmax_crossentropy(logits, y)

    def backward(loss):
        loss.backward()
        for p in params:
            p.data -= lr * p.grad

    return Case(forward, backward, lambda: {k: np.asarray(p.grad) for k, p in zip(names, params)})


def jacobian(inp):
    """J = ∂f/∂x for f(x) = tanh(Ax + b)·x, one VJP per row (forward rerun for each)."""
    A, b = mg.tensor(inp["A"], constant=True), mg.tensor(inp["b"], constant=True)
    x, n = mg.tensor(inp["x"]), inp["n"]
    eye = np.eye(n, dtype=np.float32)
    state = {}

    def f():
        return mg.tanh(A @ x + b) * x

    def forward():
        return None

    def backward(_):
        rows = []
        for i in range(n):
            f().backward(eye[i])
            rows.append(np.array(x.grad))
        state["J"] = np.stack(rows)

    return Case(forward, backward, lambda: {"J": state["J"]})
