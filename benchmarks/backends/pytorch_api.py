"""The workloads written as a PyTorch user writes them, for any library with PyTorch's API.

minigrad_backend.py and torch_backend.py both take them from here, so the two run the very same
code (``import minigrad as torch`` against ``import torch``). The MLP's loss is written as
log_softmax + indexing + mean, so both build the same graph (``F.cross_entropy`` would fuse it
into one node in PyTorch).
"""
from . import Case


def workloads(torch):
    """(chain, seed_lesson, mlp, jacobian) workload builders, run with the module ``torch``."""

    def chain(inp):
        """y = cycle^(n/8)(x) (see workloads.CHAIN_CYCLE); out = y.sum(); gradient for x."""
        x, n = torch.tensor(inp["x"], requires_grad=True), inp["n"]

        def forward():
            x.grad = None
            y = x
            for _ in range(n // 8):
                y = y * 2.0
                y = y + 1.0
                y = y.exp()
                y = y.sqrt()
                y = y.log()
                y = y * 2.0
                y = y - 1.0
                y = y * 0.5
            return y.sum()

        def backward(out):
            out.backward()

        return Case(forward, backward, lambda: {"x": x.grad.numpy()})


    def seed_lesson(inp):
        """x = [[1,2],[3,4]]; y = x+2; z = y·y·3; out = z.mean(); gradient for x."""
        state = {}

        def forward():
            x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
            y = x + 2
            z = y * y * 3
            out = z.mean()
            state["x"] = x
            return out

        def backward(out):
            out.backward()

        return Case(forward, backward, lambda: {"x": state["x"].grad.numpy()})


    def mlp(inp):
        """One SGD step of the 784-256-256-10 tanh MLP with softmax cross-entropy."""
        names = ("W1", "b1", "W2", "b2", "W3", "b3")
        params = [torch.tensor(inp[k], requires_grad=True) for k in names]
        W1, b1, W2, b2, W3, b3 = params
        x, y = torch.tensor(inp["x"]), torch.tensor(inp["y"])
        rows = torch.arange(len(inp["y"]))
        optimizer = torch.optim.SGD(params, lr=inp["lr"])

        def forward():
            optimizer.zero_grad()
            h = torch.tanh(x @ W1 + b1)
            h = torch.tanh(h @ W2 + b2)
            logits = h @ W3 + b3
            return -torch.log_softmax(logits, dim=1)[rows, y].mean()  # cross-entropy

        def backward(loss):
            loss.backward()
            optimizer.step()

        return Case(forward, backward, lambda: {k: p.grad.numpy() for k, p in zip(names, params)})


    def jacobian(inp):
        """J = ∂f/∂x for f(x) = tanh(Ax + b)·x, one ``autograd.grad`` VJP per row."""
        A, b = torch.tensor(inp["A"]), torch.tensor(inp["b"])
        x, n = torch.tensor(inp["x"], requires_grad=True), inp["n"]
        eye = torch.eye(n)
        state = {}

        def forward():
            return torch.tanh(A @ x + b) * x

        def backward(y):
            rows = [torch.autograd.grad(y, x, grad_outputs=eye[i], retain_graph=True)[0]
                    for i in range(n)]
            state["J"] = torch.stack(rows)

        return Case(forward, backward, lambda: {"J": state["J"].numpy()})

    return chain, seed_lesson, mlp, jacobian
