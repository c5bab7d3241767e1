"""In-place random fills (``uniform_``, ``normal_``, ``random_``, ``bernoulli_``) and
``index_copy_``, as Tensor methods.

The numbers come from minigrad's generator (``manual_seed``, or the ``generator`` given): the
distributions are PyTorch's, the draws are not. Fills are not recorded in the graph (as for
``nn.init``); like PyTorch, they refuse a leaf that requires grad outside ``no_grad``.
"""
import numpy as np

from . import _creation
from . import _grad_mode
from ._tensor import Tensor


def _write(self, values):
    if _grad_mode._enabled and self._requires_grad and self.grad_fn is None:
        raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                           "operation.")
    self._data[...] = values
    self._vc[0] += 1
    return self


def uniform_(self, a=0.0, b=1.0, *, generator=None):
    """Fill with samples of U(a, b)."""
    return _write(self, _creation._rng_of(generator).uniform(a, b, self.shape))


def normal_(self, mean=0.0, std=1.0, *, generator=None):
    """Fill with samples of N(mean, std²)."""
    return _write(self, _creation._rng_of(generator).normal(mean, std, self.shape))


def random_(self, from_=0, to=None, *, generator=None, **kwargs):
    """Fill with random integers in [from, to) (``random_(n)``: [0, n))."""
    low = kwargs.pop("from", from_)
    if to is None:
        low, to = 0, low
    return _write(self, _creation._rng_of(generator).integers(low, to, self.shape))


def bernoulli_(self, p=0.5, *, generator=None):
    """Fill with 1 with probability p, else 0."""
    return _write(self, _creation._rng_of(generator).random(self.shape) < float(p))


def index_copy_(self, dim, index, source, _name="index_copy_"):
    """self[..., index[i], ...] = source[..., i, ...] along ``dim``, in place
    (IndexCopyBackward0: the gradient of source is the upstream gradient at ``index``)."""
    from . import _functional
    from .ops import OPS
    if index._data.dtype != np.int64:
        raise RuntimeError(f"{_name}(): Expected a long tensor for index, but got "
                           f"{_functional._type_word(index)}")
    d = dim % max(self.ndim, 1)
    n = index.numel()
    if source.ndim and n != source.shape[d]:
        raise IndexError(f"{_name}(): Number of indices ({n}) should be equal to "
                         f"source.size(dim) ({source.shape[d]})")
    key = (slice(None),) * d + (index._data.reshape(-1),)
    return _functional._inplace(self, OPS["index_put"], source, key=key,
                                name="IndexCopyBackward0")


def index_copy(self, dim, index, source):
    """A copy of self with ``index_copy_`` applied."""
    return index_copy_(self.clone(), dim, index, source, _name="index_copy")


for _fn in (uniform_, normal_, random_, bernoulli_, index_copy_, index_copy):
    setattr(Tensor, _fn.__name__, _fn)
del _fn
