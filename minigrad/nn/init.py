"""``nn.init``: fill parameters in place with PyTorch's initialisation schemes.

The numbers come from minigrad's generator (``minigrad.manual_seed``), not PyTorch's: the
distributions match, the draws do not.
"""
import math
import warnings

import numpy as np

from .._grad_mode import no_grad
from .._tensor import Tensor

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "zeros_", "ones_",
           "kaiming_uniform_", "kaiming_normal_", "xavier_uniform_", "xavier_normal_"]


def calculate_gain(nonlinearity, param=None):
    """The recommended gain for a nonlinearity (√2 for relu, 5/3 for tanh, ...)."""
    linear_fns = ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                  "conv_transpose2d", "conv_transpose3d"]
    if nonlinearity in linear_fns or nonlinearity == "sigmoid":
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope ** 2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def _fill(tensor, values):
    """Write ``values`` into the tensor's storage (not recorded; bumps its version)."""
    if not isinstance(values, (int, float, np.number, np.ndarray, Tensor)):
        raise TypeError(f"fill_() received an invalid combination of arguments - got "
                        f"({type(values).__name__}), but expected one of:\n * (Tensor value)\n"
                        " * (Number value)\n")
    with no_grad():
        tensor._data[...] = values
        tensor._vc[0] += 1
    return tensor


def uniform_(tensor, a=0.0, b=1.0, generator=None):
    """Fill with U(a, b) (``Tensor.uniform_``, not recorded)."""
    _check_tensor(tensor, "uniform_")
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor, mean=0.0, std=1.0, generator=None):
    """Fill with N(mean, std²) (``Tensor.normal_``, not recorded)."""
    _check_tensor(tensor, "normal_")
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def _check_tensor(tensor, method):
    """What PyTorch's nn.init meets for a non-tensor: the missing method."""
    if not isinstance(tensor, Tensor):
        raise AttributeError(f"'{type(tensor).__name__}' object has no attribute '{method}'")





def constant_(tensor, val):
    """Fill with ``val``."""
    _check_tensor(tensor, "fill_")
    return _fill(tensor, val)


def zeros_(tensor):
    _check_tensor(tensor, "zero_")
    return _fill(tensor, 0)


def ones_(tensor):
    _check_tensor(tensor, "fill_")
    return _fill(tensor, 1)


def _calculate_fan_in_and_fan_out(tensor):
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive = int(np.prod(tensor.shape[2:])) if tensor.dim() > 2 else 1
    return tensor.shape[1] * receptive, tensor.shape[0] * receptive


def _fan(tensor, mode):
    mode = mode.lower()
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"Mode {mode} not supported, please use one of ['fan_in', 'fan_out']")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def kaiming_uniform_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Fill with U(−b, b), b = gain·√(3 / fan): He initialisation."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def kaiming_normal_(tensor, a=0, mode="fan_in", nonlinearity="leaky_relu", generator=None):
    """Fill with N(0, std²), std = gain / √fan: He initialisation."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op")
        return tensor
    std = calculate_gain(nonlinearity, a) / math.sqrt(_fan(tensor, mode))
    return normal_(tensor, 0, std)


def xavier_uniform_(tensor, gain=1.0, generator=None):
    """Fill with U(−b, b), b = gain·√(6 / (fan_in + fan_out)): Glorot initialisation."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    std = gain * math.sqrt(2.0 / float(fan_in + fan_out))
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound)


def xavier_normal_(tensor, gain=1.0, generator=None):
    """Fill with N(0, std²), std = gain·√(2 / (fan_in + fan_out)): Glorot initialisation."""
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return normal_(tensor, 0, gain * math.sqrt(2.0 / float(fan_in + fan_out)))
