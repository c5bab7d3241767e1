"""The namespace the VJPs of ``ops`` are written in: every function takes numpy arrays or tensors.

A plain backward pass (``create_graph=False``) runs each VJP on numpy arrays: nothing will
differentiate the gradients again, so recording them would be wasted work. With
``create_graph=True`` the engine hands the very same VJP tensors instead, and every op it runs is
recorded, so the gradient can be differentiated in turn. One VJP, two kinds of values: HIPS
autograd's idea (its VJPs are written against a numpy namespace that also takes traced values).

Python operators (``+ * / ** @``, comparisons, ``g[key]``) already work on both kinds; this module
is the rest. Each function looks at what it is given: any tensor among its arguments means the
tensor function (recorded), otherwise numpy.

This is where the one loop in minigrad's imports is closed: the registry (``ops``) imports this
module for its VJPs, and on tensors this module calls the registry and the functions users call
(``_functional``), which apply registry ops in turn. Those two imports are made at call time.
"""
import numpy as np

from . import _graph
from ._tensor import Tensor


def _registry(name, *xs, **attrs):
    """Registry op ``name`` on tensors (recorded), or its numpy forward on arrays."""
    from .ops import OPS  # the registry's VJPs are what call this module: read it at call time
    op = OPS[name]
    for x in xs:
        if isinstance(x, Tensor):
            return _graph.apply(op, *xs, **attrs)
    return op.forward(*xs, **{**op.defaults, **attrs})


def _unary(name):
    def fn(x):
        return _registry(name, x)
    fn.__name__ = name
    fn.__doc__ = f"{name}(x) elementwise, on an array or a tensor."
    return fn


exp, log, sin, cos, tanh, sigmoid, sign, abs, erf, softplus = (_unary(n) for n in (
    "exp", "log", "sin", "cos", "tanh", "sigmoid", "sign", "abs", "erf", "softplus"))


def const(like, array):
    """``array`` (a mask, weights: no gradient) in the kind of ``like``."""
    return Tensor._make(array) if isinstance(like, Tensor) else array


def numel(x):
    """Number of elements."""
    return x.numel() if isinstance(x, Tensor) else x.size


def shape(x):
    """The shape as a tuple."""
    return tuple(x.shape)


def detach(x):
    """x cut from the graph (arrays have none)."""
    return x.detach() if isinstance(x, Tensor) else x


def where(cond, a, b):
    """a where cond, else b."""
    if isinstance(cond, Tensor) or isinstance(a, Tensor) or isinstance(b, Tensor):
        from . import _functional  # above this module (the registry loop): read at call time
        return _functional.where(cond, a, b)
    return np.where(cond, a, b)


def sum(x, dim=None, keepdim=False):
    """Σ over ``dim`` (an int, a tuple, or None for every axis)."""
    if isinstance(x, Tensor):
        return x.sum() if dim is None and not keepdim else x.sum(
            tuple(range(x.ndim)) if dim is None else dim, keepdim=keepdim)
    return np.sum(x, axis=dim, keepdims=keepdim)


def prod(x, dim):
    """Π along ``dim``."""
    return x.prod(dim) if isinstance(x, Tensor) else np.prod(x, axis=dim)


def reshape(x, shape):
    """x with a new shape (same elements)."""
    return x.reshape(shape)


def expand(x, shape):
    """x broadcast to ``shape``."""
    return x.expand(shape) if isinstance(x, Tensor) else np.broadcast_to(x, shape)


def unsqueeze(x, dim):
    """x with a new axis of size 1 at ``dim``."""
    return x.unsqueeze(dim) if isinstance(x, Tensor) else np.expand_dims(x, dim)


def permute(x, dims):
    """x with its axes in the order ``dims``."""
    return x.permute(dims) if isinstance(x, Tensor) else np.transpose(x, dims)


def mT(x):
    """x with its last two axes swapped (the transpose of a matrix or of each in a batch)."""
    return x.transpose(-1, -2) if isinstance(x, Tensor) else np.swapaxes(x, -1, -2)


def select(x, dim, index):
    """The slice ``index`` along ``dim``."""
    return x.select(dim, index) if isinstance(x, Tensor) else np.take(x, index, axis=dim)


def clamp(x, min=None, max=None):
    """x limited to [min, max]."""
    if isinstance(x, Tensor):
        return x.clamp(min, max)
    return np.clip(x, min, max)


def scatter(g, shape, key):
    """g added into zeros of ``shape`` at ``key`` (+= where key repeats)."""
    return _registry("index_scatter", g, shape=shape, key=key)


def unreduce(g, shape, dim, keepdim):
    """A reduction's gradient given back its reduced axes (as size 1), then expanded to ``shape``."""
    if dim is None:  # a 0-d gradient (or one with every axis kept as 1) broadcasts as it is
        return expand(g, shape)
    if not keepdim:
        kept = list(shape)
        for d in dim:
            kept[d] = 1
        g = reshape(g, tuple(kept))
    return expand(g, shape)


def sum_to(g, shape):
    """Undo broadcasting, once for every op: ``g`` summed over the axes that were broadcast."""
    have = tuple(g.shape)
    if have == shape:
        return g
    if not shape:  # to a 0-d tensor: one plain sum (SumBackward0 with create_graph, as PyTorch)
        return sum(g)
    lead = len(have) - len(shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(shape) if n == 1 and have[i + lead] != 1)
    if axes:
        g = sum(g, axes, keepdim=True)
    return reshape(g, shape) if tuple(g.shape) != shape else g


def t(x):
    """The transpose of a matrix (``x.t()``, TBackward0, for tensors)."""
    return x.t() if isinstance(x, Tensor) else x.T


def index(x, key):
    """x[key]; on an array a single element stays a 0-d array (numpy gives a scalar)."""
    if isinstance(x, Tensor):
        return x[key]
    out = x[key]
    return out if isinstance(out, np.ndarray) else x[key + (Ellipsis,)]


def floor_divide(x, y):
    """⌊x / y⌋ (no gradient)."""
    if isinstance(x, Tensor) or isinstance(y, Tensor):
        from . import _functional  # above this module (the registry loop): read at call time
        return _functional.floor_divide(x, y)
    return np.floor_divide(x, y)


def dtype(x):
    """The numpy dtype of the values."""
    return x._data.dtype if isinstance(x, Tensor) else x.dtype


def any_zero(x):
    """True when some element is 0."""
    return bool(((x._data if isinstance(x, Tensor) else x) == 0).any())


# ---- helpers of the VJPs, written like them in this namespace --------------------------------
def clamp_bound_vjp(g, x, bound, which):
    """clamp with one tensor bound: z̄ to x where x is kept, to the bound where it is taken."""
    kept = x >= bound if which == "min" else x <= bound
    return where(kept, g, 0.0), where(kept, 0.0, g)


def clamp_bounds_vjp(g, x, low, high):
    """clamp with tensor bounds (PyTorch's rule: where low > high the result is high)."""
    return (where((x >= low) & (x <= high), g, 0.0), where((x < low) & (low < high), g, 0.0),
            where((x > high) | (high < low), g, 0.0))


def prod_others(x, out, dim, keepdim):
    """Πⱼ≠ᵢ xⱼ along the reduced dims, for every i (exact even where x has zeros)."""
    xs = shape(x)
    if not any_zero(x):
        return unreduce(out, xs, dim, keepdim) / x
    if dim is None:
        return reshape(prod_others(reshape(x, (-1,)), None, (0,), False), xs)
    d, ndim = dim[0], len(xs)
    n = xs[d]
    eye = np.eye(n, dtype=bool).reshape((n,) + (1,) * d + (n,) + (1,) * (ndim - d - 1))
    others = prod(where(const(x, eye), 1.0, unsqueeze(x, 0)), d + 1)  # axis d removed
    return permute(others, tuple(range(1, d + 1)) + (0,) + tuple(range(d + 1, ndim)))


def evenly_distribute(g, x, out, dim, keepdim):
    """max/min's VJP: the gradient shared equally by the elements equal to the extremum."""
    xs = shape(x)
    mask = x == detach(unreduce(out, xs, dim, keepdim))
    count = sum(mask, dim, keepdim=True) if dim is not None else sum(mask)
    return unreduce(g, xs, dim, keepdim) * mask / count


def scatter_onehot(g, shape, dim, keepdim, indices):
    """max/min-along-dim's VJP: g placed at the arg-extremum of each slice."""
    if not shape:
        return g
    idx = indices if keepdim else np.expand_dims(indices, dim)
    onehot = np.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1)) == idx
    if not keepdim:
        g = unsqueeze(g, dim)
    return g * const(g, onehot)


def vector_norm_vjp(g, x, out, p, dim, keepdim):
    """x̄ = z̄·sign(x)·|x|ᵖ⁻¹ / zᵖ⁻¹ (0 where the norm is 0), as PyTorch's norm_backward."""
    xs = shape(x)
    g = unreduce(g, xs, dim, keepdim)
    z = unreduce(out, xs, dim, keepdim)
    if p == 1:
        return g * sign(x)
    if p == 0:
        return g * 0.0
    if p in (float("inf"), -float("inf")):  # the gradient is shared by the elements of largest |x|
        peak = abs(x) == detach(z)
        count = sum(peak, dim, keepdim=True) if dim is not None else sum(peak)
        return g * sign(x) * peak / count
    safe = where(z == 0, 1.0, z)  # no 0/0 warning: where the norm is 0 the gradient is 0
    if p == 2:
        return where(z == 0, 0.0, g * x / safe)
    return where(z == 0, 0.0, g * x * abs(x) ** (p - 2) / safe ** (p - 1))


def mask_out(g, key):
    """g with zeros at ``key`` (what flows to a tensor whose entries were overwritten)."""
    keep = np.ones(shape(g), dtype=bool)
    keep[key] = False
    return g * const(g, keep)


def split_blocks(g, shapes, dim):
    """g cut along ``dim`` into blocks of the given shapes (the VJP of cat)."""
    out, start = [], 0
    for s in shapes:
        out.append(g[(slice(None),) * dim + (slice(start, start + s[dim]),)])
        start += s[dim]
    return tuple(out)
