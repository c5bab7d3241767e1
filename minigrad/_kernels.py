"""Forwards on numpy arrays that numpy alone does not give: PyTorch's results for the edge cases
(sign of NaN, integers to negative powers, a selected element as a 0-d view, expanded views that
can be written), for the op registry (``ops``) and the functions that index."""
import numpy as np


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


def scatter_forward(x, shape, key):
    out = np.zeros(shape, dtype=x.dtype)
    np.add.at(out, key, x)
    return out


def index_put_forward(x, v, key):
    out = x.copy()
    out[key] = v
    return out


def pick_along(x, dim, keepdim, indices):
    """x's elements at ``indices`` along ``dim`` (max/min along a dim; a 0-d x is its value)."""
    if x.ndim == 0:
        return x.copy()
    return np.take_along_axis(x, indices if keepdim else np.expand_dims(indices, dim),
                              dim).reshape(indices.shape)


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
