"""The workloads every backend runs, and their inputs (the same numbers for every backend).

A backend implements each *kind* (``chain``, ``seed_lesson``, ``mlp``, ``jacobian``); a workload
is a kind with its sizes. Inputs are numpy arrays made here from a fixed seed, so every backend
starts from the same values and their gradients can be compared with the hand-written numpy ones.
"""
import numpy as np

# The chain's op cycle, 8 ops whose composition is the identity (so values and gradients stay
# near 1 however long the chain): y·2, +1, exp, sqrt, log, ·2, −1, ·0.5. It mixes binary ops
# with a Python number, unary ops that save their input (log) and ones that save their output
# (exp, sqrt): the usual per-op paths.
CHAIN_CYCLE = ("mul 2.0", "add 1.0", "exp", "sqrt", "log", "mul 2.0", "sub 1.0", "mul 0.5")

WORKLOADS = {
    "per_op": dict(kind="chain", n=1_000, quick_n=1_000,
                   title="(a) per-op overhead: 1,000 elementwise ops on a (4,) tensor, fwd+bwd"),
    "seed_lesson": dict(kind="seed_lesson",
                        title="(b) seed lesson: x=[[1,2],[3,4]]; out=(3(x+2)²).mean(); backward"),
    "mlp_64": dict(kind="mlp", batch=64,
                   title="(c) MLP step 784-256-256-10 (tanh, softmax CE, SGD), batch 64, float32"),
    "mlp_1024": dict(kind="mlp", batch=1_024,
                     title="(c) MLP step 784-256-256-10 (tanh, softmax CE, SGD), batch 1,024, "
                           "float32"),
    "deep_chain": dict(kind="chain", n=50_000, quick_n=5_000,
                       title="(d) deep chain: 50,000 elementwise ops on a (4,) tensor, fwd+bwd"),
    "jacobian": dict(kind="jacobian", n=100,
                     title="(e) Jacobian of f(x)=tanh(Ax+b)·x, 100→100, from 100 VJPs"),
}
MEMORY_WORKLOADS = ("mlp_64", "mlp_1024", "deep_chain")  # (f)
MLP_SIZES = (784, 256, 256, 10)
LEARNING_RATE = 0.1


def inputs(name, quick=False):
    """The inputs of workload ``name``: a dict of numpy arrays (float32) and sizes."""
    spec = WORKLOADS[name]
    rng = np.random.default_rng(0)
    kind = spec["kind"]
    if kind == "chain":
        n = spec["quick_n"] if quick else spec["n"]
        assert n % len(CHAIN_CYCLE) == 0
        return {"n": n, "x": np.linspace(0.1, 1.0, 4, dtype=np.float32)}
    if kind == "seed_lesson":
        return {}
    if kind == "mlp":
        batch = spec["batch"]
        data = {"lr": LEARNING_RATE,
                "x": rng.standard_normal((batch, MLP_SIZES[0]), dtype=np.float32),
                "y": rng.integers(0, MLP_SIZES[-1], batch, dtype=np.int64)}
        for i, (fan_in, fan_out) in enumerate(zip(MLP_SIZES, MLP_SIZES[1:]), start=1):
            bound = 1.0 / np.sqrt(fan_in)  # nn.Linear's default initialisation range
            data[f"W{i}"] = rng.uniform(-bound, bound, (fan_in, fan_out)).astype(np.float32)
            data[f"b{i}"] = rng.uniform(-bound, bound, fan_out).astype(np.float32)
        return data
    if kind == "jacobian":
        n = spec["n"]
        return {"n": n,
                "A": (rng.standard_normal((n, n)) / np.sqrt(n)).astype(np.float32),
                "b": rng.standard_normal(n).astype(np.float32),
                "x": rng.standard_normal(n).astype(np.float32)}
    raise ValueError(kind)


MLP_PARAMS = ("W1", "b1", "W2", "b2", "W3", "b3")
