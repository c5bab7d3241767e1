"""The Jacobian pictures: the engine's Jacobian (parity with PyTorch's), backward(v) drawn as vᵀJ,
J·u as the contrast, and broadcasting's sums; the numbers read back from the figures' data.

Expected values come from the math of the seed lessons (y = x·2¹¹ has J = 2048·I; out =
mean(3(x+2)²) has ∂out/∂x = 6(x+2)/4) or from PyTorch when it is installed.
"""
import importlib.util
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # headless: must come before pyplot is imported anywhere

import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import pyplot as plt  # noqa: E402

import minigrad  # noqa: E402
from widgets import broadcast_figure, jacobian_figure, jvp_figure  # noqa: E402
from widgets.jacobian import jacobian_matrix, summed_axes  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
V = [0.1, 1.0, 0.0001]  # the seed lesson's v


@pytest.fixture(autouse=True)
def _figures_are_not_left_open():
    """The figures are made without pyplot, so nothing stays open in pyplot's registry."""
    yield
    assert plt.get_fignums() == []
    plt.close("all")


def panel(fig, label):
    """The data drawn in the panel labelled ``label`` (a 2-d array)."""
    hits = [ax for ax in fig.axes if ax.get_label() == label]
    assert len(hits) == 1, (label, [ax.get_label() for ax in fig.axes])
    return np.asarray(hits[0].images[0].get_array(), dtype=np.float64)


def annotations(fig, label):
    """The numbers written in the panel labelled ``label``."""
    (ax,) = [ax for ax in fig.axes if ax.get_label() == label]
    return [t.get_text() for t in ax.texts]


def all_text(fig):
    texts = [t.get_text() for t in fig.findobj(matplotlib.text.Text)]
    return "\n".join(texts)


def doubled_eleven_times(x):
    """The seed lesson's loop: y = x * 2, then doubled ten more times."""
    y = x * 2
    for _ in range(10):
        y = y * 2
    return y


def seed_mean(x):
    return (3 * (x + 2) ** 2).mean()


# ---- the engine's Jacobian equals PyTorch's ------------------------------------------------
W = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])  # a non-square map R³ -> R²
B = np.array([[0.5, -1.0, 2.0, 1.5]])


def _functions(L):
    w, b = L.tensor(W, dtype=L.float64), L.tensor(B, dtype=L.float64)
    return {
        "elementwise": (lambda x: x.sin() * x + x.exp(), [0.3, -1.2, 2.0]),
        "matmul": (lambda x: L.matmul(w, x), [1.0, 2.0, -0.5]),
        "matrix_matmul": (lambda x: x @ w.t(), [[1.0, 2.0, 3.0], [-1.0, 0.5, 0.0]]),
        "softmax": (lambda x: L.softmax(x, dim=-1), [[0.1, 2.0, -1.0], [0.5, 0.5, 3.0]]),
        "broadcasting": (lambda x: x * b + x ** 2, [[1.0], [-2.0], [0.5]]),
        "non_square_reduction": (lambda x: (x * x).sum(dim=0), [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]),
    }


@pytest.mark.parametrize("name", list(_functions(minigrad)))
def test_jacobian_matrix_equals_pytorch(name):
    torch = pytest.importorskip("torch")
    f, x = _functions(minigrad)[name]
    tf, _ = _functions(torch)[name]
    mine = jacobian_matrix(f, minigrad.tensor(x, dtype=minigrad.float64))
    theirs = torch.autograd.functional.jacobian(tf, torch.tensor(x, dtype=torch.float64))
    assert mine.shape == tuple(theirs.shape)
    np.testing.assert_allclose(mine, theirs.numpy(), rtol=1e-12, atol=1e-12)


def test_jacobian_matrix_from_the_math_and_caller_untouched():
    x = minigrad.tensor([0.3164, -1.1508, 1.5400], requires_grad=True)
    J = jacobian_matrix(doubled_eleven_times, x)
    np.testing.assert_array_equal(J, 2048 * np.eye(3))
    assert x.grad is None and x.requires_grad and x.is_leaf  # the engine ran on a copy
    # a function ignoring its input has a zero Jacobian (not an error)
    np.testing.assert_array_equal(jacobian_matrix(lambda t: minigrad.ones(2), [1.0, 2.0]),
                                  np.zeros((2, 2)))


# ---- the seed VJP: backward(v) is vᵀJ --------------------------------------------------------
def test_seed_vjp_figure_shows_diagonal_jacobian_v_and_vtj():
    x = minigrad.tensor([0.3164, -1.1508, 1.5400], requires_grad=True)
    fig = jacobian_figure(doubled_eleven_times, x, minigrad.tensor(V))
    np.testing.assert_array_equal(panel(fig, "J"), 2048 * np.eye(3))
    np.testing.assert_allclose(panel(fig, "v"), np.array(V).reshape(3, 1), rtol=1e-7)
    expected = np.array(V) * 2048  # vᵀJ with J = 2048·I
    np.testing.assert_allclose(panel(fig, "vJ"), expected.reshape(1, 3), rtol=1e-6)
    assert annotations(fig, "vJ") == ["204.8", "2048", "0.2048"]
    assert annotations(fig, "v") == ["0.1", "1", "0.0001"]
    assert annotations(fig, "J") == ["2048", "0", "0", "0", "2048", "0", "0", "0", "2048"]
    text = all_text(fig)
    assert "x.grad after y.backward(v)" in text and "x[2]" in text and "y[0]" in text
    assert x.grad is None  # the picture never fills the caller's .grad


def test_seed_vjp_matches_pytorch_backward():
    torch = pytest.importorskip("torch")
    x = [0.3164, -1.1508, 1.5400]
    fig = jacobian_figure(doubled_eleven_times, x, V)
    tx = torch.tensor(x, requires_grad=True)
    doubled_eleven_times(tx).backward(torch.tensor(V))
    np.testing.assert_allclose(panel(fig, "vJ")[0], tx.grad.numpy(), rtol=1e-6)


def test_seed_mean_jacobian_is_one_row_of_4_5():
    fig = jacobian_figure(seed_mean, minigrad.ones(2, 2), y_name="out")
    np.testing.assert_allclose(panel(fig, "J"), np.full((1, 4), 6 * 3 / 4))  # 6(x+2)/4 = 4.5
    np.testing.assert_array_equal(panel(fig, "v"), [[1.0]])  # a scalar out is seeded with 1
    np.testing.assert_allclose(panel(fig, "vJ"), np.full((1, 4), 4.5))
    assert annotations(fig, "vJ") == ["4.5"] * 4
    assert "x[1,0]" in all_text(fig)


def test_backward_of_ones_gives_the_column_sums():
    f = _functions(minigrad)["matmul"][0]
    x = minigrad.tensor([1.0, 2.0, -0.5], dtype=minigrad.float64)
    fig = jacobian_figure(f, x)  # non-scalar y, no v: ones
    np.testing.assert_array_equal(panel(fig, "v"), np.ones((2, 1)))
    np.testing.assert_allclose(panel(fig, "vJ")[0], W.sum(axis=0))


def test_wrong_v_is_refused():
    with pytest.raises(ValueError, match="one entry per element"):
        jacobian_figure(doubled_eleven_times, [1.0, 2.0, 3.0], [1.0, 2.0])


def test_large_jacobians_are_drawn_without_numbers():
    fig = jacobian_figure(lambda x: x.sin(), minigrad.arange(20.0))
    assert panel(fig, "J").shape == (20, 20)
    assert annotations(fig, "J") == []
    np.testing.assert_allclose(np.diag(panel(fig, "J")), np.cos(np.arange(20.0)), rtol=1e-6)


# ---- J·u, the contrast ------------------------------------------------------------------------
def test_jvp_figure_is_j_times_u():
    f = _functions(minigrad)["elementwise"][0]
    g = _functions(minigrad)["matmul"][0]
    x = minigrad.tensor([0.3, -1.2, 2.0], dtype=minigrad.float64)
    u = [1.0, 0.0, 0.5]
    fig = jvp_figure(lambda t: g(f(t)), x, u)
    J = panel(fig, "J")
    np.testing.assert_allclose(panel(fig, "u"), [u])
    np.testing.assert_allclose(panel(fig, "Ju")[:, 0], J @ np.array(u), rtol=1e-12)
    assert "forward mode" in all_text(fig)


def test_jvp_matches_pytorch():
    torch = pytest.importorskip("torch")
    x, u = [0.3, -1.2, 2.0], [1.0, 0.0, 0.5]
    fig = jvp_figure(_functions(minigrad)["elementwise"][0],
                     minigrad.tensor(x, dtype=minigrad.float64), u)
    _, theirs = torch.autograd.functional.jvp(_functions(torch)["elementwise"][0],
                                              torch.tensor(x, dtype=torch.float64),
                                              torch.tensor(u, dtype=torch.float64))
    np.testing.assert_allclose(panel(fig, "Ju")[:, 0], theirs.numpy(), rtol=1e-12)


# ---- broadcasting made visible ---------------------------------------------------------------
@pytest.mark.parametrize("shape, out, axes", [
    ((3, 1), (3, 4), (1,)), ((4,), (3, 4), (0,)), ((1, 4), (2, 3, 4), (0, 1)),
    ((3, 4), (3, 4), ()), ((), (2, 2), (0, 1)), ((1, 1), (3, 1), (0,)),
])
def test_summed_axes(shape, out, axes):
    assert summed_axes(shape, out) == axes
    # summing over exactly those axes returns to the input's size, as the engine does
    assert np.ones(out).sum(axis=axes).size == int(np.prod(shape))


def test_broadcast_figure_sums_over_the_broadcast_axes():
    a = minigrad.tensor([[1.0], [2.0], [3.0]])
    b = minigrad.tensor([1.0, 2.0, 3.0, 4.0])
    fig = broadcast_figure(lambda p, q: p * q, a, b, names=["a", "b"])
    # d(a*b)/da at each element of a's broadcast copy is b there; summed over axis 1: Σb = 10
    np.testing.assert_array_equal(panel(fig, "a spread"), np.tile([1.0, 2.0, 3.0, 4.0], (3, 1)))
    np.testing.assert_array_equal(panel(fig, "a.grad"), np.full((3, 1), 10.0))
    np.testing.assert_array_equal(panel(fig, "b spread"), np.tile([[1.0], [2.0], [3.0]], (1, 4)))
    np.testing.assert_array_equal(panel(fig, "b.grad"), np.full((1, 4), 6.0))  # Σa = 6
    np.testing.assert_array_equal(panel(fig, "b"), [[1.0, 2.0, 3.0, 4.0]])  # a row, as aligned
    text = all_text(fig)
    assert "Σ over axis 1" in text and "Σ over axis 0" in text and "[3, 4]" in text
    assert a.grad is None and b.grad is None


def test_broadcast_figure_matches_pytorch():
    torch = pytest.importorskip("torch")
    a, b = [[1.0], [-2.0]], [[0.5, 1.0, 2.0]]
    g = [[1.0, 2.0, 3.0], [0.0, -1.0, 0.5]]
    fig = broadcast_figure(lambda p, q: p * q + p, a, b, gradient=g, names=["a", "b"])
    ta, tb = (torch.tensor(t, requires_grad=True) for t in (a, b))
    (ta * tb + ta).backward(torch.tensor(g))
    np.testing.assert_allclose(panel(fig, "a.grad"), ta.grad.numpy())
    np.testing.assert_allclose(panel(fig, "b.grad"), tb.grad.numpy())
    assert "no sum" not in all_text(fig)


def test_broadcast_figure_refuses_non_elementwise_and_high_rank():
    with pytest.raises(ValueError, match="elementwise"):
        broadcast_figure(lambda p: p @ p.t(), minigrad.tensor([[1.0], [2.0]]))
    with pytest.raises(ValueError, match="at most 2"):
        broadcast_figure(lambda p: p * minigrad.ones(2, 2, 2), minigrad.ones(2))


# ---- the picture in the docs -----------------------------------------------------------------
def test_docs_figure_is_regenerated_small(tmp_path):
    committed = ROOT / "docs" / "jacobian_seed_vjp.png"
    assert committed.is_file() and committed.stat().st_size < 100_000
    spec = importlib.util.spec_from_file_location("make_figures", ROOT / "docs" /
                                                  "make_figures.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    (written,) = module.main(tmp_path)
    data = Path(written).read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < 100_000
    assert Path(written).parent == tmp_path
