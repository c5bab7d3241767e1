"""minigrad: a small autograd engine on numpy that behaves (and prints) like PyTorch's.

    import minigrad as torch
    x = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    out = (3 * (x + 2) ** 2).mean()
    out.backward()
    x.grad  # tensor([[4.5000, 6.0000], [7.5000, 9.0000]])

Where things are: ``ops`` (every op with its derivative), ``_engine`` (the backward loop),
``_tensor`` (the Tensor), ``_functional`` (the functions you call), ``autograd`` (backward, grad).
"""
from . import _dtype, _functional, _tensor
from . import ops  # noqa: F401  (fills the registry)
from . import _fill  # noqa: F401  (in-place random fills, index_copy_: Tensor methods)
from ._creation import (arange, as_tensor, default_generator, empty, empty_like, eye, from_numpy,
                        full, full_like, initial_seed, linspace, manual_seed, normal, ones,
                        ones_like, rand, rand_like, randint, randn, randn_like, randperm, seed,
                        tensor, zeros, zeros_like)
from ._dtype import (bool, double, dtype, float, float16, float32, float64, get_default_dtype,
                     half, int, int8, int16, int32, int64, long, promote_types, short, uint8)
from ._functional import (abs, add, all, allclose, amax, amin, any, argmax, argmin, cat, ceil,
                          chunk, clamp, clip, clone, concat, concatenate, cos, div, dot, eq,
                          equal, exp, flatten, floor, floor_divide, ge, gt, is_floating_point,
                          is_tensor, isclose, isfinite, isinf, isnan, le, log, log_softmax,
                          logical_not, logsumexp, lt, matmul, max, maximum, mean, min, minimum,
                          mm, mul, mv, ne, neg, nonzero, norm, numel, outer, permute, pow, prod,
                          reciprocal, relu, remainder, reshape, round, rsqrt, select, sigmoid,
                          sign, sin, softmax, split, sqrt, square, squeeze, stack, sub, sum, t,
                          tanh, transpose, true_divide, trunc, unbind, unsqueeze, where)
globals().update(_functional.checked_namespace(globals()))  # torch.exp("a"): PyTorch's TypeError
from ._grad_mode import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from ._printing import get_printoptions, printoptions, set_printoptions
from ._tensor import Size, Tensor
from ._functional import meshgrid
from ._generator import Generator
from ._device import device, get_default_device, set_default_device
from ._anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled, set_anomaly_enabled
from . import autograd  # noqa: E402
from . import nn  # noqa: E402
from . import optim  # noqa: E402
from . import accelerator, backends, cuda  # noqa: E402,F401
from . import utils  # noqa: E402,F401
from .serialization import load, save  # noqa: E402

__version__ = "0.1.0"
FloatTensor = DoubleTensor = LongTensor = Tensor  # legacy names, for isinstance checks


def result_type(tensor1, tensor2):
    """The dtype an op on these two operands computes in (PyTorch's promotion)."""
    return _dtype.result_type(_tensor.as_operand(tensor1), _tensor.as_operand(tensor2))

from . import _out  # noqa: E402  (out=: the functions that take it, as in PyTorch)
for _name in _out.OPS_WITH_OUT + _out.FACTORIES_WITH_OUT:
    globals()[_name] = _out.supporting_out(globals()[_name], _name in _out.FACTORIES_WITH_OUT)
del _name
