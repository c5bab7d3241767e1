"""Pictures of the Jacobian, of ``backward(v)`` as vᵀJ, of J·u, and of broadcasting's sums.

    from widgets import jacobian_figure, jvp_figure, broadcast_figure
    jacobian_figure(f, x, v)         # J as a heatmap, v beside its rows, vᵀJ beneath its columns
    jvp_figure(f, x, u)              # the contrast: u above J's columns, J·u beside its rows
    broadcast_figure(add, a, b)      # which axes each input's gradient is summed over

Every number comes from minigrad's engine: J row by row from one-hot VJPs (``autograd.grad``),
vᵀJ from one ``backward(v)``, J·u from ``autograd.functional.jvp``. Nothing here touches the
caller's tensors (the engine runs on detached copies) and the figures are ``matplotlib.figure
.Figure`` objects made without pyplot: Jupyter shows the one returned, never a second copy.
"""
import io

import numpy as np
from matplotlib import colors
from matplotlib import figure as _figure

import minigrad
from minigrad.autograd import functional as _functional
from minigrad.autograd import grad as _grad


class Figure(_figure.Figure):
    """A matplotlib Figure that displays itself as a PNG anywhere (a notebook that never
    imported pyplot included); made without pyplot, so it is never shown twice."""

    def _repr_png_(self):
        buffer = io.BytesIO()
        self.savefig(buffer, format="png", dpi=100)
        return buffer.getvalue()


CMAP = "RdBu_r"  # diverging: zero is white, so the zeros of a Jacobian read as empty
ANNOTATE = 144  # cells of J annotated with their number at most (and 12 per side)
CELL = 0.62  # inches per matrix cell at small sizes


def _leaf(x):
    """A fresh leaf holding ``x``'s values (a tensor or array-like; integers become floats)."""
    t = x if isinstance(x, minigrad.Tensor) else minigrad.as_tensor(x)
    t = t.detach()
    if not t.is_floating_point():
        t = t.to(minigrad.get_default_dtype())
    return t.requires_grad_(True)


def _call(f, *leaves):
    y = f(*leaves)
    if not isinstance(y, minigrad.Tensor):
        raise TypeError(f"f must return a minigrad tensor, got {type(y).__name__}")
    return y


def _vjp(y, leaf, v):
    """vᵀJ by one backward pass from ``y`` seeded with ``v`` (zeros where y ignores x)."""
    if not y.requires_grad:
        return np.zeros(leaf.shape, dtype=leaf.detach().numpy().dtype)
    (g,) = _grad(y, leaf, v, retain_graph=True, allow_unused=True)
    return np.zeros(leaf.shape, dtype=leaf.detach().numpy().dtype) if g is None else g.numpy()


def _jacobian(f, x):
    """(leaf, y, J as an (m, n) array): row i of J is the VJP of the one-hot vector e_i."""
    leaf = _leaf(x)
    y = _call(f, leaf)
    m, n = y.numel(), leaf.numel()
    rows = np.zeros((m, n), dtype=leaf.detach().numpy().dtype)
    for i in range(m):
        onehot = np.zeros(m, dtype=y.detach().numpy().dtype)
        onehot[i] = 1
        rows[i] = _vjp(y, leaf, minigrad.from_numpy(onehot.reshape(y.shape))).reshape(-1)
    return leaf, y, rows


def jacobian_matrix(f, x):
    """J[i..., j...] = ∂f(x)[i...]/∂x[j...], shape ``f(x).shape + x.shape`` (numpy, the layout of
    ``torch.autograd.functional.jacobian``), from one one-hot VJP per output element."""
    leaf, y, rows = _jacobian(f, x)
    return rows.reshape(tuple(y.shape) + tuple(leaf.shape))


# ---- drawing helpers ---------------------------------------------------------------------------
def _num(x):
    """A number in at most 4 significant digits (``2048``, ``0.2048``, ``0.0001``)."""
    if not np.isfinite(x):
        return str(x)
    return np.format_float_positional(float(x), precision=4, unique=True, fractional=False,
                                      trim="-")


def _index_labels(name, shape):
    """``x[0]``, ``x[1]``... (``x[0,1]`` for 2-d; ``x`` for a scalar), in row-major order."""
    if len(shape) == 0:
        return [name]
    return [f"{name}[{','.join(str(i) for i in idx)}]" for idx in np.ndindex(*shape)]


def _norm(values):
    """A colour scale symmetric about zero (white), shared by all of ``values``."""
    top = float(np.nanmax(np.abs(values))) if np.size(values) else 0.0
    top = top if np.isfinite(top) and top > 0 else 1.0
    return colors.Normalize(-top, top)


def _heatmap(ax, data, norm, annotate, label, aspect="auto"):
    """``data`` (2-d) drawn cell by cell, numbers written in when ``annotate``."""
    ax.set_label(label)  # tests and readers find a panel by its label
    image = ax.imshow(data, cmap=CMAP, norm=norm, aspect=aspect, interpolation="nearest")
    if annotate:
        for (r, c), value in np.ndenumerate(data):
            dark = abs(norm(value) - 0.5) > 0.3  # white text on the strong colours
            ax.text(c, r, _num(value), ha="center", va="center", fontsize=9,
                    color="white" if dark else "black")
    ax.set_xticks([])
    ax.set_yticks([])
    return image


def _size(rows, cols):
    """Inches per cell: roomy for the small matrices of lessons, shrinking for big ones."""
    return CELL if max(rows, cols) <= 12 else max(0.12, CELL * 12 / max(rows, cols))


def _ticks(ax, axis, names, limit=24):
    """Tick labels along ``axis`` ("x" or "y"), every one when few, else a spread of them."""
    positions = np.arange(len(names))
    if len(names) > limit:
        positions = positions[:: int(np.ceil(len(names) / limit))]
    shown = [names[i] for i in positions]
    if axis == "x":
        ax.set_xticks(positions, shown, rotation=90 if len(names) > 6 else 0, fontsize=9)
    else:
        ax.set_yticks(positions, shown, fontsize=9)


def _annotate_ok(rows, cols):
    return rows * cols <= ANNOTATE and max(rows, cols) <= 12


def _as_row(values):
    return np.asarray(values, dtype=np.float64).reshape(1, -1)


def _as_column(values):
    return np.asarray(values, dtype=np.float64).reshape(-1, 1)


def _seed(y, v):
    """The seed ``v`` as a tensor of y's shape and dtype: 1 for a scalar y, else ones (the
    ``backward(torch.ones_like(y))`` whose result is J's column sums)."""
    if v is None:
        return minigrad.ones_like(y.detach())
    v = v.detach() if isinstance(v, minigrad.Tensor) else minigrad.as_tensor(v)
    if v.numel() != y.numel():
        raise ValueError(f"v must have one entry per element of f(x) ({y.numel()}), got "
                         f"{v.numel()}")
    return v.reshape(y.shape).to(y.dtype)


# ---- the figures -------------------------------------------------------------------------------
def jacobian_figure(f, x, v=None, *, x_name="x", y_name="y", title=None):
    """Figure: the Jacobian J = ∂y/∂x of y = f(x) (an m×n heatmap, m = y.numel(), n = x.numel()),
    the vector ``v`` beside its rows and vᵀJ (= x.grad after ``y.backward(v)``) beneath its columns.

    v: the gradient passed to backward (y's shape or m numbers); default 1 for a scalar y, else
    ones. Numbers are written in every cell for small sizes. x_name, y_name: the names in the
    labels; title: the figure's title (default: what backward(v) computes).
    """
    leaf, y, J = _jacobian(f, x)
    m, n = J.shape
    seed = _seed(y, v)
    vJ = _vjp(y, leaf, seed)  # the engine's own backward(v), not v @ J
    rows, cols = _index_labels(y_name, tuple(y.shape)), _index_labels(x_name, tuple(leaf.shape))
    cell = _size(m, n)
    annotate = _annotate_ok(m, n)
    fig = Figure(figsize=(max(6.5, cell * (n + 1) + 2.9), cell * (m + 1) + 2.4),
                 layout="constrained")
    grid = fig.add_gridspec(2, 3, width_ratios=[1, n, 0.25], height_ratios=[m, 1])
    ax_j = fig.add_subplot(grid[0, 1])
    ax_v = fig.add_subplot(grid[0, 0], sharey=ax_j)
    ax_r = fig.add_subplot(grid[1, 1], sharex=ax_j)
    ax_c = fig.add_subplot(grid[0, 2])
    image = _heatmap(ax_j, J, _norm(J), annotate, "J")
    _heatmap(ax_v, _as_column(seed.numpy()), _norm(seed.numpy()), m <= 24, "v")
    _heatmap(ax_r, _as_row(vJ), _norm(vJ), n <= 12, "vJ")
    _ticks(ax_v, "y", rows)
    _ticks(ax_r, "x", cols)
    ax_j.xaxis.set_ticks_position("top")
    _ticks(ax_j, "x", cols)
    ax_j.tick_params(axis="x", labeltop=True, labelbottom=False)
    ax_j.tick_params(axis="y", left=False, labelleft=False)
    ax_v.set_title("v", fontsize=11)
    ax_j.set_title(rf"Jacobian $J_{{ij}} = \partial {y_name}_i / \partial {x_name}_j$"
                   f"   ({m} × {n})", fontsize=11)
    ax_r.set_ylabel(r"$v^\top J$", rotation=0, ha="right", va="center", fontsize=11)
    fig.colorbar(image, cax=ax_c, label="J")
    fig.supxlabel(rf"$v^\top J$ = {x_name}.grad after {y_name}.backward(v):  "
                  rf"$(v^\top J)_j = \sum_i v_i\,J_{{ij}}$, column j of J weighted by v"
                  "\n(colours: white is 0; v and vᵀJ each on their own scale)", fontsize=10)
    fig.suptitle(title or f"backward(v) computes vᵀJ, not J: {y_name} = f({x_name})",
                 fontsize=12)
    return fig


def jvp_figure(f, x, u, *, x_name="x", y_name="y", title=None):
    """Figure: J·u, the contrast to vᵀJ: the tangent ``u`` (x's shape or n numbers) above J's
    columns and J·u (how y moves when x moves along u: forward mode) beside J's rows.
    x_name, y_name, title: as for ``jacobian_figure``."""
    leaf, y, J = _jacobian(f, x)
    m, n = J.shape
    u = u.detach() if isinstance(u, minigrad.Tensor) else minigrad.as_tensor(u)
    if u.numel() != n:
        raise ValueError(f"u must have one entry per element of x ({n}), got {u.numel()}")
    u = u.reshape(leaf.shape).to(leaf.dtype)
    _, Ju = _functional.jvp(f, leaf.detach(), u)  # the engine's double-VJP trick, not J @ u
    rows, cols = _index_labels(y_name, tuple(y.shape)), _index_labels(x_name, tuple(leaf.shape))
    cell = _size(m, n)
    fig = Figure(figsize=(cell * (n + 1) + 3.2, cell * (m + 1) + 2.0), layout="constrained")
    grid = fig.add_gridspec(2, 3, width_ratios=[n, 1, 0.25], height_ratios=[1, m])
    ax_j = fig.add_subplot(grid[1, 0])
    ax_u = fig.add_subplot(grid[0, 0], sharex=ax_j)
    ax_r = fig.add_subplot(grid[1, 1], sharey=ax_j)
    ax_c = fig.add_subplot(grid[1, 2])
    image = _heatmap(ax_j, J, _norm(J), _annotate_ok(m, n), "J")
    _heatmap(ax_u, _as_row(u.numpy()), _norm(u.numpy()), n <= 12, "u")
    _heatmap(ax_r, _as_column(Ju.numpy()), _norm(Ju.numpy()), m <= 24, "Ju")
    _ticks(ax_j, "x", cols)
    _ticks(ax_j, "y", rows)
    ax_u.set_title("u (a nudge of x)", fontsize=11)
    ax_u.set_ylabel("u", rotation=0, ha="right", va="center", fontsize=11)
    ax_r.set_title(r"$J\,u$", fontsize=11)
    ax_j.set_xlabel(rf"Jacobian $J_{{ij}} = \partial {y_name}_i / \partial {x_name}_j$"
                    f"   ({m} × {n})", fontsize=11)
    fig.colorbar(image, cax=ax_c, label="J")
    fig.supxlabel(rf"$(J u)_i = \sum_j J_{{ij}}\,u_j$, row i of J weighted by u"
                  "\n(backward(v) gives the other product, vᵀJ)"
                  "\n(colours: white is 0; u and J·u each on their own scale)", fontsize=10)
    fig.suptitle(title or f"J·u: how {y_name} moves when {x_name} moves along u (forward mode)",
                 fontsize=12)
    return fig


def summed_axes(shape, out_shape):
    """The axes of ``out_shape`` a gradient is summed over to return to ``shape``: the leading
    axes broadcasting added, and the axes where ``shape`` has 1 and the output more."""
    lead = len(out_shape) - len(shape)
    return tuple(range(lead)) + tuple(lead + i for i, (a, b) in
                                      enumerate(zip(shape, out_shape[lead:])) if a == 1 and b != 1)


def _as_grid(values, ndim):
    """A value as a 2-d grid laid out as broadcasting aligns it (a 1-d value is a row)."""
    a = np.asarray(values, dtype=np.float64)
    return a.reshape((1,) * (2 - a.ndim) + a.shape) if a.ndim < 2 else a


def broadcast_figure(f, *inputs, gradient=None, names=None):
    """Figure: for ``out = f(*inputs)`` with broadcasting (out at most 2-d), one row per input:
    its value, the gradient reaching each element of its broadcast copy (out's shape), and that
    gradient summed over the broadcast axes (the input's shape: its ``.grad``).

    gradient: the upstream gradient (out's shape; default ones). names: the inputs' names.
    """
    if not inputs:
        raise TypeError("broadcast_figure() needs at least one input tensor")
    names = list(names) if names is not None else [chr(ord("a") + i) for i in range(len(inputs))]
    leaves = [_leaf(x) for x in inputs]
    out = _call(f, *leaves)
    if out.dim() > 2:
        raise ValueError(f"broadcast_figure draws outputs of at most 2 dimensions, got "
                         f"shape {tuple(out.shape)}")
    seed = _seed(out, gradient)
    grads = (_grad(out, leaves, seed, retain_graph=True, allow_unused=True)
             if out.requires_grad else [None] * len(leaves))
    # Each input copied out to out's shape, as a leaf of its own: its gradient is the one the
    # engine sums back to the input's shape.
    copies = [minigrad.tensor(np.broadcast_to(t.detach().numpy(), tuple(out.shape)).copy(),
                              dtype=t.dtype, requires_grad=True) for t in leaves]
    out_copy = _call(f, *copies)
    spread = (_grad(out_copy, copies, seed, allow_unused=True)
              if out_copy.requires_grad else [None] * len(copies))
    if not _elementwise(out, out_copy, leaves, grads, spread):
        raise ValueError("broadcast_figure needs an elementwise op: f of the inputs broadcast "
                         "to the output's shape must give the same output and gradients")
    k = len(leaves)
    r, c = _as_grid(out.detach().numpy(), out.dim()).shape
    cell = _size(r, c)
    fig = Figure(figsize=(cell * 3 * c + 4.5, (cell * r + 1.0) * k + 0.8), layout="constrained")
    grid = fig.add_gridspec(k, 3, width_ratios=[c, c, c], wspace=0.12)
    for i, (name, leaf, g, g_copy) in enumerate(zip(names, leaves, grads, spread)):
        shape = tuple(leaf.shape)
        axes = summed_axes(shape, tuple(out.shape))
        full = np.zeros(tuple(out.shape)) if g_copy is None else g_copy.numpy()
        summed = np.zeros(shape) if g is None else g.numpy()
        panels = [_as_grid(leaf.detach().numpy(), len(shape)), _as_grid(full, out.dim()),
                  _as_grid(summed, len(shape))]
        labels = [name, f"{name} spread", f"{name}.grad"]
        row = [fig.add_subplot(grid[i, j]) for j in range(3)]
        for ax, data, label in zip(row, panels, labels):
            # equal aspect: an input is drawn at its own size beside the broadcast output
            _heatmap(ax, data, _norm(data), _annotate_ok(*data.shape), label, aspect="equal")
        row[0].set_title(f"{name}: shape {list(shape)}", fontsize=10)
        row[1].set_title(f"gradient reaching each element\nof {name} broadcast to "
                         f"{list(out.shape)}", fontsize=10)
        row[2].set_title(f"{name}.grad: shape {list(shape)}", fontsize=10)
        where = ("Σ over axis " + ", ".join(str(a) for a in axes)) if axes else "no sum"
        _arrow(fig, row[1], row[2], where)
    fig.suptitle(f"Broadcasting undone: out = f({', '.join(names)}) has shape "
                 f"{list(out.shape)}\neach gradient is summed back to its input's shape "
                 f"over the axes it was broadcast along", fontsize=11)
    return fig


def _elementwise(out, out_copy, leaves, grads, spread):
    """True when f treats a broadcast input as its copies (the same output, and gradients that
    sum back to the engine's), which holds for elementwise ops and not e.g. for matmul."""
    if tuple(out_copy.shape) != tuple(out.shape):
        return False
    if not np.allclose(out_copy.detach().numpy(), out.detach().numpy(), equal_nan=True):
        return False
    for leaf, g, g_copy in zip(leaves, grads, spread):
        if (g is None) != (g_copy is None):
            return False
        if g is not None:
            axes = summed_axes(tuple(leaf.shape), tuple(out.shape))
            back = g_copy.numpy().sum(axis=axes).reshape(tuple(leaf.shape))
            if not np.allclose(back, g.numpy(), rtol=1e-5, atol=1e-6):
                return False
    return True


def _arrow(fig, left, right, text):
    """A labelled arrow from the right edge of axes ``left`` to the left edge of ``right``."""
    from matplotlib.patches import ConnectionPatch
    arrow = ConnectionPatch(xyA=(1.02, 0.5), coordsA=left.transAxes, xyB=(-0.02, 0.5),
                            coordsB=right.transAxes, arrowstyle="-|>", color="#333333", lw=1.5,
                            mutation_scale=14)
    fig.add_artist(arrow)
    right.annotate(text, xy=(-0.02, 0.5), xycoords="axes fraction", xytext=(-4, 6),
                   textcoords="offset points", ha="right", va="bottom", fontsize=10)
