"""HIPS autograd: functions of numpy arrays, differentiated by tracing (``make_vjp``).

``make_vjp(f)(x)`` runs the forward and returns the VJP function: that is ``forward``; calling
the VJP is ``backward``. ``grad(f)(x)`` is the two together.
"""
import autograd
import autograd.numpy as anp
import numpy as np
from autograd import make_vjp

from . import Case

NAME = "autograd"
MEMORY = True  # numpy arrays and Python objects


def version():
    """The library's version string."""
    return getattr(autograd, "__version__", None) or _dist_version("autograd")


def _dist_version(name):
    from importlib.metadata import version as v
    return v(name)


def threads():
    """Intra-op threads the library reports (None: it follows the BLAS variables)."""
    return None


def chain(inp):
    """y = cycle^(n/8)(x) (see workloads.CHAIN_CYCLE); out = y.sum(); gradient for x."""
    x, n = inp["x"], inp["n"]
    state = {}

    def f(y):
        for _ in range(n // 8):
            y = y * 2.0
            y = y + 1.0
            y = anp.exp(y)
            y = anp.sqrt(y)
            y = anp.log(y)
            y = y * 2.0
            y = y - 1.0
            y = y * 0.5
        return anp.sum(y)

    def forward():
        return make_vjp(f)(x)

    def backward(handle):
        vjp, out = handle
        state["x"] = vjp(np.ones_like(out))

    return Case(forward, backward, lambda: {"x": state["x"]})


def seed_lesson(inp):
    """x = [[1,2],[3,4]]; y = x+2; z = y·y·3; out = z.mean(); gradient for x."""
    state = {}

    def f(x):
        y = x + 2
        z = y * y * 3
        return anp.mean(z)

    def forward():
        x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
        return make_vjp(f)(x)

    def backward(handle):
        vjp, out = handle
        state["x"] = vjp(np.ones_like(out))

    return Case(forward, backward, lambda: {"x": state["x"]})


def mlp(inp):
    """One SGD step of the 784-256-256-10 tanh MLP with softmax cross-entropy."""
    names = ("W1", "b1", "W2", "b2", "W3", "b3")
    params = [inp[k].copy() for k in names]
    x, y, lr = inp["x"], inp["y"], inp["lr"]
    rows = np.arange(len(y))
    grads = {}

    def loss_fn(params):
        W1, b1, W2, b2, W3, b3 = params
        h = anp.tanh(anp.dot(x, W1) + b1)
        h = anp.tanh(anp.dot(h, W2) + b2)
        logits = anp.dot(h, W3) + b3
        m = anp.max(logits, axis=1, keepdims=True)
        logp = logits - (m + anp.log(anp.sum(anp.exp(logits - m), axis=1, keepdims=True)))
        return -anp.mean(logp[rows, y])

    def forward():
        return make_vjp(loss_fn)(params)

    def backward(handle):
        vjp, loss = handle
        for name, p, g in zip(names, params, vjp(np.ones_like(loss))):
            grads[name] = g
            p -= lr * g

    return Case(forward, backward, lambda: dict(grads))


def jacobian(inp):
    """J = ∂f/∂x for f(x) = tanh(Ax + b)·x, one VJP per row (as ``autograd.jacobian`` does)."""
    A, b, x, n = inp["A"], inp["b"], inp["x"], inp["n"]
    eye = np.eye(n, dtype=np.float32)
    state = {}

    def f(x):
        return anp.tanh(anp.dot(A, x) + b) * x

    def forward():
        return make_vjp(f)(x)

    def backward(handle):
        vjp, _ = handle
        state["J"] = np.stack([vjp(eye[i]) for i in range(n)])

    return Case(forward, backward, lambda: {"J": state["J"]})
