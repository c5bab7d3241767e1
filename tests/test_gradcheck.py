"""Every op's VJP against central finite differences, generated from the registry ``ops.OPS``.

For each registry entry and each of its ``samples`` the engine's vector-Jacobian product
(``autograd.grad`` with a random cotangent) must match float64 central differences, and so must
the derivative of that VJP (``create_graph=True``). Then the user-facing functions built on the
ops (matmul, max/min along a dim, norm, prod, softmax, indexing...) get the same treatment.
"""
import zlib

import numpy as np
import pytest

import minigrad
from minigrad import _graph, autograd
from minigrad.ops import OPS

EPS = 1e-6
RTOL, ATOL = 1e-5, 1e-7  # central differences in float64 are good to ~1e-9 here
DEFAULT_DOMAIN = (-2.0, 2.0)

# Ops with a kink at 0 (or at ties, or at the clamp bounds): inputs must stay away from it.
AWAY_FROM_ZERO = {"abs", "relu", "sign", "clamp", "norm", "leaky_relu", "elu"}
# Losses with a kink where |x − y| meets a threshold (the attribute named here).
KINKED_DIFFERENCE = {"smooth_l1_loss": ("beta", 1.0), "huber_loss": ("delta", 1.0)}
NO_TIES = {"maximum", "minimum", "amax", "amin", "max_dim", "min_dim", "norm", "clamp"}
GAP = 0.05  # distance kept from kinks and between values that must not tie


# ---- helpers -------------------------------------------------------------------------------
def _rng(*parts):
    """A generator seeded from the test's identity: deterministic, distinct per case."""
    return np.random.default_rng(zlib.crc32("/".join(map(str, parts)).encode()))


def _split_sample(sample):
    """(input shapes, attrs) of a registry sample."""
    if sample and isinstance(sample[-1], dict):
        return tuple(sample[:-1]), dict(sample[-1])
    return tuple(sample), {}


def _kinks(op, attrs):
    """Points where the op is not differentiable (besides ties between inputs)."""
    points = []
    if op.name in AWAY_FROM_ZERO:
        points.append(0.0)
    if op.name == "clamp":
        points += [b for b in (attrs.get("min"), attrs.get("max")) if b is not None]
    return points


def _acceptable(op, arrays, attrs):
    kinks = _kinks(op, attrs)
    for a in arrays:
        if any(np.any(np.abs(a - k) < GAP) for k in kinks):
            return False
    if op.name in KINKED_DIFFERENCE:
        name, default = KINKED_DIFFERENCE[op.name]
        if np.any(np.abs(np.abs(np.subtract(*arrays)) - attrs.get(name, default)) < GAP):
            return False
    if op.name in NO_TIES:
        if op.name in ("maximum", "minimum"):
            if np.any(np.abs(np.subtract(*arrays)) < GAP):
                return False
        for a in arrays:
            v = np.sort(np.abs(a).ravel() if op.name == "norm" else a.ravel())
            if v.size > 1 and np.min(np.diff(v)) < GAP:
                return False
    return True


def random_inputs(op, shapes, attrs, rng):
    """float64 inputs of the given shapes inside the op's domain, away from its kinks."""
    low, high = op.domain or DEFAULT_DOMAIN
    for _ in range(1000):
        arrays = [rng.uniform(low, high, size=s) for s in shapes]
        if _acceptable(op, arrays, attrs):
            return arrays
    raise AssertionError(f"could not sample smooth inputs for {op.name}")


def leaves(arrays):
    return [minigrad.tensor(a, dtype=minigrad.float64, requires_grad=True) for a in arrays]


def numeric_vjp(f, arrays, cotangent):
    """Central differences of x ↦ ⟨f(x), cotangent⟩ for every element of every input."""
    grads = []
    for i, a in enumerate(arrays):
        g = np.zeros_like(a)
        for j in np.ndindex(a.shape):
            plus = [b.copy() for b in arrays]
            minus = [b.copy() for b in arrays]
            plus[i][j] += EPS
            minus[i][j] -= EPS
            g[j] = (np.sum(f(plus) * cotangent) - np.sum(f(minus) * cotangent)) / (2 * EPS)
        grads.append(g)
    return grads


def forward_numpy(fn):
    """``fn`` on tensors turned into a function of numpy arrays (no graph recorded)."""
    def f(arrays):
        with minigrad.no_grad():
            out = fn(*[minigrad.tensor(a, dtype=minigrad.float64) for a in arrays])
        return np.asarray(out._data, dtype=np.float64)
    return f


def assert_vjp_matches(fn, arrays, rng):
    """autograd.grad of fn at ``arrays`` (random cotangent) equals finite differences."""
    xs = leaves(arrays)
    out = fn(*xs)
    assert out.dtype == minigrad.float64
    cotangent = rng.standard_normal(out.shape)
    grads = autograd.grad(out, xs, grad_outputs=minigrad.tensor(cotangent),
                          allow_unused=True, materialize_grads=True)
    expected = numeric_vjp(forward_numpy(fn), arrays, cotangent)
    for k, (g, e) in enumerate(zip(grads, expected)):
        assert tuple(g.shape) == e.shape, f"input {k}: gradient shape"
        assert g.dtype == minigrad.float64, f"input {k}: gradient dtype"
        np.testing.assert_allclose(g._data, e, rtol=RTOL, atol=ATOL, err_msg=f"input {k}")


def assert_second_order_matches(fn, arrays, rng):
    """The derivative of ⟨VJP(x, v), w⟩ in x and v (create_graph=True) vs finite differences."""
    out_shape = forward_numpy(fn)(arrays).shape
    v0 = rng.standard_normal(out_shape)
    w = [rng.standard_normal(a.shape) for a in arrays]

    def vjp_dot_w(*tensors):
        *xs, v = tensors
        grads = autograd.grad(fn(*xs), xs, grad_outputs=v, create_graph=True,
                              allow_unused=True, materialize_grads=True)
        total = minigrad.tensor(0.0, dtype=minigrad.float64)
        for g, wk in zip(grads, w):
            total = total + (g * minigrad.tensor(wk)).sum()
        return total

    ts = leaves(list(arrays) + [v0])
    s = vjp_dot_w(*ts)
    got = [np.zeros(t.shape) for t in ts]
    if s.requires_grad:  # an op linear in x has a VJP that depends on v only through a constant
        got = [g._data for g in autograd.grad(s, ts, allow_unused=True, materialize_grads=True)]

    def numeric(arrs):
        with minigrad.enable_grad():
            val = vjp_dot_w(*leaves(arrs))
        return np.asarray(val._data)

    expected = numeric_vjp(numeric, list(arrays) + [v0], np.float64(1.0))
    for k, (g, e) in enumerate(zip(got, expected)):
        np.testing.assert_allclose(g, e, rtol=1e-4, atol=1e-6, err_msg=f"input {k}")


def registry_cases():
    return [pytest.param(name, k, id=f"{name}-{k}")
            for name, op in OPS.items() for k in range(len(op.samples))]


# ---- the registry --------------------------------------------------------------------------
def test_every_registry_entry_has_samples():
    missing = [name for name, op in OPS.items() if not op.samples]
    assert not missing, f"ops without samples for the gradient checks: {missing}"


def test_samples_are_well_formed():
    for name, op in OPS.items():
        for sample in op.samples:
            shapes, attrs = _split_sample(sample)
            assert op.variadic or len(shapes) == len(op.inputs), name
            assert all(isinstance(s, tuple) for s in shapes), name


def test_uses_name_inputs_and_saved_tensors():
    for name, op in OPS.items():
        if op.uses is not None:
            assert set(op.uses) == set(op.inputs), name
            assert all(set(u) <= set(op.saves) for u in op.uses.values()), name


def _registry_fn(op, attrs):
    return lambda *xs: _graph.apply(op, *xs, **attrs)


@pytest.mark.parametrize("name, k", registry_cases())
def test_registry_vjp(name, k):
    op = OPS[name]
    shapes, attrs = _split_sample(op.samples[k])
    rng = _rng("vjp", name, k)
    arrays = random_inputs(op, shapes, attrs, rng)
    assert_vjp_matches(_registry_fn(op, attrs), arrays, rng)


@pytest.mark.parametrize("name", list(OPS))
def test_registry_second_order(name):
    op = OPS[name]
    for k, sample in enumerate(op.samples):
        shapes, attrs = _split_sample(sample)
        rng = _rng("second", name, k)
        arrays = random_inputs(op, shapes, attrs, rng)
        assert_second_order_matches(_registry_fn(op, attrs), arrays, rng)


def partial_cases():
    """(op, sample, the one input that requires grad) for the ops whose VJP skips the others."""
    return [pytest.param(name, k, i, id=f"{name}-{k}-input{i}")
            for name, op in OPS.items() if op.needs_input_grad
            for k, sample in enumerate(op.samples)
            for i in range(len(_split_sample(sample)[0]))]


def test_needs_input_grad_ops_have_partial_cases():
    assert {"mul", "div", "mm", "mv", "dot", "bmm", "addmm"} <= {
        p.values[0] for p in partial_cases()}


@pytest.mark.parametrize("name, k, i", partial_cases())
def test_vjp_with_one_input_requiring_grad(name, k, i):
    """needs_input_grad: the gradient of the one input that needs it still matches finite
    differences, and the node sends nothing (computes nothing) for the others."""
    op = OPS[name]
    shapes, attrs = _split_sample(op.samples[k])
    rng = _rng("partial", name, k, i)
    arrays = random_inputs(op, shapes, attrs, rng)
    xs = [minigrad.tensor(a, dtype=minigrad.float64, requires_grad=(j == i))
          for j, a in enumerate(arrays)]
    out = _graph.apply(op, *xs, **attrs)
    cotangent = rng.standard_normal(out.shape)
    seen = []
    original = op.vjp

    def spy(g, *args, **kwargs):
        grads = original(g, *args, **kwargs)
        seen.append(grads)
        return grads

    op.vjp = spy
    try:
        (grad,) = autograd.grad(out, xs[i], grad_outputs=minigrad.tensor(cotangent))
    finally:
        op.vjp = original
    (returned,) = seen
    assert [j for j, gj in enumerate(returned) if gj is not None] == [i]

    def f(arr):
        return forward_numpy(_registry_fn(op, attrs))(arrays[:i] + [arr[0]] + arrays[i + 1:])

    (expected,) = numeric_vjp(f, [arrays[i]], cotangent)
    np.testing.assert_allclose(grad._data, expected, rtol=RTOL, atol=ATOL)


def test_index_with_repeated_indices_accumulates():
    x = minigrad.tensor([1.0, 2.0, 3.0, 4.0], requires_grad=True)
    x[minigrad.tensor([0, 2, 2, 2, 3])].sum().backward()
    assert x.grad.tolist() == [1.0, 0.0, 3.0, 1.0]
    rng = _rng("repeat")
    assert_vjp_matches(lambda t: t[[1, 1, 0]] * t[[2, 1, 1]], [rng.standard_normal(3)], rng)


# ---- through the public API ----------------------------------------------------------------
BROADCAST = [
    ("x(2,3)+y(3,)", lambda x, y: x + y, [(2, 3), (3,)]),
    ("x(2,1)*y(1,3)", lambda x, y: x * y, [(2, 1), (1, 3)]),
    ("scalar*x", lambda x, y: x * y, [(), (2, 3)]),
    ("x-python", lambda x: 2.5 - x * 3, [(2, 2)]),
    ("x/y(2,1)", lambda x, y: x / (y * y + 1), [(2, 3), (2, 1)]),
    ("y(3,)**x", lambda x, y: (y * y + 0.5) ** x, [(2, 3), (3,)]),
]


@pytest.mark.parametrize("fn, shapes", [pytest.param(f, s, id=i) for i, f, s in BROADCAST])
def test_broadcasting(fn, shapes):
    rng = _rng("broadcast", shapes)
    arrays = [rng.uniform(-2, 2, size=s) for s in shapes]
    assert_vjp_matches(fn, arrays, rng)


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)),
    ((2, 2, 3), (2, 3, 4)), ((2, 2, 3), (3,)), ((3,), (2, 3, 4)),
    ((2, 2, 3), (3, 4)), ((2, 3), (2, 3, 4)), ((2, 1, 2, 3), (3, 3, 2)),
]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=lambda s: f"{s[0]}@{s[1]}")
def test_matmul_every_rank(shapes):
    rng = _rng("matmul", shapes)
    arrays = [rng.standard_normal(s) for s in shapes]
    assert_vjp_matches(lambda a, b: a @ b, arrays, rng)
    assert_second_order_matches(lambda a, b: minigrad.matmul(a, b), arrays, rng)


def _distinct(rng, shape):
    """Values spaced at least 0.1 apart, with random signs (no ties, no zeros)."""
    n = int(np.prod(shape))
    v = (rng.permutation(n) + 1) * 0.1 * rng.choice([-1, 1], size=n)
    return v.reshape(shape)


@pytest.mark.parametrize("which", ["max", "min"])
@pytest.mark.parametrize("dim, keepdim", [(0, False), (1, False), (-1, True), (None, False)])
def test_max_min(which, dim, keepdim):
    rng = _rng(which, dim, keepdim)
    f = getattr(minigrad, which)
    if dim is None:
        fn = lambda x: f(x)  # noqa: E731
    else:
        fn = lambda x: f(x, dim, keepdim).values  # noqa: E731
    assert_vjp_matches(fn, [_distinct(rng, (3, 4))], rng)
    assert_vjp_matches(lambda x: getattr(x, which)(dim=0)[0], [_distinct(rng, (5,))], rng)


@pytest.mark.parametrize("p", [1, 2, 3, float("inf")])
@pytest.mark.parametrize("dim", [None, 1])
def test_norm(p, dim):
    rng = _rng("norm", p, dim)
    assert_vjp_matches(lambda x: minigrad.norm(x, p=p, dim=dim), [_distinct(rng, (3, 4))], rng)
    assert_vjp_matches(lambda x: x.norm(p), [_distinct(rng, (5,))], rng)


@pytest.mark.filterwarnings("error::RuntimeWarning")  # no 0/0 warning from numpy either
def test_norm_matches_torch_where_the_norm_is_zero():
    torch = pytest.importorskip("torch")
    for p in (1, 2, 3, float("inf")):
        x = minigrad.zeros(3, dtype=minigrad.float64, requires_grad=True)
        minigrad.norm(x, p=p).backward()
        tx = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        torch.norm(tx, p=p).backward()
        assert x.grad.tolist() == tx.grad.tolist(), p


@pytest.mark.parametrize("values, expected", [
    ([2.0, 0.0, 3.0, 4.0], [0.0, 24.0, 0.0, 0.0]),
    ([2.0, 0.0, 3.0, 0.0], [0.0, 0.0, 0.0, 0.0]),
    ([2.0, 5.0, 3.0, 4.0], [60.0, 24.0, 40.0, 30.0]),
])
def test_prod_with_zeros_is_exact(values, expected):
    x = minigrad.tensor(values, dtype=minigrad.float64, requires_grad=True)
    x.prod().backward()
    assert x.grad.tolist() == expected
    y = minigrad.tensor([values, values[::-1]], dtype=minigrad.float64, requires_grad=True)
    y.prod(dim=1).sum().backward()
    assert y.grad.tolist() == [expected, expected[::-1]]
    z = minigrad.tensor([values, values[::-1]], dtype=minigrad.float64, requires_grad=True)
    z.t().prod(0, keepdim=True).sum().backward()
    assert z.grad.tolist() == [expected, expected[::-1]]


def test_prod_with_a_zero_matches_finite_differences():
    rng = _rng("prod0")
    a = rng.uniform(0.5, 2, size=(3, 4))
    a[1, 2] = 0.0
    a[2, 0] = a[2, 3] = 0.0
    for fn in (lambda x: x.prod(), lambda x: x.prod(1), lambda x: x.prod(0, keepdim=True)):
        assert_vjp_matches(fn, [a], rng)
        assert_second_order_matches(fn, [a], rng)


@pytest.mark.parametrize("fn", [
    lambda x: minigrad.softmax(x, dim=1),
    lambda x: minigrad.softmax(x, dim=0),
    lambda x: x.log_softmax(-1),
    lambda x: minigrad.log_softmax(x, 0),
    lambda x: minigrad.logsumexp(x, 1),
    lambda x: x.logsumexp(dim=(0, 1), keepdim=True),
], ids=["softmax1", "softmax0", "log_softmax-1", "log_softmax0", "logsumexp1", "logsumexp01"])
def test_softmax_family(fn):
    rng = _rng("softmax", fn.__code__.co_firstlineno)
    arrays = [rng.uniform(-3, 3, size=(3, 4))]
    assert_vjp_matches(fn, arrays, rng)
    assert_second_order_matches(fn, arrays, rng)


@pytest.mark.parametrize("key", [
    "bool_mask_full", "bool_mask_rows", "int_list_repeats", "mixed", "none_ellipsis",
])
def test_getitem(key):
    rng = _rng("getitem", key)
    mask = np.array([[True, False, True, True], [False, False, True, False],
                     [True, True, False, False]])
    keys = {
        "bool_mask_full": minigrad.tensor(mask),
        "bool_mask_rows": minigrad.tensor([True, False, True]),
        "int_list_repeats": ([0, 2, 0], [1, 1, 1]),
        "mixed": (slice(None, None, 2), minigrad.tensor([3, 0, 3])),
        "none_ellipsis": (None, Ellipsis, 1),
    }
    assert_vjp_matches(lambda x: x[keys[key]] * 1.5, [rng.standard_normal((3, 4))], rng)


@pytest.mark.parametrize("case", ["slice", "bool_mask", "int_index", "broadcast_value"])
def test_setitem_on_a_non_leaf(case):
    rng = _rng("setitem", case)
    cases = {
        "slice": ((slice(1, 3),), (2, 4)),
        "bool_mask": (minigrad.tensor([True, False, True]), (2, 4)),
        "int_index": ((minigrad.tensor([0, 2]), 1), (2,)),
        "broadcast_value": ((slice(None), 2), ()),
    }
    key, value_shape = cases[case]

    def fn(x, v):
        y = x * 2.0
        y[key] = v * v
        return y.exp()

    assert_vjp_matches(fn, [rng.standard_normal((3, 4)), rng.standard_normal(value_shape)], rng)


def test_cat_and_stack_many_inputs():
    rng = _rng("cat")
    arrays = [rng.standard_normal(s) for s in [(2, 3), (1, 3), (4, 3)]]
    assert_vjp_matches(lambda *xs: minigrad.cat(xs) * 2, arrays, rng)
    arrays = [rng.standard_normal(s) for s in [(2, 1), (2, 3), (2, 2)]]
    assert_vjp_matches(lambda *xs: minigrad.cat(xs, dim=-1), arrays, rng)
    arrays = [rng.standard_normal((2, 3)) for _ in range(3)]
    for d in (0, 1, 2, -1):
        assert_vjp_matches(lambda *xs: minigrad.stack(xs, dim=d), arrays, rng)
    # The same tensor used twice: both blocks' gradients reach it.
    assert_vjp_matches(lambda x, y: minigrad.cat([x, y, x]), arrays[:2], rng)
