"""The functions users call (``minigrad.exp``, ``x.sum(dim=1)``, ``x @ y``, ``x[i]``...).

They check and normalise arguments the way PyTorch does (errors included), then ``apply`` a
registry op from ``ops``. Functions with no derivative (comparisons, argmax) compute directly.
``methods`` makes most of them ``Tensor`` methods too. Every name is re-exported here, so that
``from minigrad import _functional as F`` reaches all of them as ``F.<name>``.

Where they sit in the layers of minigrad:

    _tensor (the Tensor) -> _graph (what the forward pass records) -> ops (the op registry)
    -> these functions -> _engine (the backward pass) -> autograd

One edge goes back: with ``create_graph=True`` the VJPs in ``ops`` run on tensors, through
``_math``, which calls these functions (so that the gradient is recorded), while these functions
apply registry ops. ``_math`` is where that loop is closed, importing this package at call time.

The modules, each importing only those above it:

    _common      the registry lookup and the shared argument checks (operands, dims, tensors)
    compare      functions without derivatives: comparisons, logical ops, isclose, nonzero...
    elementwise  arithmetic, unary math, clamp, where, rounding, to/type_as/clone
    reductions   sum, mean, prod, max/min, arg*, norm, logsumexp, softmax, log_softmax
    shapes       reshape/view, expand, permute/transpose, squeeze, cat/stack, split, chunk...
    linalg       dot, mv, mm, matmul, outer
    inplace      add_, zero_, fill_, copy_, clamp_, pow_... and the overlap checks
    indexing     getitem and setitem, with the key parsing
    methods      the Tensor methods and operators, and checked_namespace
"""
from ._common import (ALL_DIMS, _C_NAMES, _binary, _check_broadcast, _check_sub, _check_tensor,
                      _new, _op, _type_word)
from .compare import (all, allclose, any, bitwise_and, bitwise_not, bitwise_or, bitwise_xor,
                      check_tolerances, eq, equal, floor_divide, ge, greater, greater_equal, gt,
                      is_floating_point, is_grad_enabled, is_tensor, isclose, isfinite, isinf,
                      isnan, le, less, less_equal, logical_not, lt, ne, nonzero, not_equal, numel)
from .elementwise import (abs, add, ceil, clamp, clip, clone, cos, div, exp, floor, log, maximum,
                          minimum, mul, neg, pow, reciprocal, relu, remainder, round, rsqrt, rsub,
                          sigmoid, sign, sin, sqrt, square, sub, tanh, to, true_divide, trunc,
                          type_as, where)
from .reductions import (amax, amin, argmax, argmin, log_softmax, logsumexp, max, mean, min, norm,
                         prod, softmax, sum)
from .shapes import (broadcast_to, cat, chunk, concat, concatenate, contiguous, expand, expand_as,
                     expanded_shape, flatten, meshgrid, permute, reshape, reshape_as, select,
                     split, squeeze, stack, swapaxes, t, transpose, unbind, unsqueeze, view,
                     view_as)
from .linalg import dot, matmul, mm, mv, outer
from .inplace import (_inplace, abs_, add_, check_no_overlap, clamp_, copy_, div_, exp_, fill_,
                      mul_, neg_, pow_, relu_, sigmoid_, sqrt_, sub_, tanh_, zero_)
from .indexing import getitem, setitem
from .methods import checked_namespace
