"""The op registry: every differentiable op, its forward and its vector-Jacobian product.

Each entry reads: name, PyTorch's grad_fn name, the math (what the graph view shows), the forward
on numpy arrays, the VJP on tensors (so that ``create_graph=True`` can differentiate it again).
In the math, ``z`` is the output and a bar is a gradient: ``x̄ = z̄·y`` reads "the gradient for x is
the upstream gradient times y". The engine sums each returned gradient back to its input's shape,
so VJPs never undo broadcasting themselves. ``samples`` and ``domain`` feed the generated
finite-difference tests (tests/test_gradcheck.py).
"""
import math

import numpy as np

from . import _dtype
from . import _kernels as K
from . import _math as m
from ._graph import OpDef

OPS = {}


def defop(name, backward, math, forward, vjp, **options):
    """Add one entry to the registry."""
    OPS[name] = OpDef(name, backward, math, forward, vjp, **options)
    return OPS[name]


_BIN = [((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 2))]  # broadcasting cases
_UN = [((3,),), ((2, 3),), ((),)]


def _reduction_name(base):
    """grad_fn names of reductions: ``SumBackward0`` over everything, ``SumBackward1`` by dim."""
    return lambda attrs: f"{base}Backward{0 if attrs.get('dim') is None else 1}"


def _each(needs_input_grad, *gradients):
    """Each input's gradient (a function computing it) where the input needs one, else None."""
    if len(gradients) == 2:  # most ops: two inputs, spelt out (no loop to set up)
        first, second = needs_input_grad
        return gradients[0]() if first else None, gradients[1]() if second else None
    return tuple([grad() if need else None for need, grad in zip(needs_input_grad, gradients)])


def _rpow_vjp(g, out, x, base):
    """``bˣ``'s gradient ``z̄·z·ln b``; for ``b = 0`` it is 0 where ``x ≥ 0`` (PyTorch's rule)."""
    with np.errstate(all="ignore"):  # ln of 0 or of a negative base: -inf or nan, as in PyTorch
        log_base = float(np.log(base))
    if base == 0:
        return m.where(x >= 0, 0.0, g * out * log_base)
    return g * out * log_base


def _count(shape, dim):
    n = 1
    for d in (range(len(shape)) if dim is None else dim):
        n *= shape[d]
    return n


# ---- elementwise, two inputs ---------------------------------------------------------------
defop("add", "AddBackward0", "z = x + αy;  x̄ = z̄,  ȳ = α·z̄",
      lambda x, y, *, alpha=1: x + y if alpha == 1 else x + alpha * y,
      lambda g, *, alpha: (g, g if alpha == 1 else g * alpha),
      samples=_BIN)
defop("sub", "SubBackward0", "z = x − αy;  x̄ = z̄,  ȳ = −α·z̄",
      lambda x, y, *, alpha=1: x - y if alpha == 1 else x - alpha * y,
      lambda g, *, alpha, needs_input_grad: _each(
          needs_input_grad, lambda: g, lambda: -g if alpha == 1 else -g * alpha),
      samples=_BIN)
defop("rsub", "RsubBackward1", "z = c − αx;  x̄ = −α·z̄",
      lambda x, *, other, alpha=1: other - x if alpha == 1 else other - alpha * x,
      lambda g, *, alpha: -g if alpha == 1 else g * -alpha,
      samples=[((3,), {"other": 2.0})])
defop("mul", "MulBackward0", "z = x·y;  x̄ = z̄·y,  ȳ = z̄·x",
      lambda x, y: x * y,
      lambda g, x, y, *, needs_input_grad: _each(needs_input_grad, lambda: g * y, lambda: g * x),
      samples=_BIN, uses={"x": ("y",), "y": ("x",)})
defop("div", "DivBackward0", "z = x / y;  x̄ = z̄ / y,  ȳ = −z̄·x / y²",
      lambda x, y: x / y,
      lambda g, x, y, *, needs_input_grad: _each(needs_input_grad, lambda: g / y,
                                                 lambda: -g * x / (y * y)),
      dtypes="float", samples=_BIN, domain=(0.5, 2.0), uses={"x": ("y",), "y": ("x", "y")})
defop("pow", "PowBackward1", "z = xʸ;  x̄ = z̄·y·xʸ⁻¹,  ȳ = z̄·z·ln x",
      lambda x, y: K.power(x, y),
      lambda g, x, y, out, *, needs_input_grad: _each(
          needs_input_grad, lambda: g * y * x ** (y - 1),
          lambda: m.where((x == 0) & (y >= 0), 0.0, g * out * m.log(x))),
      samples=_BIN, domain=(0.5, 2.0), uses={"x": ("x", "y"), "y": ("x", "y", "out")})
defop("pow_scalar", "PowBackward0", "z = xᵖ;  x̄ = z̄·p·xᵖ⁻¹",
      lambda x, *, exponent: np.power(x, exponent),
      lambda g, x, *, exponent: g * 0.0 if exponent == 0 else g * exponent * x ** (exponent - 1),
      samples=[((3,), {"exponent": 2}), ((2, 3), {"exponent": -1.5}), ((3,), {"exponent": 0.5})],
      domain=(0.5, 2.0))
defop("rpow", "PowBackward2", "z = bˣ;  x̄ = z̄·z·ln b",
      lambda x, *, base: K.power(base, x).astype(x.dtype, copy=False),
      lambda g, out, x, *, base: _rpow_vjp(g, out, x, base),
      samples=[((3,), {"base": 2.0}), ((2, 2), {"base": 0.5})])
defop("maximum", "MaximumBackward0", "z = max(x, y);  x̄ = z̄·[x > y],  ȳ = z̄·[y > x]  (ties ½)",
      lambda x, y: np.maximum(x, y),
      lambda g, x, y, *, needs_input_grad: _each(
          needs_input_grad, lambda: g * ((x > y) + (x == y) * 0.5),
          lambda: g * ((y > x) + (x == y) * 0.5)),
      samples=_BIN)
defop("minimum", "MinimumBackward0", "z = min(x, y);  x̄ = z̄·[x < y],  ȳ = z̄·[y < x]  (ties ½)",
      lambda x, y: np.minimum(x, y),
      lambda g, x, y, *, needs_input_grad: _each(
          needs_input_grad, lambda: g * ((x < y) + (x == y) * 0.5),
          lambda: g * ((y < x) + (x == y) * 0.5)),
      samples=_BIN)
defop("where", "WhereBackward0", "z = c ? x : y;  x̄ = c ? z̄ : 0,  ȳ = c ? 0 : z̄",
      lambda x, y, *, cond: np.where(cond, x, y),
      lambda g, *, cond, needs_input_grad: _each(
          needs_input_grad, lambda: m.where(cond, g, 0.0), lambda: m.where(cond, 0.0, g)),
      samples=[((2, 3), (2, 3), {"cond": np.array([[True, False, True], [False, True, True]])}),
               ((3,), (), {"cond": np.array([True, False, True])})])

# ---- elementwise, one input ----------------------------------------------------------------
defop("neg", "NegBackward0", "z = −x;  x̄ = −z̄",
      lambda x: -x, lambda g: -g, samples=_UN)
defop("exp", "ExpBackward0", "z = eˣ;  x̄ = z̄·z",
      lambda x: np.exp(x), lambda g, out: g * out, dtypes="float", samples=_UN)
defop("log", "LogBackward0", "z = ln x;  x̄ = z̄ / x",
      lambda x: np.log(x), lambda g, x: g / x, dtypes="float", samples=_UN, domain=(0.2, 3.0))
defop("sqrt", "SqrtBackward0", "z = √x;  x̄ = z̄ / (2z)",
      lambda x: np.sqrt(x), lambda g, out: g / (2 * out), dtypes="float", samples=_UN,
      domain=(0.2, 3.0))
defop("reciprocal", "ReciprocalBackward0", "z = 1/x;  x̄ = −z̄·z²",
      lambda x: np.reciprocal(x), lambda g, out: -g * out * out, dtypes="float", samples=_UN,
      domain=(0.5, 2.0))
defop("rsqrt", "RsqrtBackward0", "z = 1/√x;  x̄ = −½·z̄·z³",
      lambda x: 1 / np.sqrt(x), lambda g, out: -0.5 * g * out ** 3, dtypes="float",
      samples=_UN, domain=(0.2, 3.0))
defop("abs", "AbsBackward0", "z = |x|;  x̄ = z̄·sign(x)",
      lambda x: np.abs(x), lambda g, x: g * m.sign(x), samples=_UN)
defop("sign", "SignBackward0", "z = sign(x);  x̄ = 0",
      lambda x: K.sign_forward(x), lambda g: g * 0.0, samples=_UN)
defop("sin", "SinBackward0", "z = sin x;  x̄ = z̄·cos x",
      lambda x: np.sin(x), lambda g, x: g * m.cos(x), dtypes="float", samples=_UN)
defop("cos", "CosBackward0", "z = cos x;  x̄ = −z̄·sin x",
      lambda x: np.cos(x), lambda g, x: g * -m.sin(x), dtypes="float", samples=_UN)
defop("tanh", "TanhBackward0", "z = tanh x;  x̄ = z̄·(1 − z²)",
      lambda x: np.tanh(x), lambda g, out: g * (1 - out * out), dtypes="float", samples=_UN)
defop("sigmoid", "SigmoidBackward0", "z = σ(x);  x̄ = z̄·z·(1 − z)",
      lambda x: _sigmoid(x), lambda g, out: g * out * (1 - out), dtypes="float", samples=_UN)
defop("relu", "ReluBackward0", "z = max(x, 0);  x̄ = z̄·[z > 0]",
      lambda x: np.maximum(x, 0).astype(x.dtype, copy=False), lambda g, out: g * (out > 0),
      samples=_UN)
defop("clamp", "ClampBackward1", "z = clamp(x, a, b);  x̄ = z̄·[a ≤ x ≤ b]",
      lambda x, *, min=None, max=None: np.clip(x, min, max).astype(x.dtype, copy=False),
      lambda g, x, *, min, max: g * (((x >= min) if min is not None else True)
                                     & ((x <= max) if max is not None else True)),
      samples=[((2, 3), {"min": -0.5, "max": 0.5}), ((3,), {"min": 0.0, "max": None})])
defop("clamp_bound", "ClampBackward0",
      "z = max(x, a) or min(x, b);  x̄ = z̄ where x is kept,  ā (b̄) = z̄ where the bound is taken",
      lambda x, bound, *, which: np.maximum(x, bound) if which == "min" else np.minimum(x, bound),
      lambda g, x, bound, *, which: m.clamp_bound_vjp(g, x, bound, which),
      samples=[((2, 3), (3,), {"which": "min"}), ((3,), (), {"which": "max"})])
defop("clamp_bounds", "ClampBackward0",
      "z = min(max(x, a), b);  x̄ = z̄·[a ≤ x ≤ b],  ā = z̄·[x < a < b],  b̄ = z̄·[x > b or b < a]",
      lambda x, low, high: np.minimum(np.maximum(x, low), high),
      lambda g, x, low, high: m.clamp_bounds_vjp(g, x, low, high),
      samples=[((2, 3), (3,), (2, 1)), ((4,), (), ())])
defop("zero", "ZeroBackward0", "z = 0;  x̄ = 0",
      lambda x: np.zeros_like(x), lambda g: g * 0.0, dtypes="keep", samples=_UN)
defop("fill", "FillBackward2", "z = c everywhere;  x̄ = 0",
      lambda x, *, value: np.full_like(x, value), lambda g: g * 0.0, dtypes="keep",
      samples=[((2, 3), {"value": 1.5})])
defop("fill_tensor", "FillBackward3", "z = v everywhere;  x̄ = 0,  v̄ = Σ z̄",
      lambda x, v: np.full_like(x, v), lambda g: (g * 0.0, m.sum(g)), dtypes="keep",
      samples=[((2, 3), ())])
defop("clone", "CloneBackward0", "z = x;  x̄ = z̄",
      lambda x: x.copy(), lambda g: g, samples=_UN)
defop("to_copy", "ToCopyBackward0", "z = x (new dtype);  x̄ = z̄",
      lambda x, *, dtype: x.astype(dtype.np), lambda g: g, dtypes="keep",
      samples=[((2, 3), {"dtype": _dtype.float64})])


# ---- rounding: piecewise constant, so the gradient is zero (integers are kept as they are) ----
def _rounding(fn):
    return lambda x: fn(x) if x.dtype.kind == "f" else x.copy()


defop("floor", "FloorBackward0", "z = ⌊x⌋;  x̄ = 0", _rounding(np.floor), lambda g: g * 0.0,
      samples=_UN, domain=(0.1, 0.9))
defop("ceil", "CeilBackward0", "z = ⌈x⌉;  x̄ = 0", _rounding(np.ceil), lambda g: g * 0.0,
      samples=_UN, domain=(0.1, 0.9))
defop("round", "RoundBackward0", "z = x rounded (halves to even);  x̄ = 0", _rounding(np.round),
      lambda g: g * 0.0, samples=_UN, domain=(0.05, 0.45))
defop("trunc", "TruncBackward0", "z = x rounded toward 0;  x̄ = 0", _rounding(np.trunc),
      lambda g: g * 0.0, samples=_UN, domain=(0.1, 0.9))
defop("div_rounded", "DivBackward2", "z = x / y rounded down (or toward 0);  x̄ = 0,  ȳ = 0",
      lambda x, y, *, rounding_mode: K.rounded_divide(x, y, rounding_mode),
      lambda g, *, rounding_mode: (g * 0.0, g * 0.0),
      samples=[((3,), (3,), {"rounding_mode": "floor"}), ((2, 2), (), {"rounding_mode": "trunc"})],
      domain=(0.55, 0.95))
defop("remainder", "RemainderBackward1", "z = x − ⌊x/y⌋·y;  x̄ = z̄,  ȳ = −z̄·⌊x/y⌋",
      lambda x, y: np.remainder(x, y), lambda g, x, y: (g, -g * m.floor_divide(x, y)),
      samples=_BIN, domain=(0.5, 2.0))
defop("remainder_scalar", "RemainderBackward0", "z = x − ⌊x/c⌋·c;  x̄ = z̄",
      lambda x, *, other: np.remainder(x, other), lambda g: g,
      samples=[((3,), {"other": 1.5}), ((2, 2), {"other": -1.5})], domain=(0.1, 1.4))


def _sigmoid(x):
    # Split by sign so neither branch overflows in exp.
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype, copy=False)


# ---- reductions ----------------------------------------------------------------------------
defop("sum", _reduction_name("Sum"), "z = Σᵢ xᵢ;  x̄ᵢ = z̄",
      lambda x, *, dim=None, keepdim=False: np.sum(
          x, axis=dim, keepdims=keepdim, dtype=None if x.dtype.kind == "f" else np.int64),
      lambda g, x_shape, *, dim, keepdim: m.unreduce(g, x_shape, dim, keepdim),
      samples=[((2, 3), {}), ((2, 3), {"dim": (1,)}), ((2, 3, 2), {"dim": (0, 2), "keepdim": True})])
defop("mean", _reduction_name("Mean"), "z = (1/n) Σᵢ xᵢ;  x̄ᵢ = z̄ / n",
      lambda x, *, dim=None, keepdim=False: np.mean(x, axis=dim, keepdims=keepdim),
      # expanded, then divided: PyTorch's order, so a differentiated gradient names its nodes
      lambda g, x_shape, *, dim, keepdim: m.unreduce(g, x_shape, dim, keepdim) / _count(
          x_shape, dim),
      samples=[((2, 3), {}), ((2, 3), {"dim": (0,)}), ((2, 3), {"dim": (1,), "keepdim": True})])
defop("prod", _reduction_name("Prod"), "z = Πᵢ xᵢ;  x̄ᵢ = z̄·Πⱼ≠ᵢ xⱼ",
      lambda x, *, dim=None, keepdim=False: np.prod(
          x, axis=dim, keepdims=keepdim, dtype=None if x.dtype.kind == "f" else np.int64),
      lambda g, x, out, *, dim, keepdim: m.unreduce(g, m.shape(x), dim, keepdim) * m.prod_others(
          x, out, dim, keepdim),
      samples=[((4,), {}), ((2, 3), {"dim": (1,)}), ((2, 3), {"dim": (0,), "keepdim": True})])
defop("amax", lambda attrs: "MaxBackward1" if attrs["dim"] is None else "AmaxBackward0",
      "z = max x;  x̄ᵢ = z̄·[xᵢ = z] / #ties",
      lambda x, *, dim=None, keepdim=False: np.max(x, axis=dim, keepdims=keepdim),
      lambda g, x, out, *, dim, keepdim: m.evenly_distribute(g, x, out, dim, keepdim),
      samples=[((5,), {}), ((2, 3), {"dim": (1,)})])
defop("amin", lambda attrs: "MinBackward1" if attrs["dim"] is None else "AminBackward0",
      "z = min x;  x̄ᵢ = z̄·[xᵢ = z] / #ties",
      lambda x, *, dim=None, keepdim=False: np.min(x, axis=dim, keepdims=keepdim),
      lambda g, x, out, *, dim, keepdim: m.evenly_distribute(g, x, out, dim, keepdim),
      samples=[((5,), {}), ((2, 3), {"dim": (0,)})])
defop("max_dim", "MaxBackward0", "z = max along d;  x̄ = z̄ at the argmax",
      lambda x, *, dim, keepdim=False, indices=None: K.pick_along(x, dim, keepdim, indices),
      lambda g, x_shape, *, dim, keepdim, indices: m.scatter_onehot(g, x_shape, dim, keepdim,
                                                                   indices),
      dtypes="keep",  # indices: the arg-extremum, found by the caller (any gather checks the VJP)
      samples=[((2, 3), {"dim": 1, "indices": np.array([2, 0])}),
               ((3, 2), {"dim": 0, "keepdim": True, "indices": np.array([[1, 0]])})])
defop("min_dim", "MinBackward0", "z = min along d;  x̄ = z̄ at the argmin",
      OPS["max_dim"].forward, OPS["max_dim"].vjp, dtypes="keep",
      samples=[((4,), {"dim": 0, "indices": np.array(3)}),
               ((2, 3), {"dim": 1, "keepdim": True, "indices": np.array([[0], [1]])})])
defop("norm", "LinalgVectorNormBackward0", "z = ‖x‖ₚ;  x̄ = z̄·x·|x|ᵖ⁻² / zᵖ⁻¹",
      lambda x, *, p=2, dim=None, keepdim=False: K.vector_norm_forward(x, p, dim, keepdim),
      lambda g, x, out, *, p, dim, keepdim: m.vector_norm_vjp(g, x, out, p, dim, keepdim),
      dtypes="keep",
      samples=[((3,), {"p": 2}), ((2, 3), {"p": 2, "dim": (1,)}), ((4,), {"p": 1}),
               ((2, 2), {"p": 3.0, "dim": None, "keepdim": True}), ((4,), {"p": float("inf")})])
defop("logsumexp", "LogsumexpBackward0", "z = ln Σᵢ eˣⁱ;  x̄ᵢ = z̄·eˣⁱ⁻ᶻ",
      lambda x, *, dim, keepdim=False: K.logsumexp_forward(x, dim, keepdim),
      lambda g, x, out, *, dim, keepdim: m.unreduce(g, m.shape(x), dim, keepdim) * m.exp(
          x - m.unreduce(out, m.shape(x), dim, keepdim)),
      dtypes="float", samples=[((2, 3), {"dim": (1,)}), ((4,), {"dim": (0,), "keepdim": True})])
defop("softmax", "SoftmaxBackward0", "zᵢ = eˣⁱ / Σⱼ eˣʲ;  x̄ = z·(z̄ − Σⱼ z̄ⱼzⱼ)",
      lambda x, *, dim: K.softmax_forward(x, dim),
      lambda g, out, *, dim: out * (g - m.sum(g * out, dim, keepdim=True)),
      dtypes="float", samples=[((2, 3), {"dim": 1}), ((4,), {"dim": 0})])
defop("log_softmax", "LogSoftmaxBackward0", "zᵢ = xᵢ − ln Σⱼ eˣʲ;  x̄ = z̄ − eᶻ·Σⱼ z̄ⱼ",
      lambda x, *, dim: K.log_softmax_forward(x, dim),
      lambda g, out, *, dim: g - m.exp(out) * m.sum(g, dim, keepdim=True),
      dtypes="float", samples=[((2, 3), {"dim": 1}), ((2, 3), {"dim": 0})])

# ---- linear algebra ------------------------------------------------------------------------
defop("dot", "DotBackward0", "z = Σᵢ xᵢyᵢ;  x̄ = z̄·y,  ȳ = z̄·x",
      lambda x, y: np.dot(x, y),
      lambda g, x, y, *, needs_input_grad: _each(needs_input_grad, lambda: g * y, lambda: g * x),
      dtypes="same", samples=[((3,), (3,))], uses={"x": ("y",), "y": ("x",)})
defop("mv", "MvBackward0", "z = A v;  Ā = z̄ vᵀ,  v̄ = Aᵀ z̄",
      lambda A, v: A @ v,
      lambda g, A, v, *, needs_input_grad: _each(needs_input_grad, lambda: m.unsqueeze(g, 1) * v,
                                                 lambda: m.t(A) @ g),
      dtypes="same", samples=[((2, 3), (3,))], uses={"A": ("v",), "v": ("A",)})
defop("mm", "MmBackward0", "Z = X Y;  X̄ = Z̄ Yᵀ,  Ȳ = Xᵀ Z̄",
      lambda x, y: x @ y,
      lambda g, x, y, *, needs_input_grad: _each(needs_input_grad, lambda: g @ m.t(y),
                                                 lambda: m.t(x) @ g),
      dtypes="same", samples=[((2, 3), (3, 4))], uses={"x": ("y",), "y": ("x",)})
defop("bmm", "BmmBackward0", "Z = X Y (batched);  X̄ = Z̄ Yᵀ,  Ȳ = Xᵀ Z̄",
      lambda x, y: np.matmul(x, y),
      lambda g, x, y, *, needs_input_grad: _each(
          needs_input_grad, lambda: g @ m.mT(y), lambda: m.mT(x) @ g),
      dtypes="same", samples=[((2, 2, 3), (2, 3, 4)), ((2, 2, 3), (3, 2))],
      uses={"x": ("y",), "y": ("x",)})

# ---- shapes and indexing (outputs are views, as in PyTorch) --------------------------------
defop("view", "ViewBackward0", "z = x reshaped;  x̄ = z̄ reshaped back",
      lambda x, *, shape: x.reshape(shape), lambda g, x_shape: g.reshape(x_shape),
      dtypes="keep", view=True, samples=[((2, 3), {"shape": (3, 2)}), ((4,), {"shape": (2, 1, 2)})])
defop("unsafe_view", "UnsafeViewBackward0", "z = x reshaped (a fresh copy);  x̄ = z̄ reshaped back",
      lambda x, *, shape: x.reshape(shape), lambda g, x_shape: g.reshape(x_shape),
      dtypes="keep", samples=[((2, 3), {"shape": (3, 2)}), ((2, 2, 3), {"shape": (4, 3)})])
defop("expand", "ExpandBackward0", "z = x broadcast to a shape;  x̄ = z̄ summed back",
      # the engine sums back to x's shape; to a 0-d x PyTorch's sum_to always sums (even from
      # a 0-d z̄), which a differentiated gradient shows as SumBackward0
      lambda x, *, shape: K.expand_view(x, shape),
      lambda g, x_shape: m.sum(g) if x_shape == () else g,
      dtypes="keep", view=True, samples=[((3,), {"shape": (2, 3)}), ((2, 1), {"shape": (2, 4)})])
defop("permute", lambda a: {"t": "TBackward0", "transpose": "TransposeBackward0"}.get(
          a.get("via"), "PermuteBackward0"),
      "z = x with axes permuted;  x̄ = z̄ permuted back",
      lambda x, *, dims, via=None: np.transpose(x, dims),
      lambda g, *, dims, via: m.permute(g, tuple(np.argsort(dims))),
      dtypes="keep", view=True, samples=[((2, 3, 4), {"dims": (2, 0, 1)}), ((2, 3), {"dims": (1, 0)})])
defop("squeeze", lambda a: f"SqueezeBackward{a.get('variant', 0)}",
      "z = x without size-1 axes;  x̄ = z̄ reshaped back",
      lambda x, *, dims, variant=0: np.squeeze(x, axis=dims),
      lambda g, x_shape: g.reshape(x_shape),
      dtypes="keep", view=True, samples=[((1, 3, 1), {"dims": (0, 2)})])
defop("unsqueeze", "UnsqueezeBackward0", "z = x with a new size-1 axis d;  x̄ = z̄ squeezed at d",
      lambda x, *, dim: np.expand_dims(x, dim), lambda g, x_shape: g.reshape(x_shape),
      dtypes="keep", view=True, samples=[((2, 3), {"dim": 1})])
defop("index", lambda a: a["name"], "z = x[key];  x̄ = z̄ scattered into zeros at key (+= on repeats)",
      lambda x, *, key, name="IndexBackward0": K.index_forward(x, key),
      lambda g, x_shape, *, key, name: m.scatter(g, x_shape, key),
      dtypes="keep", view=True,
      samples=[((4,), {"key": (1,), "name": "SelectBackward0"}),
               ((3, 4), {"key": (slice(None), slice(1, 3)), "name": "SliceBackward0"}),
               ((4,), {"key": (np.array([0, 2, 2]),), "name": "IndexBackward0"})])
defop("index_scatter", "IndexPutBackward0", "z = zeros; z[key] += x;  x̄ = z̄[key]",
      lambda x, *, shape, key: K.scatter_forward(x, shape, key),
      lambda g, *, shape, key: m.index(g, key),
      dtypes="keep", samples=[((3,), {"shape": (5,), "key": (np.array([0, 4, 0]),)})])
defop("index_put", lambda a: a["name"], "z = x with z[key] = v;  x̄ = z̄ masked at key,  v̄ = z̄[key]",
      lambda x, v, *, key, name="IndexPutBackward0": K.index_put_forward(x, v, key),
      lambda g, *, key, name: (m.mask_out(g, key), m.index(g, key)),
      samples=[((4,), (2,), {"key": (slice(1, 3),), "name": "CopySlices"})])
defop("cat", "CatBackward0", "z = [x₁, x₂, …] along d;  x̄ₖ = z̄'s k-th block",
      lambda *xs, dim: np.concatenate(xs, axis=dim),
      lambda g, shapes, *, dim: m.split_blocks(g, shapes, dim),
      samples=[((2, 3), (1, 3), {"dim": 0}), ((2,), (3,), {"dim": 0})])
defop("stack", "StackBackward0", "z = stack(x₁, x₂, …) along d;  x̄ₖ = z̄ selected at k",
      lambda *xs, dim: np.stack(xs, axis=dim),
      lambda g, shapes, *, dim: tuple(m.select(g, dim, k) for k in range(len(shapes))),
      samples=[((2, 3), (2, 3), {"dim": 1})])

# ---- layers and losses (minigrad.nn.functional) --------------------------------------------
defop("addmm", "AddmmBackward0", "Z = b + X W;  b̄ = Z̄,  X̄ = Z̄ Wᵀ,  W̄ = Xᵀ Z̄",
      lambda b, x, w: b + x @ w,
      lambda g, x, w, *, needs_input_grad: _each(needs_input_grad, lambda: g, lambda: g @ m.t(w),
                                                 lambda: m.t(x) @ g),
      dtypes="same", samples=[((3,), (2, 4), (4, 3)), ((2, 3), (2, 4), (4, 3))])


def _mse_forward(x, y, reduction):
    sq = np.square(x - y)
    return sq if reduction == "none" else (np.sum(sq) if reduction == "sum" else np.mean(sq))


def _mse_vjp(g, x, y, reduction):
    d = x - y
    gx = 2 * g * d if reduction != "mean" else g * d * (2.0 / m.numel(d))
    return gx, -gx


defop("mse_loss", "MseLossBackward0", "z = mean (x − y)²;  x̄ = 2z̄(x − y)/n,  ȳ = −x̄",
      lambda x, y, *, reduction="mean": _mse_forward(x, y, reduction),
      lambda g, x, y, *, reduction: _mse_vjp(g, x, y, reduction),
      samples=[((2, 3), (2, 3)), ((2, 3), (3,), {"reduction": "sum"}),
               ((4,), (4,), {"reduction": "none"})])


def _nll_weights(shape, target, weight, ignore_index, dtype):
    """w[target] at each target position of an input of ``shape`` (N, C, …) or (C,), else 0."""
    valid = target != ignore_index
    t = np.where(valid, target, 0)
    w = (np.ones(shape[1 if len(shape) > 1 else 0]) if weight is None else weight)[t] * valid
    onehot = np.zeros(shape, dtype=dtype)
    axis = 1 if len(shape) > 1 else 0
    np.put_along_axis(onehot, np.expand_dims(t, axis), np.expand_dims(w, axis), axis)
    return onehot, w


def _nll_forward(x, target, weight, ignore_index, reduction):
    onehot, w = _nll_weights(x.shape, target, weight, ignore_index, x.dtype)
    axis = 1 if x.ndim > 1 else 0
    picked = np.where(onehot != 0, x, 0).sum(axis=axis)  # x at the targets (no 0·inf)
    losses = -(picked * w).astype(x.dtype)
    if reduction == "none":
        return losses
    total = losses.sum(dtype=x.dtype)
    return total if reduction == "sum" else (total / w.sum(dtype=x.dtype)).astype(x.dtype)


def _nll_vjp(g, x_shape, target, weight, ignore_index, reduction):
    dtype = m.dtype(g)
    onehot, w = _nll_weights(x_shape, target, weight, ignore_index, dtype)
    if reduction == "mean":
        onehot = onehot / w.sum()
    elif reduction == "none" and len(x_shape) > 1:
        g = m.unsqueeze(g, 1)
    return g * m.const(g, -onehot.astype(dtype))


defop("nll_loss", "NllLossBackward0",
      "z = −Σₙ w[tₙ]·x[n, tₙ] / Σₙ w[tₙ];  x̄[n, tₙ] = −z̄·w[tₙ] / Σₙ w[tₙ]",
      lambda x, *, target, weight=None, ignore_index=-100, reduction="mean": _nll_forward(
          x, target, weight, ignore_index, reduction),
      lambda g, x_shape, *, target, weight, ignore_index, reduction: _nll_vjp(
          g, x_shape, target, weight, ignore_index, reduction),
      samples=[((4, 3), {"target": np.array([0, 2, 1, 2])}),
               ((4, 3), {"target": np.array([0, -100, 1, 2]), "weight": np.array([1.0, 2.0, 0.5]),
                         "reduction": "sum"}),
               ((2, 3, 2), {"target": np.array([[0, 2], [1, 1]]), "reduction": "none"}),
               ((3,), {"target": np.array(1)})])


# ---- more activations (minigrad.nn.functional) ---------------------------------------------
_erf_each = np.frompyfunc(math.erf, 1, 1)  # numpy has no erf: math's, elementwise


def _erf(x):
    return np.asarray(_erf_each(x), dtype=x.dtype)


def _gelu_forward(x, approximate):
    if approximate == "tanh":
        k = np.sqrt(2 / np.pi)
        return (0.5 * x * (1 + np.tanh(k * (x + 0.044715 * x ** 3)))).astype(x.dtype)
    return (0.5 * x * (1 + _erf(x / np.sqrt(2)))).astype(x.dtype)


def _gelu_vjp(g, x, approximate):
    if approximate == "tanh":
        k = float(np.sqrt(2 / np.pi))
        t = m.tanh(k * (x + 0.044715 * x ** 3))
        return g * (0.5 * (1 + t) + 0.5 * x * (1 - t * t) * k * (1 + 3 * 0.044715 * x * x))
    cdf = 0.5 * (1 + m.erf(x * float(1 / np.sqrt(2))))
    pdf = m.exp(x * x * -0.5) * float(1 / np.sqrt(2 * np.pi))
    return g * (cdf + x * pdf)


defop("erf", "ErfBackward0", "z = erf x;  x̄ = z̄·(2/√π)·e^(−x²)",
      lambda x: _erf(x),
      lambda g, x: g * m.exp(x * x * -1.0) * float(2 / np.sqrt(np.pi)),
      dtypes="float", samples=_UN)
defop("leaky_relu", "LeakyReluBackward0", "z = x if x > 0 else s·x;  x̄ = z̄ or s·z̄",
      lambda x, *, negative_slope=0.01: np.where(x > 0, x, x * negative_slope).astype(x.dtype),
      lambda g, x, *, negative_slope: m.where(x > 0, g, g * negative_slope),
      samples=[((2, 3), {"negative_slope": 0.1}), ((3,), {"negative_slope": 0.01})])
defop("elu", "EluBackward0", "z = λx if x > 0 else λα(e^(βx) − 1);  x̄ = λz̄ or λαβ·e^(βx)·z̄",
      lambda x, *, alpha=1.0, scale=1.0, input_scale=1.0: np.where(
          x > 0, scale * x, scale * alpha * np.expm1(x * input_scale)).astype(x.dtype),
      lambda g, x, *, alpha, scale, input_scale: m.where(
          x > 0, g * scale, g * (scale * alpha * input_scale) * m.exp(x * input_scale)),
      dtypes="float", samples=[((2, 3), {"alpha": 1.0}), ((3,), {"alpha": 0.5, "scale": 1.5})])
defop("gelu", "GeluBackward0", "z = x·Φ(x);  x̄ = z̄·(Φ(x) + x·φ(x))  (or tanh's approximation)",
      lambda x, *, approximate="none": _gelu_forward(x, approximate),
      lambda g, x, *, approximate: _gelu_vjp(g, x, approximate),
      dtypes="float", samples=[((2, 3), {}), ((3,), {"approximate": "tanh"})])
defop("softplus", "SoftplusBackward0",
      "z = ln(1 + e^(βx))/β (x past the threshold);  x̄ = z̄·σ(βx)",
      lambda x, *, beta=1.0, threshold=20.0: np.where(
          x * beta > threshold, x, np.logaddexp(0, x * beta) / beta).astype(x.dtype),
      lambda g, x, *, beta, threshold: m.where(x * beta > threshold, g, g * m.sigmoid(x * beta)),
      dtypes="float", samples=[((2, 3), {}), ((3,), {"beta": 2.0, "threshold": 20.0})])
defop("silu", "SiluBackward0", "z = x·σ(x);  x̄ = z̄·σ(x)·(1 + x·(1 − σ(x)))",
      lambda x: (x * _sigmoid(x)).astype(x.dtype),
      lambda g, x: g * m.sigmoid(x) * (1 + x * (1 - m.sigmoid(x))),
      dtypes="float", samples=_UN)


# ---- more losses: each takes ``reduction`` ('mean' | 'sum' | 'none') ------------------------
def _reduce(losses, reduction, dtype):
    if reduction == "none":
        return losses.astype(dtype, copy=False)
    total = np.sum(losses, dtype=dtype)
    return total if reduction == "sum" else (total / max(losses.size, 1)).astype(dtype)


def _spread(g, reduction, n):
    """The upstream gradient of each element: z̄ (or z̄/n for a mean)."""
    return g * (1.0 / n) if reduction == "mean" else g


def _bce_forward(x, y, weight, reduction):
    with np.errstate(divide="ignore"):  # log 0 is clamped to −100, as in PyTorch
        losses = -(y * np.maximum(np.log(x), -100) + (1 - y) * np.maximum(np.log1p(-x), -100))
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction, x.dtype)


def _bce_vjp(g, x, y, weight, reduction, needs_input_grad):
    s = _spread(g, reduction, m.numel(x))
    if weight is not None:
        s = s * m.const(g, weight)
    return _each(needs_input_grad, lambda: s * (x - y) / m.clamp(x * (1 - x), min=1e-12),
                 lambda: s * (m.log(1 - x) - m.log(x)))


defop("binary_cross_entropy", "BinaryCrossEntropyBackward0",
      "z = −mean w·(y ln x + (1 − y) ln(1 − x));  x̄ = z̄·w·(x − y)/(x(1 − x))/n,  "
      "ȳ = z̄·w·(ln(1 − x) − ln x)/n",
      lambda x, y, *, weight=None, reduction="mean": _bce_forward(x, y, weight, reduction),
      lambda g, x, y, *, weight, reduction, needs_input_grad: _bce_vjp(
          g, x, y, weight, reduction, needs_input_grad),
      dtypes="float", domain=(0.1, 0.9),
      samples=[((3,), (3,)), ((2, 3), (2, 3), {"reduction": "sum"}),
               ((3,), (3,), {"reduction": "none", "weight": np.array([1.0, 2.0, 0.5])})])


def _bce_logits_forward(x, y, weight, pos_weight, reduction):
    softplus_neg = np.logaddexp(0, -x)  # ln(1 + e^(−x)), without overflow
    if pos_weight is None:
        losses = (1 - y) * x + softplus_neg
    else:
        losses = (1 - y) * x + (1 + (pos_weight - 1) * y) * softplus_neg
    if weight is not None:
        losses = losses * weight
    return _reduce(losses, reduction, x.dtype)


def _bce_logits_vjp(g, x, y, weight, pos_weight, reduction, needs_input_grad):
    s = _spread(g, reduction, m.numel(x))
    if weight is not None:
        s = s * m.const(g, weight)
    if pos_weight is None:
        return _each(needs_input_grad, lambda: s * (m.sigmoid(x) - y), lambda: -s * x)
    pw = m.const(g, pos_weight)
    softplus_neg = m.softplus(-x)
    return _each(needs_input_grad,
                 lambda: s * ((1 - y) - (1 + (pw - 1) * y) * (1 - m.sigmoid(x))),
                 lambda: s * ((pw - 1) * softplus_neg - x))


defop("binary_cross_entropy_with_logits", "BinaryCrossEntropyWithLogitsBackward0",
      "z = mean w·((1 − y)x + (1 + (p − 1)y)·ln(1 + e^(−x)));  x̄ = z̄·w·(σ(x) − y)/n  (p = 1)",
      lambda x, y, *, weight=None, pos_weight=None, reduction="mean": _bce_logits_forward(
          x, y, weight, pos_weight, reduction),
      lambda g, x, y, *, weight, pos_weight, reduction, needs_input_grad: _bce_logits_vjp(
          g, x, y, weight, pos_weight, reduction, needs_input_grad),
      dtypes="float",
      samples=[((3,), (3,)), ((2, 3), (2, 3), {"reduction": "sum"}),
               ((2, 3), (2, 3), {"pos_weight": np.array([1.0, 2.0, 3.0]),
                                 "weight": np.array([0.5, 1.0, 2.0]), "reduction": "none"})])


def _smooth_l1_forward(x, y, beta, reduction):
    d = np.abs(x - y)
    return _reduce(np.where(d < beta, 0.5 * d * d / beta, d - 0.5 * beta), reduction, x.dtype)


def _huber_forward(x, y, delta, reduction):
    d = np.abs(x - y)
    return _reduce(np.where(d < delta, 0.5 * d * d, delta * (d - 0.5 * delta)), reduction,
                   x.dtype)


defop("smooth_l1_loss", "SmoothL1LossBackward0",
      "z = mean(½d²/β if |d| < β else |d| − ½β), d = x − y;  x̄ = z̄·clamp(d/β, −1, 1)/n,  ȳ = −x̄",
      lambda x, y, *, beta=1.0, reduction="mean": _smooth_l1_forward(x, y, beta, reduction),
      lambda g, x, y, *, beta, reduction: (
          lambda gx: (gx, -gx))(_spread(g, reduction, m.numel(x)) * m.clamp((x - y) / beta, -1, 1)),
      dtypes="float",
      samples=[((2, 3), (2, 3)), ((3,), (3,), {"beta": 0.5, "reduction": "sum"}),
               ((4,), (4,), {"reduction": "none"})])
defop("huber_loss", "HuberLossBackward0",
      "z = mean(½d² if |d| < δ else δ(|d| − ½δ)), d = x − y;  x̄ = z̄·clamp(d, −δ, δ)/n,  ȳ = −x̄",
      lambda x, y, *, delta=1.0, reduction="mean": _huber_forward(x, y, delta, reduction),
      lambda g, x, y, *, delta, reduction: (
          lambda gx: (gx, -gx))(_spread(g, reduction, m.numel(x)) * m.clamp(x - y, -delta, delta)),
      dtypes="float",
      samples=[((2, 3), (2, 3)), ((3,), (3,), {"delta": 0.5, "reduction": "sum"}),
               ((4,), (4,), {"reduction": "none"})])

# ---- module backward hooks (minigrad.nn.hooks): an identity whose node the hooks watch -------
defop("backward_hook", "BackwardHookFunctionBackward", "z = x;  x̄ = z̄  (where a module's "
      "backward hooks see the gradients)",
      lambda x: x.copy(), lambda g: g, dtypes="keep", samples=_UN)
