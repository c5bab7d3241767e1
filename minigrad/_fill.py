"""In-place random fills (``uniform_``, ``normal_``, ``random_``, ``bernoulli_``) and
``index_copy_``, as Tensor methods.

The numbers come from minigrad's generator (``manual_seed``, or the ``generator`` given): the
distributions are PyTorch's, the draws are not. Fills are not recorded in the graph (as for
``nn.init``); like PyTorch, they refuse a leaf that requires grad outside ``no_grad``.
"""
import math

import numpy as np

from . import _args
from . import _creation
from . import _functional
from . import _grad_mode
from ._tensor import Tensor, _wrap_dim
from .ops import OPS


def _write(self, values):
    if _grad_mode._enabled and self._requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    self._data[...] = values
    self._vc[0] += 1
    return self


def _target(self, kernel=None):
    """``self`` checked as the tensor a fill writes: a floating one for a continuous
    distribution's ``kernel``, and not an expanded view (PyTorch's errors)."""
    if kernel is not None:
        _args.floating(self, kernel)
    _functional.check_no_overlap(self)


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with samples of U(a, b)."""
    _target(self, "check_uniform_bounds")
    for k, (name, bound) in enumerate((("from", a), ("to", b))):
        if not math.isfinite(_args.float_arg(bound, name, "uniform_", k + 1)):
            raise RuntimeError(f"{name} is out of bounds for float")
    return _write(self, _creation._rng_of(generator).uniform(a, b, self.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std²)."""
    _target(self, "normal_kernel_cpu")
    mean = _args.float_arg(mean, "mean", "normal_", 1)
    std = _args.float_arg(std, "std", "normal_", 2)
    if not std >= 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_args.number_text(std)}")
    return _write(self, _creation._rng_of(generator).normal(mean, std, self.shape))


def _random_top(self):
    """The exclusive upper end of ``random_()``: every integer the dtype holds exactly
    (2^24 + 1 for float32, 2^53 + 1 for float64, 2^63 for int64, 2 for bool)."""
    kind = self._data.dtype
    if kind == np.bool_:
        return 2
    if kind.kind == "f":
        return 2 ** (np.finfo(kind).nmant + 1) + 1
    return int(np.iinfo(kind).max) + 1


def random_(self, *args, generator=None, **kwargs):
    """Fill with random integers in [from, to) (``random_(n)``: [0, n); ``random_()``: every
    integer the dtype holds exactly)."""
    _target(self)
    names = ("from", "to")
    given = dict(zip(names, args))
    given.update({k: kwargs.pop(k) for k in names if k in kwargs})
    if kwargs:
        raise TypeError(f"random_() got an unexpected keyword argument '{next(iter(kwargs))}'")
    low = _args.int_arg(given.get("from", 0), "from", "random_", 1)
    to = given.get("to")
    if to is None:
        low, to = (0, low) if "from" in given else (0, _random_top(self))
    else:
        to = _args.int_arg(to, "to", "random_", 2)
    if not low < to:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= "
                           f"to={to}")
    return _write(self, _creation._rng_of(generator).integers(low, to, self.shape,
                                                              dtype=np.int64))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability p, else 0."""
    _target(self)
    p = p._data if isinstance(p, Tensor) else _args.float_arg(p, "p", "bernoulli_", 1)
    if not np.all((p >= 0) & (p <= 1)):
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={p}")
    return _write(self, _creation._rng_of(generator).random(self.shape) < p)


def _check_index_copy(self, dim, index, source, who):
    """index_copy's arguments checked in PyTorch's order, with its errors (every message says
    ``index_copy_()``, as PyTorch's do); returns dim made non-negative."""
    dim = _args.dim_type(dim, who, "dim", 1)
    for k, (name, t) in enumerate((("index", index), ("source", source))):
        if not isinstance(t, Tensor):
            raise TypeError(f"{who}(): argument '{name}' (position {k + 2}) must be Tensor, not "
                            f"{_args.type_name(t)}")
    dim = _wrap_dim(dim, self.ndim)
    if index.ndim >= 2:
        raise IndexError(f"index_copy_(): Index should have dimension 1 or 0 (got {index.ndim})")
    n = index.numel()
    if source.ndim == 0 and n != 1:
        raise IndexError(f"index_copy_(): When source is scalar, index should have one element "
                         f"(got {n})")
    if source.ndim != self.ndim and source.ndim and self.ndim:
        raise IndexError(f"index_copy_(): When source and destination are not scalars, their "
                         f"dimensionality must match. Source dimensionality ({source.ndim}), "
                         f"destination dimensionality ({self.ndim})")
    if index._data.dtype != np.int64:
        raise RuntimeError(f"index_copy_(): Expected a long tensor for index, but got "
                           f"{_functional._type_word(index)}")
    if self.dtype is not source.dtype:
        raise RuntimeError(f"index_copy_(): self and source expected to have the same dtype, but "
                           f"got (self) {_functional._type_word(self)} and (source) "
                           f"{_functional._type_word(source)}")
    dest = [s for k, s in enumerate(self.shape) if k != dim]
    src = [s for k, s in enumerate(source.shape) if k != dim]
    if dest != src:
        raise RuntimeError(f"index_copy_(): Source/destination tensor must have same slice "
                           f"shapes. Destination slice shape: {' '.join(map(str, dest))} at dimension "
                           f"{dim} and source slice shape: {' '.join(map(str, src))} at dimension "
                           "0.")
    if source.ndim and n != source.shape[dim]:
        raise IndexError(f"index_copy_(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({source.shape[dim]})")
    size = self.shape[dim] if self.ndim else 1
    bad = index._data[(index._data < 0) | (index._data >= size)]
    if bad.size:
        raise IndexError(f"index_copy_(): index {int(bad.reshape(-1)[0])} is out of bounds for "
                         f"dimension {dim} with size {size}")
    return dim


def index_copy_(self, dim, index, source):
    """self[..., index[i], ...] = source[..., i, ...] along ``dim``, in place
    (IndexCopyBackward0: the gradient of source is the upstream gradient at ``index``)."""
    dim = _check_index_copy(self, dim, index, source, "index_copy_")
    _functional.check_no_overlap(self)
    return _copy_at(self, dim, index, source)


def _copy_at(self, dim, index, source):
    if self.ndim == 0:  # a 0-d self and source: index is [0]
        return _functional._inplace(self, OPS["index_put"], source.reshape(()), key=(),
                                    name="IndexCopyBackward0")
    key = (slice(None),) * dim + (index._data.reshape(-1),)
    if source.ndim == 0:
        source = source.reshape(1)
    return _functional._inplace(self, OPS["index_put"], source, key=key,
                                name="IndexCopyBackward0")


def index_copy(self, dim, index, source):
    """A copy of self with ``index_copy_`` applied."""
    dim = _check_index_copy(self, dim, index, source, "index_copy")
    return _copy_at(self.clone(), dim, index, source)


for _fn in (uniform_, normal_, random_, bernoulli_, index_copy_, index_copy):
    setattr(Tensor, _fn.__name__, _fn)
del _fn
