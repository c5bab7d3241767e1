"""Hand-written numpy: every forward and backward written out, the floor for a numpy engine.

Each VJP is the fewest numpy calls that compute it (an identity VJP, as for ``+ 1``, costs
nothing); what a graph engine adds on top of this is its overhead.
"""
import numpy as np

from . import Case

NAME = "numpy"
MEMORY = True


def version():
    """The library's version string."""
    return np.__version__


def threads():
    """Intra-op threads the library reports (None: it follows the BLAS variables)."""
    return None  # BLAS threads follow OPENBLAS_NUM_THREADS / OMP_NUM_THREADS


def chain(inp):
    """y = cycle^(n/8)(x) (see workloads.CHAIN_CYCLE); out = y.sum(); gradient for x."""
    x, n = inp["x"], inp["n"]
    state = {}

    def forward():
        saved = []
        y = x
        for _ in range(n // 8):
            y = y * 2.0
            y = y + 1.0
            e = np.exp(y)
            s = np.sqrt(e)
            y = np.log(s)
            y = y * 2.0
            y = y - 1.0
            y = y * 0.5
            saved.append((e, s))
        return {"saved": saved, "out": y.sum()}

    def backward(handle):
        saved = handle.pop("saved")
        g = np.ones_like(x)
        while saved:  # pop as we go: what has been used is freed, as an engine does
            e, s = saved.pop()
            g = g * 0.5  # y·0.5
            g = g * 2.0  # y·2
            g = g / s  # log: input s
            g = g / (2.0 * s)  # sqrt: output s
            g = g * e  # exp: output e
            g = g * 2.0  # y·2
        state["x"] = g

    return Case(forward, backward, lambda: {"x": state["x"]})


def seed_lesson(inp):
    """x = [[1,2],[3,4]]; y = x+2; z = y·y·3; out = z.mean(); gradient for x."""
    state = {}

    def forward():
        x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
        y = x + 2
        t = y * y
        z = t * 3
        return {"saved": (x, y), "out": z.mean()}

    def backward(handle):
        x, y = handle.pop("saved")
        gz = np.full_like(x, 1.0 / x.size)  # mean
        gt = gz * 3
        gy = gt * y + gt * y  # y·y: y on both sides
        state["x"] = gy  # x + 2

    return Case(forward, backward, lambda: {"x": state["x"]})


def mlp(inp):
    """One SGD step of the 784-256-256-10 tanh MLP with softmax cross-entropy."""
    x, y, lr = inp["x"], inp["y"], inp["lr"]
    W1, b1, W2, b2, W3, b3 = (inp[k].copy() for k in ("W1", "b1", "W2", "b2", "W3", "b3"))
    rows = np.arange(len(y))
    grads = {}

    def forward():
        h1 = np.tanh(x @ W1 + b1)
        h2 = np.tanh(h1 @ W2 + b2)
        logits = h2 @ W3 + b3
        z = logits - logits.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        loss = -logp[rows, y].mean()
        return {"saved": (h1, h2, logp), "loss": loss}

    def backward(handle):
        h1, h2, logp = handle.pop("saved")  # freed once used, as an engine frees saved tensors
        g = np.exp(logp)  # d loss / d logits = (softmax − onehot) / batch
        g[rows, y] -= 1.0
        g /= len(y)
        grads["W3"], grads["b3"] = h2.T @ g, g.sum(axis=0)
        g = (g @ W3.T) * (1.0 - h2 * h2)
        grads["W2"], grads["b2"] = h1.T @ g, g.sum(axis=0)
        g = (g @ W2.T) * (1.0 - h1 * h1)
        grads["W1"], grads["b1"] = x.T @ g, g.sum(axis=0)
        for p, name in ((W1, "W1"), (b1, "b1"), (W2, "W2"), (b2, "b2"), (W3, "W3"), (b3, "b3")):
            p -= lr * grads[name]

    return Case(forward, backward, lambda: dict(grads))


def jacobian(inp):
    """J = ∂f/∂x for f(x) = tanh(Ax + b)·x, one VJP per row."""
    A, b, x, n = inp["A"], inp["b"], inp["x"], inp["n"]
    eye = np.eye(n, dtype=np.float32)
    state = {}

    def forward():
        t = np.tanh(A @ x + b)
        return {"saved": t, "y": t * x}

    def backward(handle):
        t = handle["saved"]  # kept: every row needs it (retain_graph)
        rows = []
        for i in range(n):
            gy = eye[i]
            gt = gy * x  # y = t·x
            gx = gy * t
            gv = gt * (1.0 - t * t)  # tanh
            rows.append(gx + A.T @ gv)  # v = Ax + b
        state["J"] = np.stack(rows)

    return Case(forward, backward, lambda: {"J": state["J"]})
