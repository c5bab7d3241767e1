"""What ``ops`` calls as ``F.<name>``: forwards on numpy arrays that numpy alone does not give
(PyTorch's results for edge cases), and the helpers of the VJPs, written as tensor code so that
``create_graph=True`` can differentiate them."""
import numpy as np

from .._graph import apply
from ._common import _new, _op
from .elementwise import where


# ---- forwards on numpy arrays, and the VJPs of indexing and cat ----------------------------
def sign_forward(x):
    """sign(x): −1, 0 or 1; 0 for NaN, and a bool stays itself (as PyTorch computes it)."""
    if x.dtype == np.bool_:
        return x.copy()
    out = np.sign(x)
    if x.dtype.kind == "f":
        out = np.where(np.isnan(x), x.dtype.type(0), out)
    return out


def power(x, y):
    """x ** y elementwise; an integer to a negative integer power is 0 unless |x| = 1, as
    PyTorch computes it (numpy refuses)."""
    x, y = np.asarray(x), np.asarray(y)
    if x.dtype.kind in "iub" and y.dtype.kind in "iu" and (y < 0).any():
        dtype = np.result_type(x, y)
        odd = (y % 2).astype(bool)
        negative = np.where(x == 1, 1, np.where(x == -1, np.where(odd, -1, 1), 0))
        return np.where(y < 0, negative, np.power(x, np.maximum(y, 0))).astype(dtype)
    return np.power(x, y)


def rounded_divide(x, y, mode):
    """x / y rounded down ("floor") or toward zero ("trunc"), in the inputs' dtype."""
    if mode == "floor":
        return np.floor_divide(x, y)
    q = np.trunc(np.true_divide(x, y))
    return q if x.dtype.kind == "f" else q.astype(x.dtype)


def expand_view(x, shape):
    """x broadcast to ``shape`` as a view that can be written where x can (PyTorch's expanded
    tensors are writable; in-place ops other than fill_, zero_ and setitem refuse them)."""
    lead = len(shape) - x.ndim
    strides = (0,) * lead + tuple(0 if n == 1 and s != 1 else st for n, s, st in zip(
        x.shape, shape[lead:], x.strides))
    return np.lib.stride_tricks.as_strided(x, shape, strides, writeable=x.flags.writeable)


def index_forward(x, key):
    """x[key] as an array: one selected element stays a 0-d view (numpy would copy a scalar)."""
    out = x[key]
    return out if isinstance(out, np.ndarray) else x[key + (Ellipsis,)]


def index_scatter(g, shape, key):
    """The VJP of indexing: g placed into zeros of ``shape`` at ``key`` (+= on repeats)."""
    return apply(_op("index_scatter"), g, shape=shape, key=key)


def scatter_forward(x, shape, key):
    out = np.zeros(shape, dtype=x.dtype)
    np.add.at(out, key, x)
    return out


def index_put_forward(x, v, key):
    out = x.copy()
    out[key] = v
    return out


def mask_out(g, key):
    """g with zeros at ``key`` (what flows to a tensor whose entries were overwritten)."""
    keep = np.ones(g.shape, dtype=bool)
    keep[key] = False
    return g * _new(keep)


def split_blocks(g, shapes, dim):
    """g cut along ``dim`` into blocks of the given shapes (the VJP of cat)."""
    out, start = [], 0
    for s in shapes:
        out.append(g[(slice(None),) * dim + (slice(start, start + s[dim]),)])
        start += s[dim]
    return tuple(out)


# ---- helpers of the VJPs in ops (tensor code, so create_graph can differentiate them) -----
def prod_others(x, out, dim, keepdim):
    """Πⱼ≠ᵢ xⱼ along the reduced dims, for every i (exact even where x has zeros)."""
    if not (x._data == 0).any():
        from ..ops import _unreduce
        return _unreduce(out, x.shape, dim, keepdim) / x
    if dim is None:
        return prod_others(x.reshape(-1), None, (0,), False).reshape(x.shape)
    d = dim[0]
    n = x.shape[d]
    eye = np.eye(n, dtype=bool).reshape((n,) + (1,) * d + (n,) + (1,) * (x.ndim - d - 1))
    others = where(_new(eye), 1.0, x.unsqueeze(0)).prod(d + 1)  # (n, ...) with axis d removed
    return others.permute(tuple(range(1, d + 1)) + (0,) + tuple(range(d + 1, x.ndim)))


def evenly_distribute(g, x, out, dim, keepdim):
    """max/min's VJP: the gradient shared equally by the elements equal to the extremum."""
    from ..ops import _unreduce
    mask = (x == _unreduce(out, x.shape, dim, keepdim).detach())
    count = mask.sum(dim, keepdim=True) if dim is not None else mask.sum()
    return _unreduce(g, x.shape, dim, keepdim) * mask / count


def pick_along(x, dim, keepdim, indices):
    """x's elements at ``indices`` along ``dim`` (max/min along a dim; a 0-d x is its value)."""
    if x.ndim == 0:
        return x.copy()
    return np.take_along_axis(x, indices if keepdim else np.expand_dims(indices, dim),
                              dim).reshape(indices.shape)


def scatter_onehot(g, shape, dim, keepdim, indices):
    """max/min-along-dim's VJP: g placed at the arg-extremum of each slice."""
    if not shape:
        return g
    idx = indices if keepdim else np.expand_dims(indices, dim)
    onehot = np.arange(shape[dim]).reshape((-1,) + (1,) * (len(shape) - dim - 1)) == idx
    if not keepdim:
        g = g.unsqueeze(dim)
    return g * _new(onehot)


def clamp_bound_vjp(g, x, bound, which):
    """clamp with one tensor bound: z̄ to x where x is kept, to the bound where it is taken."""
    kept = x >= bound if which == "min" else x <= bound
    return where(kept, g, 0.0), where(kept, 0.0, g)


def clamp_bounds_vjp(g, x, low, high):
    """clamp with tensor bounds (PyTorch's rule: where low > high the result is high)."""
    return (where((x >= low) & (x <= high), g, 0.0), where((x < low) & (low < high), g, 0.0),
            where((x > high) | (high < low), g, 0.0))


def vector_norm_forward(x, p, dim, keepdim):
    a = np.abs(x)
    if p == float("inf"):
        return np.max(a, axis=dim, keepdims=keepdim)
    if p == -float("inf"):
        return np.min(a, axis=dim, keepdims=keepdim)
    if p == 0:  # the number of nonzero elements
        return np.sum(a != 0, axis=dim, keepdims=keepdim).astype(x.dtype)
    if p == 2:
        return np.sqrt(np.sum(a * a, axis=dim, keepdims=keepdim))
    if p == 1:
        return np.sum(a, axis=dim, keepdims=keepdim)
    return np.power(np.sum(np.power(a, p), axis=dim, keepdims=keepdim), 1.0 / p).astype(x.dtype)


def vector_norm_vjp(g, x, out, p, dim, keepdim):
    """x̄ = z̄·sign(x)·|x|ᵖ⁻¹ / zᵖ⁻¹ (0 where the norm is 0), as PyTorch's norm_backward."""
    from ..ops import _unreduce
    g = _unreduce(g, x.shape, dim, keepdim)
    z = _unreduce(out, x.shape, dim, keepdim)
    if p == 1:
        return g * x.sign()
    if p == 0:
        return g * 0.0
    if p in (float("inf"), -float("inf")):  # the gradient is shared by the elements of largest |x|
        peak = x.abs() == z.detach()
        count = peak.sum(dim, keepdim=True) if dim is not None else peak.sum()
        return g * x.sign() * peak / count
    safe = where(z == 0, 1.0, z)  # no 0/0 warning: where the norm is 0 the gradient is 0
    if p == 2:
        return where(z == 0, 0.0, g * x / safe)
    return where(z == 0, 0.0, g * x * x.abs() ** (p - 2) / safe ** (p - 1))


def logsumexp_forward(x, dim, keepdim):
    m = np.max(x, axis=dim, keepdims=True)
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(x - m), axis=dim, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=dim)


def softmax_forward(x, dim):
    if x.size == 0:
        return x.copy()
    e = np.exp(x - np.max(x, axis=dim, keepdims=True))
    return e / np.sum(e, axis=dim, keepdims=True)


def log_softmax_forward(x, dim):
    if x.size == 0:
        return x.copy()
    shifted = x - np.max(x, axis=dim, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=dim, keepdims=True))
