"""``minigrad.nn.functional``: activations, the linear layer and losses as functions.

Built from registry ops: ``linear`` is ``addmm`` (AddmmBackward0, as in PyTorch),
``mse_loss`` and ``nll_loss`` are primitives (MseLossBackward0, NllLossBackward0), and
``cross_entropy`` is ``nll_loss(log_softmax(input, 1), target)``.
"""
import warnings

import numpy as np

from .. import _args
from .. import _creation
from .. import _dtype
from .. import _functional as _F
from .._graph import apply
from .._tensor import Tensor
from ..ops import OPS

__all__ = ["relu", "tanh", "sigmoid", "softmax", "log_softmax", "linear", "mse_loss",
           "nll_loss", "cross_entropy", "binary_cross_entropy", "binary_cross_entropy_with_logits",
           "l1_loss", "smooth_l1_loss", "huber_loss", "leaky_relu", "gelu", "softplus", "elu",
           "selu", "silu", "dropout"]


def _op(name):
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
        return _weighted(apply(_op("mse_loss"), input, target, reduction="none"), input, weight,
                         reduction, "sum")
    return apply(_op("mse_loss"), input, target, reduction=reduction)


def _weighted(losses, input, weight, reduction, mean):
    """PyTorch's weighted regression losses: each loss times its weight (of input's size), then
    summed, or divided by the sum of the weights (``mean="sum"``) or averaged (``"mean"``)."""
    if not isinstance(weight, Tensor):
        raise AttributeError(f"'{type(weight).__name__}' object has no attribute 'size'")
    if weight.size() != input.size():
        raise ValueError("Weights and input must have the same size.")
    losses = losses * weight
    if reduction == "none":
        return losses
    if reduction == "sum":
        return losses.sum()
    return losses.sum() / weight.sum() if mean == "sum" else losses.mean()


def _check_output_type(input, target):
    """Losses written into a tensor of input's dtype: PyTorch refuses a result it cannot hold."""
    result = _dtype.promote_types(_dtype.result_type(input, target), _dtype.float32)
    if not np.can_cast(result.np, input._data.dtype, "same_kind"):
        raise RuntimeError(f"result type {result.legacy[:-6]} can't be cast to the desired "
                           f"output type {_type_name(input)}")


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


# ---- activations ---------------------------------------------------------------------------
# ``inplace=True`` computes out of place: the result is the same, the input is left as it was.
@_args.tensors("input")
def leaky_relu(input, negative_slope=0.01, inplace=False):
    """x if x > 0 else negative_slope·x, elementwise."""
    _args.floating(input, "leaky_relu_cpu")
    negative_slope = _args.number_arg(negative_slope, "negative_slope", "leaky_relu", 2,
                                      tensor=False)
    return apply(_op("leaky_relu"), input, negative_slope=negative_slope)


@_args.tensors("input")
def gelu(input, approximate="none"):
    """x·Φ(x) (Φ the standard normal CDF), or its tanh approximation."""
    _args.floating(input, "GeluKernelImpl")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return apply(_op("gelu"), input, approximate=approximate)


@_args.tensors("input")
def softplus(input, beta=1.0, threshold=20.0):
    """ln(1 + e^(βx))/β, and x itself where βx > threshold."""
    _args.floating(input, "softplus_cpu")
    beta = _args.number_arg(beta, "beta", "softplus", 2, tensor=False)
    threshold = _args.number_arg(threshold, "threshold", "softplus", 3, tensor=False)
    return apply(_op("softplus"), input, beta=beta, threshold=threshold)


@_args.tensors("input")
def elu(input, alpha=1.0, inplace=False):
    """x if x > 0 else α(eˣ − 1)."""
    _args.floating(input, "elu_cpu")
    alpha = _args.number_arg(alpha, "alpha", "elu", 2, tensor=False)
    return apply(_op("elu"), input, alpha=alpha)


@_args.tensors("input")
def selu(input, inplace=False):
    """λ·elu(x, α) with PyTorch's constants α ≈ 1.6733, λ ≈ 1.0507."""
    _args.floating(input, "elu_cpu")
    return apply(_op("elu"), input, alpha=1.6732632423543772848170429916717,
                 scale=1.0507009873554804934193349852946)


@_args.tensors("input")
def silu(input, inplace=False):
    """x·σ(x) (also called swish)."""
    _args.floating(input, "silu_cpu")
    return apply(_op("silu"), input)


@_args.tensors("input")
def dropout(input, p=0.5, training=True, inplace=False):
    """In training, each element zeroed with probability p and the rest scaled by 1/(1 − p)
    (the mask from minigrad's generator); the input itself otherwise."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if training and not input.is_floating_point():
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_type_name(input)}")
    if not training or p == 0 or input.numel() == 0:
        return input
    keep = _creation._rng_of(None).random(input.shape) >= p
    scale = 0.0 if p == 1 else 1.0 / (1.0 - p)
    mask = Tensor._make((keep * scale).astype(input._data.dtype))
    return input * mask


# ---- losses between an input and a target of its size --------------------------------------
def _size_warning(input, target):
    if target.size() != input.size():
        warnings.warn(f"Using a target size ({target.size()}) that is different to the input size "
                      f"({input.size()}). This will likely lead to incorrect results due to "
                      "broadcasting. Please ensure they have the same size.", stacklevel=3)


def _broadcast_pair(input, target):
    """input and target expanded to their common shape (PyTorch's broadcast_tensors)."""
    if input.shape == target.shape:
        return input, target
    _F._check_broadcast(input, target)
    shape = np.broadcast_shapes(input.shape, target.shape)
    return input.expand(shape), target.expand(shape)


def _weight_array(weight, shape, dtype):
    return None if weight is None else np.broadcast_to(weight._data, shape).astype(dtype)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None,
                         reduction="mean"):
    """−w·(y ln x + (1 − y) ln(1 − x)) for probabilities x in [0, 1], averaged (or summed, or
    each); the logs are clamped at −100."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the "
                         "same size.")
    if weight is not None:
        if not isinstance(weight, Tensor):
            raise AttributeError(f"'{type(weight).__name__}' object has no attribute 'size'")
        _check_broadcast_to(weight, input.shape)
    if target.dtype is not input.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target)} but expected {_type_name(input)}")
    for name, t in (("input", input._data), ("target", target._data)):
        if not np.all((t >= 0) & (t <= 1)):  # NaN fails too
            raise RuntimeError(f"all elements of {name} should be between 0 and 1")
    return apply(_op("binary_cross_entropy"), input, target,
                 weight=_weight_array(weight, input.shape, input._data.dtype),
                 reduction=reduction)


def _check_broadcast_to(t, shape):
    """PyTorch's error for a tensor that does not broadcast to ``shape`` (its _infer_size)."""
    for k in range(1, t.ndim + 1):
        if t.shape[-k] not in (1, shape[-k] if k <= len(shape) else 1):
            raise RuntimeError(f"Attempting to broadcast a dimension of length {t.shape[-k]} at "
                               f"-{k}! Mismatching argument at index 1 had {t.size()}; but "
                               f"expected shape should be broadcastable to "
                               f"[{', '.join(map(str, shape))}]")


@_args.tensors(optional=("weight", "pos_weight"))
def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """binary_cross_entropy(σ(input), target), computed stably from the logits; ``pos_weight``
    weighs the positive examples (one weight per class, along the last dimension)."""
    for t in (target, input):  # what PyTorch's size check meets first
        if not isinstance(t, Tensor):
            raise AttributeError(f"'{type(t).__name__}' object has no attribute 'size'")
    reduction = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Target size ({target.size()}) must be the same as input size "
                         f"({input.size()})")
    _args.floating(input, "log_sigmoid_cpu")
    # PyTorch's kernel first computes 1 − target, with the 1 in target's dtype, in place
    _F._check_sub(target, target)
    if not target.is_floating_point():
        raise RuntimeError(f"result type Float can't be cast to the desired output type "
                           f"{_type_name(target)}")
    if input.dtype is not target.dtype:
        input = input.to(target.dtype)
    for w in (weight, pos_weight):
        if w is not None:
            _F._check_broadcast(input, w) if w is weight else _F._check_broadcast(w, input)
    dtype = input._data.dtype
    return apply(_op("binary_cross_entropy_with_logits"), input, target,
                 weight=_weight_array(weight, input.shape, dtype),
                 pos_weight=_weight_array(pos_weight, input.shape, dtype), reduction=reduction)


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """Mean (or sum, or each) of |input − target|."""
    reduction = _reduction(reduction, size_average, reduce)
    _size_warning(input, target)
    _F._check_broadcast(input, target)
    losses = _F.abs(input - target)
    if weight is not None:
        return _weighted(losses, input, weight, reduction, "sum")
    return losses if reduction == "none" else (losses.sum() if reduction == "sum"
                                               else losses.mean())


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """Mean of ½d²/β where |d| < β, else |d| − ½β (d = input − target): L1 with a rounded
    bottom; β = 0 is the L1 loss."""
    reduction = _reduction(reduction, size_average, reduce)
    _size_warning(input, target)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0.0:
        return l1_loss(input, target, reduction=reduction)
    input, target = _broadcast_pair(input, target)
    return apply(_op("smooth_l1_loss"), input, target, beta=beta, reduction=reduction)


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """Mean of ½d² where |d| < δ, else δ(|d| − ½δ) (d = input − target)."""
    reduction = _reduction(reduction)
    _size_warning(input, target)
    _check_output_type(input, target)
    input, target = _broadcast_pair(input, target)
    if target.dtype is not input.dtype:  # the loss has input's dtype
        target = target.to(input.dtype)
    if weight is not None:
        return _weighted(apply(_op("huber_loss"), input, target, delta=delta, reduction="none"),
                         input, weight, reduction, "mean")
    return apply(_op("huber_loss"), input, target, delta=delta, reduction=reduction)
