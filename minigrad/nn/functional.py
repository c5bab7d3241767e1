"""``minigrad.nn.functional``: activations, the linear layer and losses as functions.

Built from registry ops: ``linear`` is ``addmm`` (AddmmBackward0, as in PyTorch),
``mse_loss`` and ``nll_loss`` are primitives (MseLossBackward0, NllLossBackward0), and
``cross_entropy`` is ``nll_loss(log_softmax(input, 1), target)``.
"""
import warnings

import numpy as np

from .. import _args
from .. import _functional as _F
from .._graph import apply
from .._tensor import Tensor

__all__ = ["relu", "tanh", "sigmoid", "softmax", "log_softmax", "linear", "mse_loss",
           "nll_loss", "cross_entropy"]


def _op(name):
    from ..ops import OPS
    return OPS[name]


def relu(input, inplace=False):
    """max(input, 0) elementwise (in place with ``inplace=True``)."""
    return input.relu_() if inplace else _F.relu(input)


def tanh(input):
    """tanh(input) elementwise."""
    return input.tanh()


def sigmoid(input):
    """1 / (1 + exp(−input)) elementwise."""
    return input.sigmoid()


def _softmax_dim(name, ndim, stacklevel):
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to "
                  "include dim=X as an argument.", stacklevel=stacklevel)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input, dim=None, _stacklevel=3, dtype=None):
    """exp(input) / Σ exp(input) along ``dim``."""
    if dim is None:
        dim = _softmax_dim("softmax", input.dim(), _stacklevel)
    return input.softmax(dim, dtype=dtype)


def log_softmax(input, dim=None, _stacklevel=3, dtype=None):
    """input − log Σ exp(input) along ``dim`` (computed stably)."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.dim(), _stacklevel)
    return input.log_softmax(dim, dtype=dtype)


def linear(input, weight, bias=None):
    """input @ weightᵀ + bias: (*, in) × (out, in) → (*, out)."""
    for k, (name, t) in enumerate((("input", input), ("weight", weight), ("bias", bias))):
        if t is not None or k < 2:  # checked inline: the hottest function of a training loop
            _F._check_tensor(t, "linear", name, k + 1)
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError(f"both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    if bias is not None:  # addmm's checks, in its order
        if weight.dim() != 2:
            raise RuntimeError(f"mat2 must be a matrix, got {weight.dim()}-D tensor")
        for what, a, b in (("self", bias, weight), ("mat1", input, weight)):
            if a._data.dtype != b._data.dtype:
                raise RuntimeError(f"{what} and mat2 must have the same dtype, but got "
                                   f"{_type_name(a)} and {_type_name(b)}")
    if input.shape[-1] != weight.shape[-1]:
        rows = int(np.prod(input.shape[:-1], dtype=np.int64))
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({rows}x{input.shape[-1]} "
                           f"and {weight.shape[-1]}x{weight.shape[0]})")
    if bias is None:
        return _F.matmul(input, weight.t())
    if bias._data.shape != (weight.shape[0],):  # PyTorch's error if it does not broadcast
        _F.expanded_shape(bias, tuple(input.shape[:-1]) + (weight.shape[0],))
    if input.dim() == 2:
        return apply(_op("addmm"), bias, input, weight.t())
    flat = input.reshape(-1, input.shape[-1])
    out = apply(_op("addmm"), bias, flat, weight.t())
    return out.view(*input.shape[:-1], weight.shape[0])


def _reduction(reduction, size_average=None, reduce=None):
    """The reduction name, from the legacy ``size_average``/``reduce`` flags when given."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = "none" if not reduce else ("mean" if size_average else "sum")
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", stacklevel=3)
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum, or each) of (input − target)²."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=2)
    _F._check_broadcast(input, target)
    if weight is not None:
        raise NotImplementedError("minigrad's mse_loss has no weight argument")
    return apply(_op("mse_loss"), input, target, reduction=reduction)


def _check_target(input, target):
    """PyTorch's checks of class-index targets, in its order: dims, batch size, dtype."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    if input.dim() == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.shape[0]}")
    n_t = target.shape[0] if target.dim() > 0 else 0
    if input.dim() > 1 and input.shape[0] != n_t:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({n_t}).")
    if target._data.dtype.kind not in "iu":
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_type_name(target)}")


def _check_class_weight(input, weight):
    """A class weight: one per class, of the input's dtype (PyTorch's errors)."""
    if weight is None:
        return
    n_classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    if weight.dim() != 1 or weight.shape[0] != n_classes:
        raise RuntimeError(f"weight tensor should be defined either for all {n_classes} classes "
                           f"or no classes but got weight tensor of shape: "
                           f"[{', '.join(map(str, weight.shape))}]")
    if weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found "
                           f"{_type_name(weight)}")


def _type_name(t):
    return t.dtype.legacy[:-6]  # "Float", "Long": the tensor type without "Tensor"


@_args.tensors("input", "target", optional=("weight",))
def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
             reduction="mean"):
    """−input[n, target[n]]·weight[target[n]], averaged over the weights (or summed, or each);
    input (N, C, …) of log-probabilities or (C,), target class indices (N, …) or ()."""
    reduction = _reduction(reduction, size_average, reduce)
    ignore_index = _args.int_arg(ignore_index, "ignore_index", "nll_loss_nd", 5)
    _check_target(input, target)
    _check_class_weight(input, weight)
    if not input.is_floating_point():
        raise NotImplementedError(f"\"nll_loss_out_frame\" not implemented for "
                                  f"'{input.dtype.legacy[:-6]}'")
    t = target._data.astype(np.int64)
    n_classes = input.shape[1] if input.dim() > 1 else input.shape[0]
    bad = t[(t != ignore_index) & ((t < 0) | (t >= n_classes))]
    if bad.size:
        raise IndexError(f"Target {int(bad.reshape(-1)[0])} is out of bounds.")
    w = None if weight is None else weight._data
    return apply(_op("nll_loss"), input, target=t, weight=w, ignore_index=ignore_index,
                 reduction=reduction)


@_args.tensors("input", "target", optional=("weight",))
def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """The cross-entropy of logits ``input`` (N, C, …) or (C,) against class indices, or
    against class probabilities of input's shape: nll_loss(log_softmax(input, 1), target)."""
    reduction = _reduction(reduction, size_average, reduce)
    ignore_index = _args.int_arg(ignore_index, "ignore_index", "cross_entropy_loss", 5)
    label_smoothing = _args.float_arg(label_smoothing, "label_smoothing", "cross_entropy_loss", 6)
    if label_smoothing > 1.0:  # (PyTorch lets a negative one through)
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{_args.number_text(label_smoothing)}")
    class_dim = 0 if input.dim() == 1 else 1
    logp = _F.log_softmax(input, class_dim)
    if target.is_floating_point() and target.shape == input.shape:
        return _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim)
    loss = nll_loss(logp, target, weight, ignore_index=ignore_index, reduction=reduction)
    if not label_smoothing:
        return loss
    n_classes = input.shape[class_dim]
    wshape = [1] * input.dim()
    wshape[class_dim] = n_classes
    smooth = -(logp if weight is None else logp * weight.reshape(wshape)).sum(class_dim)
    keep = target._data != ignore_index
    smooth = smooth * Tensor._make(keep.astype(smooth._data.dtype))
    if reduction == "mean":
        denom = keep.sum() if weight is None else weight._data[target._data[keep]].sum()
        smooth = smooth.sum() / float(denom)
    elif reduction == "sum":
        smooth = smooth.sum()
    return (1 - label_smoothing) * loss + smooth * (label_smoothing / n_classes)


def _soft_cross_entropy(logp, target, weight, reduction, label_smoothing, class_dim):
    """Cross-entropy against class probabilities: −Σ_c target_c·log p_c per sample."""
    n_classes = logp.shape[class_dim]
    if label_smoothing:
        target = target * (1 - label_smoothing) + label_smoothing / n_classes
    prod = logp * target
    if weight is not None:
        wshape = [1] * logp.dim()
        wshape[class_dim] = n_classes
        prod = prod * weight.reshape(wshape)
    if reduction == "none":
        return -prod.sum(class_dim)
    if reduction == "sum":
        return -prod.sum()
    return -prod.sum() / (logp.numel() // n_classes)
