"""minigrad against PyTorch on generated inputs: values, dtypes, shapes, reprs, grad_fn names and
the gradients of every input after backward.

Every check runs one expression, ``fn(T, *inputs)``, with ``T`` minigrad and then torch, on
tensors made from the same numpy arrays. Inputs are multiples of 1/4 (exact in float32), so that
most results are exact and their reprs can be compared as strings; where the two libraries'
float32 results differ in the last bits, the values are compared with a tolerance and the repr
of minigrad's result is compared with torch's after giving it torch's very values.
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from compare import outcome

torch = pytest.importorskip("torch", reason="PyTorch is the reference of the parity tests")

# Few examples per parametrized case (there are hundreds of cases), more for the structural ones.
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
MORE = settings(SETTINGS, max_examples=60)

QUARTERS = [k / 4 for k in range(-12, 13)]  # exact in float32, ties and zeros included
POSITIVE = [k / 4 for k in range(1, 13)]
NONZERO = [q for q in QUARTERS if q]
UNIT = [k / 4 for k in range(-3, 4)]  # |x| < 1
FLOAT_DTYPES = (np.float32, np.float64)
INT_VALUES = list(range(-5, 6))
ALL_DTYPES = (np.bool_, np.uint8, np.int32, np.int64, np.float32, np.float64)

TOLERANCE = {np.float32: dict(rtol=2e-5, atol=1e-6), np.float64: dict(rtol=1e-11, atol=1e-13),
             np.float16: dict(rtol=1e-3, atol=1e-3)}


# ---- comparing one result ------------------------------------------------------------------
def _grad_fn_name(t):
    return type(t.grad_fn).__name__ if t.grad_fn is not None else None


def _twin(mine, values):
    """minigrad's result holding torch's values (same graph state), for comparing reprs."""
    return mg.Tensor._make(np.array(values), mine.grad_fn, mine._requires_grad)


def assert_same_tensor(mine, theirs, where="result", precision=None):
    """Same dtype, shape, autograd state, grad_fn name, values and repr.

    precision: the float dtype whose tolerance applies (a float64 result computed from float32
    inputs carries float32 rounding: PyTorch and numpy may round some steps differently)."""
    assert isinstance(mine, mg.Tensor), f"{where}: {type(mine).__name__}, not a Tensor"
    assert str(mine.dtype) == str(theirs.dtype), where
    assert tuple(mine.shape) == tuple(theirs.shape), where
    assert mine.requires_grad == theirs.requires_grad, where
    assert mine.is_leaf == theirs.is_leaf, where
    assert _grad_fn_name(mine) == _grad_fn_name(theirs), where
    a, b = mine.detach().numpy(), theirs.detach().numpy()
    if b.dtype.kind == "f":
        tolerance = TOLERANCE[b.dtype.type]
        if precision is not None and TOLERANCE[precision]["rtol"] > tolerance["rtol"]:
            tolerance = TOLERANCE[precision]
        np.testing.assert_allclose(a, b, equal_nan=True, err_msg=where, **tolerance)
    else:
        np.testing.assert_array_equal(a, b, err_msg=where)
    exact = a.shape == b.shape and np.array_equal(a, b, equal_nan=b.dtype.kind == "f") and \
        np.array_equal(np.signbit(a), np.signbit(b))
    got = repr(mine) if exact else repr(_twin(mine, b))
    assert got == repr(theirs), f"{where}:\n{got}\n--- torch:\n{theirs!r}"


def assert_same(mine, theirs, where="result", precision=None):
    """Tensors, (named) tuples and lists of them, Sizes, dtypes, numbers and arrays, compared."""
    if isinstance(theirs, torch.Tensor):
        assert_same_tensor(mine, theirs, where, precision)
    elif isinstance(theirs, torch.dtype):
        assert isinstance(mine, mg.dtype) and str(mine) == str(theirs), where
    elif isinstance(theirs, torch.Size):
        assert isinstance(mine, mg.Size), where
        assert tuple(mine) == tuple(theirs) and repr(mine) == repr(theirs), where
    elif isinstance(theirs, (tuple, list)):
        assert isinstance(mine, (tuple, list)) and len(mine) == len(theirs), where
        assert isinstance(mine, tuple) == isinstance(theirs, tuple), where
        for k, (m, t) in enumerate(zip(mine, theirs)):
            assert_same(m, t, f"{where}[{k}]", precision)
        if type(theirs).__module__ == "torch.return_types":
            assert repr(mine).split("(")[0] == repr(theirs).split("(")[0], where
            assert mine.values is mine[0] and mine.indices is mine[1]
            if all(_exact(m, t) for m, t in zip(mine, theirs)):
                assert repr(mine) == repr(theirs), where
    elif isinstance(theirs, np.ndarray):
        assert isinstance(mine, np.ndarray) and mine.dtype == theirs.dtype, where
        np.testing.assert_allclose(mine, theirs, equal_nan=True, err_msg=where)
    elif isinstance(theirs, float):
        assert type(mine) is float, where
        assert math.isclose(mine, theirs, rel_tol=2e-5, abs_tol=1e-6) or (
            math.isnan(mine) and math.isnan(theirs)), where
    else:
        assert type(mine) is type(theirs) and mine == theirs, f"{where}: {mine!r} {theirs!r}"


def _exact(m, t):
    return np.array_equal(m.detach().numpy(), t.detach().numpy(), equal_nan=True)


# ---- running one expression in both libraries ------------------------------------------------
def _make(T, value, grad):
    if isinstance(value, np.ndarray):
        return T.tensor(value, requires_grad=grad and value.dtype.kind == "f")
    return value


def _tensors(out):
    """The tensors of a result that gradients can flow back from."""
    found = []
    stack = [out]
    while stack:
        x = stack.pop()
        if isinstance(x, (tuple, list)):
            stack.extend(x)
        elif hasattr(x, "requires_grad") and hasattr(x, "grad_fn") and x.requires_grad:
            found.append(x)
    return found


def _upstream(shape, seed, dtype):
    """A fixed 'random' upstream gradient of quarters for a result of ``shape``."""
    rng = np.random.default_rng(seed)
    return (rng.integers(-8, 9, size=shape) / 4).astype(dtype)


def check(fn, *inputs, grad=True, seed=0):
    """fn(T, *tensors) in minigrad and in torch: results, then every input's gradient."""
    outs, leaves = [], []
    for T in (mg, torch):
        made = [_make(T, x, grad) for x in inputs]
        outs.append(fn(T, *made))
        leaves.append(made)
    floats = [x.dtype.type for x in inputs if isinstance(x, np.ndarray) and x.dtype.kind == "f"]
    precision = min(floats, key=lambda d: np.finfo(d).bits) if floats else None
    assert_same(outs[0], outs[1], precision=precision)
    roots = [_tensors(o) for o in outs]
    assert len(roots[0]) == len(roots[1])
    if not roots[1]:
        return outs
    for T, tensors in zip((mg, torch), roots):
        if len(tensors) == 1 and tensors[0].numel() == 1 and tensors[0].ndim == 0:
            tensors[0].backward()  # the implicit gradient 1 of a scalar
        else:
            grads = [T.tensor(_upstream(tuple(t.shape), seed + k, t.detach().numpy().dtype))
                     for k, t in enumerate(tensors)]
            T.autograd.backward(tensors, grads)
    for k, (m, t) in enumerate(zip(*leaves)):
        if isinstance(t, torch.Tensor):
            if t.grad is None:
                assert m.grad is None, f"gradient of input {k}"
            else:
                assert_same_tensor(m.grad, t.grad, f"gradient of input {k}", precision)
    return outs


# ---- strategies ------------------------------------------------------------------------------
def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def arrays(dtype, shape, values=QUARTERS):
    if np.dtype(dtype).kind == "b":
        return hnp.arrays(np.bool_, shape)
    if np.dtype(dtype).kind in "iu":
        ints = [v for v in INT_VALUES if v >= 0] if np.dtype(dtype).kind == "u" else INT_VALUES
        if values is POSITIVE or values is NONZERO:
            ints = [v for v in ints if v > 0]
        return hnp.arrays(dtype, shape, elements=st.sampled_from(ints))
    return hnp.arrays(dtype, shape, elements=st.sampled_from(values))


float_dtypes = st.sampled_from(FLOAT_DTYPES)
any_dtypes = st.sampled_from(ALL_DTYPES)


# ---- elementwise, one input ------------------------------------------------------------------
UNARY = {
    "neg": (lambda T, x: T.neg(x), QUARTERS), "neg_method": (lambda T, x: x.neg(), QUARTERS),
    "negative": (lambda T, x: x.negative(), QUARTERS), "__neg__": (lambda T, x: -x, QUARTERS),
    "__pos__": (lambda T, x: +x, QUARTERS), "__abs__": (lambda T, x: abs(x), QUARTERS),
    "exp": (lambda T, x: T.exp(x), QUARTERS), "exp_method": (lambda T, x: x.exp(), QUARTERS),
    "log": (lambda T, x: T.log(x), POSITIVE), "log_method": (lambda T, x: x.log(), POSITIVE),
    "sqrt": (lambda T, x: T.sqrt(x), POSITIVE), "sqrt_method": (lambda T, x: x.sqrt(), POSITIVE),
    "rsqrt": (lambda T, x: T.rsqrt(x), POSITIVE), "rsqrt_method": (lambda T, x: x.rsqrt(), POSITIVE),
    "abs": (lambda T, x: T.abs(x), QUARTERS), "abs_method": (lambda T, x: x.abs(), QUARTERS),
    "sign": (lambda T, x: T.sign(x), QUARTERS), "sign_method": (lambda T, x: x.sign(), QUARTERS),
    "sin": (lambda T, x: T.sin(x), QUARTERS), "cos": (lambda T, x: x.cos(), QUARTERS),
    "tanh": (lambda T, x: T.tanh(x), QUARTERS), "tanh_method": (lambda T, x: x.tanh(), QUARTERS),
    "sigmoid": (lambda T, x: T.sigmoid(x), QUARTERS),
    "sigmoid_method": (lambda T, x: x.sigmoid(), QUARTERS),
    "relu": (lambda T, x: T.relu(x), QUARTERS), "relu_method": (lambda T, x: x.relu(), QUARTERS),
    "reciprocal": (lambda T, x: T.reciprocal(x), NONZERO),
    "reciprocal_method": (lambda T, x: x.reciprocal(), NONZERO),
    "square": (lambda T, x: T.square(x), QUARTERS), "square_method": (lambda T, x: x.square(), QUARTERS),
    "clone": (lambda T, x: T.clone(x), QUARTERS), "clone_method": (lambda T, x: x.clone(), QUARTERS),
    "exp_of_log": (lambda T, x: T.exp(T.log(x)) * x, POSITIVE),
    "floor": (lambda T, x: T.floor(x * 0.5), QUARTERS), "ceil": (lambda T, x: T.ceil(x * 0.5), QUARTERS),
    "round": (lambda T, x: T.round(x), QUARTERS), "trunc": (lambda T, x: T.trunc(x), QUARTERS),
    "floor_method": (lambda T, x: x.floor(), QUARTERS), "round_method": (lambda T, x: x.round(), QUARTERS),
    "isnan": (lambda T, x: T.isnan(T.log(x)), QUARTERS), "isinf": (lambda T, x: T.isinf(1 / x), QUARTERS),
    "isfinite": (lambda T, x: x.reciprocal().isfinite(), QUARTERS),
    "logical_not": (lambda T, x: T.logical_not(x), QUARTERS),
    "detach": (lambda T, x: (x * 2).detach(), QUARTERS),
    "float_method": (lambda T, x: x.float(), QUARTERS), "double_method": (lambda T, x: x.double(), QUARTERS),
    "to_float64": (lambda T, x: x.to(T.float64), QUARTERS),
    "to_same_dtype": (lambda T, x: x.to(x.dtype), QUARTERS),
    "type_as": (lambda T, x: x.type_as(T.ones(1, dtype=T.float64)), QUARTERS),
    "half": (lambda T, x: x.half(), QUARTERS),
    "long": (lambda T, x: x.long(), QUARTERS), "int": (lambda T, x: x.int(), QUARTERS),
    "bool": (lambda T, x: x.bool(), QUARTERS),
    "contiguous": (lambda T, x: x.contiguous(), QUARTERS),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@SETTINGS
@given(data=st.data())
def test_unary(name, data):
    fn, values = UNARY[name]
    x = data.draw(arrays(data.draw(float_dtypes), shapes(), values))
    check(fn, x)


UNARY_ON_INTEGERS = ["neg", "exp", "log", "sqrt", "abs", "sign", "sin", "tanh", "sigmoid", "relu",
                     "reciprocal", "square", "clone", "floor", "round", "logical_not", "float_method",
                     "double_method", "long", "bool", "half"]


@pytest.mark.parametrize("name", UNARY_ON_INTEGERS)
@SETTINGS
@given(data=st.data())
def test_unary_on_integers_and_bools(name, data):
    """Integer inputs: PyTorch's result dtypes (exp of an int is float32; abs keeps int64...)."""
    fn, values = UNARY[name]
    dtype = data.draw(st.sampled_from((np.int64, np.int32, np.uint8, np.bool_)))
    if dtype == np.bool_ and name in ("neg", "sign", "abs", "square", "reciprocal", "relu",
                                      "round"):
        return  # PyTorch refuses or special-cases these on bool (see test_errors)
    x = data.draw(arrays(dtype, shapes(), values))
    check(fn, x)


# ---- elementwise, two inputs (broadcasting) ----------------------------------------------------
BINARY = {
    "add": (lambda T, x, y: T.add(x, y), QUARTERS), "add_method": (lambda T, x, y: x.add(y), QUARTERS),
    "add_alpha": (lambda T, x, y: T.add(x, y, alpha=2), QUARTERS),
    "__add__": (lambda T, x, y: x + y, QUARTERS),
    "sub": (lambda T, x, y: T.sub(x, y), QUARTERS), "sub_alpha": (lambda T, x, y: x.sub(y, alpha=3), QUARTERS),
    "__sub__": (lambda T, x, y: x - y, QUARTERS),
    "mul": (lambda T, x, y: T.mul(x, y), QUARTERS), "__mul__": (lambda T, x, y: x * y, QUARTERS),
    "div": (lambda T, x, y: T.div(x, y), NONZERO), "__truediv__": (lambda T, x, y: x / y, NONZERO),
    "true_divide": (lambda T, x, y: T.true_divide(x, y), NONZERO),
    "div_method": (lambda T, x, y: x.div(y), NONZERO),
    "div_floor": (lambda T, x, y: T.div(x, y, rounding_mode="floor"), NONZERO),
    "div_trunc": (lambda T, x, y: x.div(y, rounding_mode="trunc"), NONZERO),
    "pow": (lambda T, x, y: T.pow(x, y), QUARTERS), "__pow__": (lambda T, x, y: x ** y, POSITIVE),
    "pow_method": (lambda T, x, y: x.pow(y), POSITIVE),
    "maximum": (lambda T, x, y: T.maximum(x, y), QUARTERS),
    "minimum": (lambda T, x, y: x.minimum(y), QUARTERS),
    "max_of_two": (lambda T, x, y: T.max(x, y), QUARTERS),
    "min_of_two": (lambda T, x, y: x.min(y), QUARTERS),
    "clamp_tensors": (lambda T, x, y: x.clamp(min=y), QUARTERS),
    # floor_divide: no gradient here; PyTorch's result requires grad with a node that raises
    "floor_divide": (lambda T, x, y: T.floor_divide(x.detach(), y.detach()), NONZERO),
    "__floordiv__": (lambda T, x, y: x.detach() // y.detach(), NONZERO),
    "remainder": (lambda T, x, y: T.remainder(x, y), NONZERO), "__mod__": (lambda T, x, y: x % y, NONZERO),
    "eq": (lambda T, x, y: T.eq(x, y), QUARTERS), "ne": (lambda T, x, y: x.ne(y), QUARTERS),
    "lt": (lambda T, x, y: T.lt(x, y), QUARTERS), "le": (lambda T, x, y: x.le(y), QUARTERS),
    "gt": (lambda T, x, y: T.gt(x, y), QUARTERS), "ge": (lambda T, x, y: x.ge(y), QUARTERS),
    "__eq__": (lambda T, x, y: x == y, QUARTERS), "__ne__": (lambda T, x, y: x != y, QUARTERS),
    "__lt__": (lambda T, x, y: x < y, QUARTERS), "__le__": (lambda T, x, y: x <= y, QUARTERS),
    "__gt__": (lambda T, x, y: x > y, QUARTERS), "__ge__": (lambda T, x, y: x >= y, QUARTERS),
    "isclose": (lambda T, x, y: T.isclose(x, y.to(x.dtype)), QUARTERS),
    "where_gt": (lambda T, x, y: T.where(x > y, x, y), QUARTERS),
    "where_method": (lambda T, x, y: x.where(x < 0, y), QUARTERS),
    "mixed_expression": (lambda T, x, y: (x * y + x / (y * y + 1) - y.exp()).tanh(), QUARTERS),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@SETTINGS
@given(data=st.data())
def test_binary_broadcasting(name, data):
    fn, values = BINARY[name]
    sx, sy = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3)).input_shapes
    x = data.draw(arrays(data.draw(float_dtypes), sx, values))
    y = data.draw(arrays(data.draw(float_dtypes), sy, values))
    check(fn, x, y)


def test_same_input_twice_accumulates():
    """x + x and x * x: both edges of one input, gradients added (12 for (x + x) * x at 2)."""
    check(lambda T, x: (x + x) * x, np.array([2.0, -1.0], np.float32))
    check(lambda T, x: x * x * x, np.array(3.0, np.float64))


# ---- Python scalars on both sides, and type promotion --------------------------------------------
SCALAR_OPS = {
    "add": lambda T, x, s: x + s, "radd": lambda T, x, s: s + x,
    "sub": lambda T, x, s: x - s, "rsub": lambda T, x, s: s - x,
    "mul": lambda T, x, s: x * s, "rmul": lambda T, x, s: s * x,
    "div": lambda T, x, s: x / s, "rdiv": lambda T, x, s: s / x,
    "pow": lambda T, x, s: x ** s, "rpow": lambda T, x, s: s ** x,
    "eq": lambda T, x, s: x == s, "lt": lambda T, x, s: x < s, "ge": lambda T, x, s: s >= x,
    "add_function": lambda T, x, s: T.add(x, s), "mul_method": lambda T, x, s: x.mul(s),
    "maximum_scalar": lambda T, x, s: x.clamp(min=s), "clamp_max": lambda T, x, s: x.clamp(max=s),
    "floor_divide": lambda T, x, s: x.detach() // s, "remainder": lambda T, x, s: x % s,
    "__rtruediv__": lambda T, x, s: x.__rtruediv__(s),
    "__rfloordiv__": lambda T, x, s: s // x.detach(),  # no gradient (see floor_divide above)
    "__rmod__": lambda T, x, s: s % x.detach(),  # PyTorch: no derivative for a number first
    "where_scalar": lambda T, x, s: T.where(x > 0, x, s),
    "where_scalar_first": lambda T, x, s: T.where(x > 0, s, x),
}
SCALARS = st.sampled_from([2, -3, 1, 0.5, -1.5, 2.0, True, False])


@pytest.mark.parametrize("name", sorted(SCALAR_OPS))
@SETTINGS
@given(data=st.data())
def test_python_scalars_on_both_sides(name, data):
    """Wrapped numbers take part in promotion only by category (int32 + 2.5 is float32)."""
    fn = SCALAR_OPS[name]
    s = data.draw(SCALARS)
    dtype = data.draw(any_dtypes)
    values = NONZERO if name in ("div", "rdiv", "floor_divide", "remainder", "rpow",
                                 "__rtruediv__", "__rfloordiv__", "__rmod__") else QUARTERS
    x = data.draw(arrays(dtype, shapes(), values))
    if dtype == np.bool_ and name in ("sub", "rsub") or isinstance(s, bool) and name in (
            "sub", "rsub"):
        return  # bool subtraction is an error (test_errors)
    if name in ("floor_divide", "remainder", "div", "rpow") and (s == 0 or s is False):
        return  # an integer division by zero is an error (test_errors)
    if name == "pow" and (isinstance(s, int) and s < 0 and np.dtype(dtype).kind in "iub"):
        return
    if dtype == np.bool_ and name in ("pow", "rpow", "maximum_scalar", "clamp_max",
                                      "floor_divide", "remainder", "__rfloordiv__", "__rmod__"):
        return  # not implemented for bool tensors in PyTorch
    if name == "rpow" and isinstance(s, bool):
        return  # a bool base is an internal error in PyTorch
    check(fn, x, s)


PROMOTING = {
    "add": lambda T, x, y: x + y, "mul": lambda T, x, y: T.mul(x, y),
    "div": lambda T, x, y: x / y, "maximum": lambda T, x, y: T.maximum(x, y),
    "eq": lambda T, x, y: x == y, "lt": lambda T, x, y: T.lt(x, y),
    "where": lambda T, x, y: T.where(x != 0, x, y),
    "sub": lambda T, x, y: x - y,
}


@pytest.mark.parametrize("name", sorted(PROMOTING))
@SETTINGS
@given(data=st.data())
def test_type_promotion(name, data):
    """bool < integers < floats; 0-d tensors weaker than dimensioned ones; widths combine."""
    fn = PROMOTING[name]
    dx, dy = data.draw(any_dtypes), data.draw(any_dtypes)
    if name == "sub" and np.bool_ in (dx, dy):
        return  # an error in PyTorch (test_errors)
    sx = data.draw(st.sampled_from([(), (3,), (2, 3)]))
    sy = data.draw(st.sampled_from([(), (3,), (1, 3)]))
    x = data.draw(arrays(dx, sx, NONZERO))
    y = data.draw(arrays(dy, sy, NONZERO))
    check(fn, x, y)


@SETTINGS
@given(data=st.data())
def test_integer_powers(data):
    """Integers to negative integer powers: 0 unless the base is ±1 (tensor exponents)."""
    dtype = data.draw(st.sampled_from((np.int64, np.int32)))
    sx, sy = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2)).input_shapes
    x = data.draw(arrays(dtype, sx))
    y = data.draw(hnp.arrays(dtype, sy, elements=st.integers(-3, 3)))
    check(lambda T, a, b: a ** b, x, y)
    check(lambda T, a, b: T.pow(a, b), x, y)
    check(lambda T, a, b: 2 ** b, x, y)
    check(lambda T, a, b: a ** 2, x, y)



@pytest.mark.parametrize("base", [0.0, 0, -2.0, -0.5, 1.0])
def test_number_to_a_tensor_power_at_a_zero_or_negative_base(base):
    """0ˣ: the gradient 0·ln 0 is 0 where x ≥ 0 and -inf below; negative bases: nan (no warning)."""
    x = np.array([-1.5, -1.0, 0.0, 0.5, 2.0], np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(lambda T, e: base ** e, x)
        check(lambda T, e: T.pow(base, e), x.astype(np.float32))

BITWISE = {
    "__and__": lambda T, x, y: x & y, "__or__": lambda T, x, y: x | y,
    "__xor__": lambda T, x, y: x ^ y, "__invert__": lambda T, x, y: ~x,
    "__rand__": lambda T, x, y: True & x, "__ror__": lambda T, x, y: 2 | x,
    "__rxor__": lambda T, x, y: 1 ^ x, "logical_not": lambda T, x, y: x.logical_not(),
}


@pytest.mark.parametrize("name", sorted(BITWISE))
@SETTINGS
@given(data=st.data())
def test_bitwise_operators_on_bools_and_integers(name, data):
    dtype = data.draw(st.sampled_from((np.bool_, np.int64, np.int32, np.uint8)))
    sx, sy = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2)).input_shapes
    x, y = data.draw(arrays(dtype, sx)), data.draw(arrays(dtype, sy))
    if dtype == np.bool_ and name in ("__ror__", "__rxor__"):
        x = x.astype(np.int64)  # an int with a bool tensor: the result is int64
    check(BITWISE[name], x, y)


@pytest.mark.parametrize("pair", [("int32", "float64"), ("uint8", "int32"), ("bool", "uint8"),
                                  ("float32", "float64"), ("int64", "float32"), ("bool", "bool"),
                                  ("uint8", "int64"), ("int32", "bool")])
def test_promote_types_and_result_type(pair):
    a, b = pair
    assert str(mg.promote_types(getattr(mg, a), getattr(mg, b))) == \
        str(torch.promote_types(getattr(torch, a), getattr(torch, b)))
    for x, y in [(np.ones(2, getattr(np, a) if a != "bool" else np.bool_), 2.5),
                 (np.ones((), getattr(np, a) if a != "bool" else np.bool_),
                  np.ones(2, getattr(np, b) if b != "bool" else np.bool_))]:
        got = mg.result_type(mg.tensor(x), mg.tensor(y) if isinstance(y, np.ndarray) else y)
        want = torch.result_type(torch.tensor(x),
                                 torch.tensor(y) if isinstance(y, np.ndarray) else y)
        assert str(got) == str(want)


# ---- reductions ------------------------------------------------------------------------------
def _dims(data, ndim, allow_tuple=True):
    """None, an int (maybe negative) or a tuple of distinct dims of a tensor of ``ndim`` dims."""
    if ndim == 0:
        return data.draw(st.sampled_from([None, 0, -1]))
    one = st.integers(-ndim, ndim - 1)
    options = [st.none(), one]
    if allow_tuple:
        options.append(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim,
                                unique=True).map(lambda ds: tuple(d - ndim if d % 2 else d
                                                                  for d in ds)))
    return data.draw(st.one_of(*options))


REDUCTIONS = {
    "sum": (lambda T, x, d, k: T.sum(x) if d is None else T.sum(x, d, keepdim=k), True),
    "sum_method": (lambda T, x, d, k: x.sum(dim=d, keepdim=k) if d is not None else x.sum(), True),
    "mean": (lambda T, x, d, k: T.mean(x) if d is None else T.mean(x, d, keepdim=k), True),
    "mean_method": (lambda T, x, d, k: x.mean(d, k) if d is not None else x.mean(), True),
    "prod": (lambda T, x, d, k: T.prod(x) if d is None else T.prod(x, d, keepdim=k), False),
    "amax": (lambda T, x, d, k: T.amax(x) if d is None else T.amax(x, d, keepdim=k), True),
    "amin": (lambda T, x, d, k: x.amin() if d is None else x.amin(d, keepdim=k), True),
    "max": (lambda T, x, d, k: T.max(x) if d is None else T.max(x, d, keepdim=k), False),
    "min": (lambda T, x, d, k: x.min() if d is None else x.min(d, k), False),
    "max_dim_keyword": (lambda T, x, d, k: x.max() if d is None else x.max(dim=d, keepdim=k), False),
    "argmax": (lambda T, x, d, k: T.argmax(x) if d is None else T.argmax(x, d, keepdim=k), False),
    "argmin": (lambda T, x, d, k: x.argmin() if d is None else x.argmin(dim=d, keepdim=k), False),
    "norm": (lambda T, x, d, k: T.norm(x) if d is None else T.norm(x, dim=d, keepdim=k), True),
    "norm_p1": (lambda T, x, d, k: x.norm(p=1, dim=d, keepdim=k), True),
    "norm_p3": (lambda T, x, d, k: x.norm(3, d, k), True),
    "norm_inf": (lambda T, x, d, k: x.norm(p=float("inf"), dim=d, keepdim=k), True),
    "logsumexp": (lambda T, x, d, k: T.logsumexp(x, d if d is not None else 0, keepdim=k), True),
    "logsumexp_method": (lambda T, x, d, k: x.logsumexp(d if d is not None else -1, k), True),
    "all": (lambda T, x, d, k: T.all(x > 0) if d is None else (x > 0).all(d, keepdim=k), False),
    "any": (lambda T, x, d, k: T.any(x > 0) if d is None else (x < 0).any(dim=d, keepdim=k), False),
    "count_nonzero_by_sum": (lambda T, x, d, k: (x != 0).sum(d, keepdim=k) if d is not None
                             else (x != 0).sum(), True),
}


@pytest.mark.parametrize("name", sorted(REDUCTIONS))
@SETTINGS
@given(data=st.data())
def test_reductions(name, data):
    fn, tuples = REDUCTIONS[name]
    x = data.draw(arrays(data.draw(float_dtypes), shapes(), UNIT if name == "prod" else QUARTERS))
    d = _dims(data, x.ndim, allow_tuple=tuples)
    k = data.draw(st.booleans())
    check(lambda T, t: fn(T, t, d, k), x)


@pytest.mark.parametrize("name", ["sum", "prod", "max", "argmax", "amin", "all"])
@SETTINGS
@given(data=st.data())
def test_reductions_of_integers_and_bools(name, data):
    """Sums and products of ints and bools are int64; max keeps the dtype."""
    fn, _ = REDUCTIONS[name]
    dtypes = (np.int32, np.int64, np.uint8) + ((np.bool_,) if name != "argmax" else ())
    x = data.draw(arrays(data.draw(st.sampled_from(dtypes)), shapes()))
    d = _dims(data, x.ndim, allow_tuple=False)
    check(lambda T, t: fn(T, t, d, False), x)


@MORE
@given(data=st.data())
def test_prod_with_zeros(data):
    """The gradient of a product where some factors are 0 (no division by zero)."""
    x = data.draw(arrays(np.float64, shapes(min_dims=1), [0.0, 0.0, 1.5, -2.0, 0.5]))
    d = data.draw(st.one_of(st.none(), st.integers(0, x.ndim - 1)))
    check(lambda T, t: t.prod() if d is None else t.prod(d), x)


@MORE
@given(data=st.data())
def test_max_min_with_dim_return_values_and_indices(data):
    x = data.draw(arrays(np.float32, shapes(min_dims=1), [-1.0, 0.0, 0.5, 2.0]))
    d = data.draw(st.integers(-x.ndim, x.ndim - 1))
    keep = data.draw(st.booleans())
    outs = check(lambda T, t: T.max(t, d, keep), x)
    assert repr(outs[0]).startswith("torch.return_types.max(\nvalues=tensor(")
    assert repr(outs[0]) == repr(outs[1])  # values are picked from the input: exact
    check(lambda T, t: t.min(dim=d, keepdim=keep), x)
    check(lambda T, t: T.min(t, d)[0] * 2 + T.max(t, d).values, x)
    mine, theirs = check(lambda T, t: t.max(d).indices, x)
    assert str(mine.dtype) == "torch.int64"


def test_return_types_print_as_pytorch():
    x = [[1.0, 5.0, 2.0], [4.0, 3.0, 4.0]]
    a = mg.tensor(x, requires_grad=True).max(1)
    b = torch.tensor(x, requires_grad=True).max(1)
    assert repr(a) == repr(b)
    assert repr(mg.tensor(x).min(0, keepdim=True)) == repr(torch.tensor(x).min(0, keepdim=True))
    values, indices = mg.tensor(x).max(1)
    assert indices.tolist() == [1, 0] and values.tolist() == [5.0, 4.0]


# ---- softmax family, clamp, where, norm -------------------------------------------------------
MISC = {
    "softmax": lambda T, x, d: T.softmax(x, d), "softmax_method": lambda T, x, d: x.softmax(d),
    "softmax_dtype": lambda T, x, d: x.softmax(d, dtype=T.float64),
    "log_softmax": lambda T, x, d: T.log_softmax(x, d),
    "log_softmax_method": lambda T, x, d: x.log_softmax(dim=d),
    "softmax_then_log": lambda T, x, d: x.softmax(d).log(),
    "clamp_both": lambda T, x, d: T.clamp(x, -1.0, 1.5), "clamp_min": lambda T, x, d: x.clamp(min=0),
    "clamp_max": lambda T, x, d: x.clamp(max=-0.5), "clip": lambda T, x, d: T.clip(x, -1, 1),
    "clip_method": lambda T, x, d: x.clip(0.25, 0.75),
    "where_mask": lambda T, x, d: T.where(x > 0, x * 2, -x),
    "where_scalars": lambda T, x, d: T.where(x > 0, 1.0, 0.0),
    "where_one_tensor": lambda T, x, d: T.where(x < 0.5, x, 0.5),
    "norm_fro": lambda T, x, d: x.norm("fro"), "norm_2": lambda T, x, d: T.norm(x, 2),
    "norm_dim": lambda T, x, d: x.norm(dim=d), "norm_keepdim": lambda T, x, d: x.norm(dim=d, keepdim=True),
    "sigmoid_of_sum": lambda T, x, d: (x.sum(d) * 3).sigmoid(),
    "squared_error": lambda T, x, d: ((x - 0.5) ** 2).mean(),
    "cross_entropy_by_hand": lambda T, x, d: -(x.log_softmax(d) * x.softmax(d)).sum(),
}


@pytest.mark.parametrize("name", sorted(MISC))
@SETTINGS
@given(data=st.data())
def test_softmax_clamp_where_norm(name, data):
    x = data.draw(arrays(data.draw(float_dtypes), shapes(min_dims=1), QUARTERS))
    d = data.draw(st.integers(-x.ndim, x.ndim - 1))
    check(lambda T, t: MISC[name](T, t, d), x)


# ---- linear algebra --------------------------------------------------------------------------
@MORE
@given(data=st.data())
def test_matmul_ranks_one_to_three_with_batch_broadcasting(data):
    n, m, p = (data.draw(st.integers(1, 3)) for _ in range(3))
    batch = data.draw(st.sampled_from([(), (2,), (1,), (3,)]))
    other_batch = data.draw(st.sampled_from([(), (2,), (1,)])) if batch in ((), (1,)) else \
        data.draw(st.sampled_from([(), batch, (1,)]))
    left = data.draw(st.sampled_from([(m,), (n, m), batch + (n, m)]))
    right = data.draw(st.sampled_from([(m,), (m, p), other_batch + (m, p)]))
    dtype = data.draw(float_dtypes)
    x, y = data.draw(arrays(dtype, left)), data.draw(arrays(dtype, right))
    grads = data.draw(st.sampled_from([(True, True), (True, False), (False, True)]))
    check(lambda T, a, b: a @ b, x, y)
    check(lambda T, a, b: T.matmul(a, b), x, y)
    check(lambda T, a, b: a.matmul(b), x, y)
    # which inputs require grad changes PyTorch's graph (folded mm or batched bmm)
    check(lambda T, a, b: (a.detach().requires_grad_(grads[0]) if grads[0] else a.detach())
          @ (b.detach().requires_grad_(grads[1]) if grads[1] else b.detach()), x, y, grad=False)


@MORE
@given(data=st.data())
def test_mm_mv_dot_outer(data):
    n, m, p = (data.draw(st.integers(1, 4)) for _ in range(3))
    dtype = data.draw(float_dtypes)
    a, b = data.draw(arrays(dtype, (n, m))), data.draw(arrays(dtype, (m, p)))
    v, w = data.draw(arrays(dtype, (m,))), data.draw(arrays(dtype, (n,)))
    check(lambda T, x, y: T.mm(x, y), a, b)
    check(lambda T, x, y: x.mm(y), a, b)
    check(lambda T, x, y: T.mv(x, y), a, v)
    check(lambda T, x, y: x.mv(y), a, v)
    check(lambda T, x, y: T.dot(x, y), v, v)
    check(lambda T, x, y: x.dot(y), v, v * 2)
    check(lambda T, x, y: T.outer(x, y), v, w)
    check(lambda T, x, y: x.outer(y), w, v)


def test_integer_matmul():
    a = np.arange(6, dtype=np.int64).reshape(2, 3)
    check(lambda T, x, y: x @ y, a, a.T.copy(), grad=False)
    check(lambda T, x, y: x @ y, a[0].copy(), a[1].copy(), grad=False)
    check(lambda T, x, y: x @ y, np.stack([a, a]), a.T.copy(), grad=False)


# ---- shapes ----------------------------------------------------------------------------------
SHAPE_OPS = {
    "reshape_flat": lambda T, x, r: x.reshape(-1), "reshape_tuple": lambda T, x, r: T.reshape(x, (x.numel(),)),
    "reshape_back": lambda T, x, r: x.reshape(-1).reshape(x.shape),
    "reshape_of_transpose": lambda T, x, r: x.transpose(0, -1).reshape(-1),
    "reshape_as": lambda T, x, r: x.reshape(-1).reshape_as(x),
    "view_flat": lambda T, x, r: x.view(-1), "view_args": lambda T, x, r: x.view(*x.shape) if x.ndim else x.view(()),
    "view_as": lambda T, x, r: x.view(-1).view_as(x),
    "flatten": lambda T, x, r: T.flatten(x), "flatten_method": lambda T, x, r: x.flatten(),
    "flatten_range": lambda T, x, r: x.flatten(r % max(x.ndim, 1)),
    "flatten_of_transpose": lambda T, x, r: x.t().flatten() if x.ndim <= 2 else x.mT.flatten(1),
    "expand": lambda T, x, r: x.expand(2, *x.shape), "expand_minus_one": lambda T, x, r: x.expand(3, *([-1] * x.ndim)),
    "expand_as": lambda T, x, r: x.expand_as(T.ones((2,) + tuple(x.shape))),
    "broadcast_to": lambda T, x, r: x.broadcast_to((2,) + tuple(x.shape)),
    "permute": lambda T, x, r: x.permute(tuple(reversed(range(x.ndim)))),
    "permute_function": lambda T, x, r: T.permute(x, tuple(range(x.ndim))[::-1]),
    "permute_roll": lambda T, x, r: x.permute(*(list(range(1, x.ndim)) + [0])) if x.ndim else x.permute(()),
    "transpose": lambda T, x, r: x.transpose(0, -1) if x.ndim else x.transpose(0, 0),
    "transpose_function": lambda T, x, r: T.transpose(x, -1, 0) if x.ndim else x,
    "swapaxes": lambda T, x, r: x.swapaxes(0, -1) if x.ndim else x,
    "t": lambda T, x, r: x.t() if x.ndim <= 2 else x.transpose(0, 1),
    "t_function": lambda T, x, r: T.t(x) if x.ndim <= 2 else x,
    "T": lambda T, x, r: x.T if x.ndim != 3 else x.permute(2, 1, 0),
    "mT": lambda T, x, r: x.mT if x.ndim >= 2 else x,
    "squeeze": lambda T, x, r: x.unsqueeze(0).squeeze(), "squeeze_function": lambda T, x, r: T.squeeze(x),
    "squeeze_dim": lambda T, x, r: x.unsqueeze(1 if x.ndim else 0).squeeze(1 if x.ndim else 0),
    "squeeze_dim_not_one": lambda T, x, r: x.squeeze(-1) if x.ndim else x.squeeze(0),
    "squeeze_dims": lambda T, x, r: x.unsqueeze(0).unsqueeze(-1).squeeze((0, -1)),
    "unsqueeze": lambda T, x, r: x.unsqueeze(r % (x.ndim + 1)),
    "unsqueeze_negative": lambda T, x, r: T.unsqueeze(x, -1),
    "select": lambda T, x, r: x.select(0, r % x.shape[0]) if x.ndim else x,
    "select_function": lambda T, x, r: T.select(x, -1, -1) if x.ndim else x,
    "unbind": lambda T, x, r: x.unbind() if x.ndim else (x,),
    "unbind_last": lambda T, x, r: T.unbind(x, -1) if x.ndim else (x,),
    "split": lambda T, x, r: x.split(2) if x.ndim else (x,),
    "split_sizes": lambda T, x, r: T.split(x, [1, x.shape[0] - 1]) if x.ndim else (x,),
    "split_dim": lambda T, x, r: x.split(1, dim=-1) if x.ndim else (x,),
    "chunk": lambda T, x, r: x.chunk(3) if x.ndim else (x,),
    "chunk_function": lambda T, x, r: T.chunk(x, 2, -1) if x.ndim else (x,),
    "contiguous_of_transpose": lambda T, x, r: x.transpose(0, -1).contiguous() if x.ndim else x,
    "size": lambda T, x, r: x.size(), "shape": lambda T, x, r: x.shape,
    "size_dim": lambda T, x, r: x.size(-1) if x.ndim else x.numel(),
    "dim": lambda T, x, r: (x.dim(), x.ndim, x.ndimension(), x.numel(), x.nelement(), T.numel(x)),
    "element_size": lambda T, x, r: x.element_size(),
    "len": lambda T, x, r: len(x) if x.ndim else -1,
}


# .T on other than 2-D warns in both libraries (tests/test_warnings.py compares the warnings)
@pytest.mark.filterwarnings("ignore:Tensor.T is deprecated on 0-D tensors:UserWarning")
@pytest.mark.filterwarnings("ignore:The use of `x.T` on tensors:UserWarning")
@pytest.mark.parametrize("name", sorted(SHAPE_OPS))
@SETTINGS
@given(data=st.data())
def test_shape_ops(name, data):
    x = data.draw(arrays(data.draw(float_dtypes), shapes()))
    r = data.draw(st.integers(0, 5))
    check(lambda T, t: SHAPE_OPS[name](T, t, r), x)


@MORE
@given(data=st.data())
def test_cat_and_stack(data):
    shape = data.draw(shapes(min_dims=1))
    d = data.draw(st.integers(-len(shape), len(shape) - 1))
    grown = list(shape)
    grown[d] = data.draw(st.integers(1, 3))
    dx, dy = data.draw(float_dtypes), data.draw(float_dtypes)
    x, y = data.draw(arrays(dx, shape)), data.draw(arrays(dy, tuple(grown)))
    z = data.draw(arrays(dx, shape))
    check(lambda T, a, b: T.cat([a, b], d), x, y)
    check(lambda T, a, b: T.cat((a, b, a), dim=d), x, y)
    check(lambda T, a, b: T.concat([b, a], d), x, y)
    check(lambda T, a, b: T.concatenate([a], d), x, y)
    s = data.draw(st.integers(-len(shape) - 1, len(shape)))
    check(lambda T, a, b: T.stack([a, b], s), x, z)
    check(lambda T, a, b: T.stack((a, b, a), dim=s), x, z)


@SETTINGS
@given(data=st.data())
def test_meshgrid(data):
    dtype = data.draw(float_dtypes)
    x, y = data.draw(arrays(dtype, (data.draw(st.integers(1, 4)),))), \
        data.draw(arrays(dtype, (data.draw(st.integers(1, 3)),)))
    check(lambda T, a, b: T.meshgrid(a, b, indexing="ij"), x, y)
    check(lambda T, a, b: T.meshgrid([a, b, a], indexing="xy"), x, y)
    check(lambda T, a: T.meshgrid(a, indexing="xy"), x)
    for bad in (lambda T: T.meshgrid(T.ones(2), T.ones(2, dtype=T.float64), indexing="ij"),
                lambda T: T.meshgrid(T.ones(2), indexing="foo")):
        assert outcome(bad, mg) == outcome(bad, torch)


# ---- indexing --------------------------------------------------------------------------------
class _Index:
    """An index list or mask in a generated key (made a tensor, or a list, for each library)."""

    def __init__(self, kind, values):
        self.kind, self.values = kind, values

    def __repr__(self):
        return f"{self.kind}{self.values}"


@st.composite
def index_keys(draw, shape):
    """Keys mixing ints, slices, None, Ellipsis, integer index lists (with repeats) and masks."""
    items, dim, used_ellipsis, arrays_used = [], 0, False, 0
    while dim < len(shape) and draw(st.booleans()) or not items:
        if dim >= len(shape):
            items.append(draw(st.sampled_from([None, Ellipsis])))
            break
        size = shape[dim]
        kind = draw(st.sampled_from(["int", "slice", "none", "ellipsis", "list", "mask", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-size, size)))
            stop = draw(st.one_of(st.none(), st.integers(-size - 1, size + 1)))
            items.append(slice(start, stop, draw(st.one_of(st.none(), st.integers(1, 3)))))
        elif kind == "none":
            items.append(None)
            continue
        elif kind == "ellipsis" and not used_ellipsis:
            items.append(Ellipsis)
            used_ellipsis = True
            dim = len(shape) - max(0, draw(st.integers(0, len(shape) - dim)))
            continue
        elif kind == "list" and arrays_used < 2:
            n = draw(st.integers(1, 4))
            items.append(_Index("list", draw(st.lists(st.integers(-size, size - 1), min_size=n,
                                                      max_size=n))))
            arrays_used += 1
        elif kind == "mask" and arrays_used == 0:
            items.append(_Index("mask", draw(st.lists(st.booleans(), min_size=size,
                                                      max_size=size))))
            arrays_used += 2
        else:
            items.append(slice(None))
        dim += 1
    lists = [i for i in items if isinstance(i, _Index) and i.kind == "list"]
    if len(lists) == 2:  # two index lists must broadcast: give them one length
        n = max(len(lists[0].values), len(lists[1].values))
        for i in lists:
            i.values = (i.values * n)[:n]
    return tuple(items) if len(items) != 1 or draw(st.booleans()) else items[0]


def _key_for(T, key):
    """The key with index lists and masks as tensors (or kept as Python lists)."""
    def one(item):
        if isinstance(item, _Index):
            return T.tensor(item.values) if item.kind == "mask" or len(item.values) % 2 \
                else list(item.values)
        return item
    return tuple(one(i) for i in key) if isinstance(key, tuple) else one(key)


@MORE
@given(data=st.data())
def test_indexing(data):
    x = data.draw(arrays(data.draw(float_dtypes), shapes(min_dims=1)))
    key = data.draw(index_keys(x.shape))
    check(lambda T, t: t[_key_for(T, key)], x)
    check(lambda T, t: t[_key_for(T, key)] * 2, x)


def test_indexing_examples():
    x = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
    for key in [0, -1, (0, 1), (0, 1, 2), slice(None), slice(1, None), (slice(None), 1),
                (Ellipsis, 1), (None, 0), (0, None, slice(None, 2)), Ellipsis, (Ellipsis, None),
                [1, 1], (0, [2, 0, 2]), (1, Ellipsis, [0, 0, 3]), (0, slice(None), [3, 1]),
                (slice(None), [0, 2], slice(1, 3)), ([0, 1], slice(None), [0, 3]), True,
                (0, False), (slice(0, 100),), (slice(None, None, 2),), (0, slice(None), 0)]:
        check(lambda T, t: t[key], x)
    for key in [lambda T: T.tensor([1, 0, 1]), lambda T: (T.tensor([[0], [1]]),
                                                          T.tensor([[0, 2]])),
                lambda T: T.tensor([True, False]), lambda T: (slice(None),
                                                              T.tensor([True, False, True])),
                lambda T: T.tensor([[True, False, True], [False, False, True]]),
                lambda T: (T.tensor(1), 2), lambda T: (None, T.tensor([1]), None)]:
        check(lambda T, t: t[key(T)], x)


def test_setitem_then_backward():
    """x[key] = v on a non-leaf: values, CopySlices / IndexPutBackward0, gradients."""
    x0, v0 = np.arange(6, dtype=np.float32).reshape(2, 3), np.array([10.0, 20.0], np.float32)

    def put(key):
        def fn(T, x, v):
            y = x * 1
            y[key(T)] = v
            return y
        return fn

    check(put(lambda T: (slice(None), 1)), x0, v0)
    check(put(lambda T: (0, [0, 2])), x0, v0)
    check(put(lambda T: T.tensor([[True, False, False], [False, True, False]])), x0, v0)


# ---- creation --------------------------------------------------------------------------------
CREATION = {
    "zeros": lambda T, n: T.zeros(n, 2), "zeros_tuple": lambda T, n: T.zeros((n, 3)),
    "zeros_size": lambda T, n: T.zeros(T.ones(n, 2).shape),
    "zeros_int": lambda T, n: T.zeros(n, dtype=T.int64), "zeros_bool": lambda T, n: T.zeros(n, dtype=T.bool),
    "ones": lambda T, n: T.ones(n), "ones_double": lambda T, n: T.ones(2, n, dtype=T.float64),
    "ones_int32": lambda T, n: T.ones(n, dtype=T.int32), "ones_rg": lambda T, n: T.ones(n, requires_grad=True),
    "zeros_like": lambda T, n: T.zeros_like(T.ones(n, 2, dtype=T.float64)),
    "ones_like": lambda T, n: T.ones_like(T.arange(n)),
    "full_like": lambda T, n: T.full_like(T.ones(n), 7), "full": lambda T, n: T.full((n, 2), 1.5),
    "full_int": lambda T, n: T.full((n,), 3), "full_bool": lambda T, n: T.full((n,), True),
    "full_dtype": lambda T, n: T.full((n,), 2, dtype=T.float64),
    "empty_shape": lambda T, n: T.empty(n, 3).shape, "empty_like_dtype": lambda T, n: T.empty_like(T.ones(n, dtype=T.int32)).dtype,
    "arange": lambda T, n: T.arange(n), "arange_float": lambda T, n: T.arange(float(n)),
    "arange_start": lambda T, n: T.arange(-n, n), "arange_step": lambda T, n: T.arange(0, n, 0.5),
    "arange_negative_step": lambda T, n: T.arange(n, -n, -2),
    "arange_dtype": lambda T, n: T.arange(n, dtype=T.float64),
    "arange_float_step": lambda T, n: T.arange(1, 2, 0.25), "arange_rg": lambda T, n: T.arange(float(n), requires_grad=True),
    "linspace": lambda T, n: T.linspace(0, 1, n), "linspace_negative": lambda T, n: T.linspace(-2.5, 2.5, n + 1),
    "linspace_dtype": lambda T, n: T.linspace(0, 10, n, dtype=T.float64),
    "eye": lambda T, n: T.eye(n), "eye_rect": lambda T, n: T.eye(n, 3), "eye_int": lambda T, n: T.eye(n, dtype=T.int64),
    "tensor_int_list": lambda T, n: T.tensor(list(range(n))),
    "tensor_float_list": lambda T, n: T.tensor([k / 4 for k in range(n)]),
    "tensor_nested": lambda T, n: T.tensor([[k, k + 0.5] for k in range(n)]),
    "tensor_bool_list": lambda T, n: T.tensor([k % 2 == 0 for k in range(n)]),
    "tensor_mixed_bool_int": lambda T, n: T.tensor([True, n]),
    "tensor_mixed_int_float": lambda T, n: T.tensor([[1, 2], [n, 0.5]]),
    "tensor_scalar_int": lambda T, n: T.tensor(n), "tensor_scalar_float": lambda T, n: T.tensor(n / 4),
    "tensor_scalar_bool": lambda T, n: T.tensor(n > 1), "tensor_tuple": lambda T, n: T.tensor((n, n)),
    "tensor_empty": lambda T, n: T.tensor([]), "tensor_empty_nested": lambda T, n: T.tensor([[]] * n),
    "tensor_dtype": lambda T, n: T.tensor([1, n], dtype=T.float64),
    "tensor_dtype_to_int": lambda T, n: T.tensor([1.5, n], dtype=T.int32),
    "tensor_requires_grad": lambda T, n: T.tensor([1.0, n], requires_grad=True),
    "tensor_of_0d_tensors": lambda T, n: T.tensor([T.tensor(1.5), T.tensor(n)]),
    "tensor_of_rows": lambda T, n: T.tensor([[1, 2], T.ones(2)]),
    "tensor_of_numpy_scalars": lambda T, n: T.tensor([np.float64(1.5), n]),
    "tensor_of_numpy_int32": lambda T, n: T.tensor([np.int32(1), n]),
    "tensor_range": lambda T, n: T.tensor(range(n)),
    # where the one-call path for lists of Python numbers hands over to the checking passes
    "tensor_nested_numpy_float64": lambda T, n: T.tensor([[1.5, n], [np.float64(2.5), 1.0]]),
    "tensor_nested_0d_float64": lambda T, n: T.tensor([[1.5, T.tensor(n, dtype=T.float64)]]),
    "tensor_float_overflow": lambda T, n: T.tensor([[1e300, n], [-1e300, 0.5]]),
    "tensor_precision_float64": lambda T, n: T.tensor([0.1, n / 3], dtype=T.float64),
    "tensor_float16": lambda T, n: T.tensor([[0.1, n / 3]], dtype=T.float16),
    "tensor_floats_to_int": lambda T, n: T.tensor([[1.7, -1.7], [n + 0.5, 0.0]], dtype=T.int64),
    "tensor_ints_to_float": lambda T, n: T.tensor([[2 ** 40 + 1, n]], dtype=T.float32),
    "tensor_big_int_among_floats": lambda T, n: T.tensor([2 ** 70, n + 0.5]),
    "tensor_3d": lambda T, n: T.tensor([[[k, 0.5], [True, 2]] for k in range(n)]),
}


@pytest.mark.parametrize("name", sorted(CREATION))
@pytest.mark.parametrize("n", [1, 2, 3])
def test_creation(name, n):
    check(lambda T: CREATION[name](T, n))


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64, np.uint8, np.int8,
                                   np.int16, np.int32, np.int64, np.bool_])
def test_tensor_from_numpy_arrays_of_each_dtype(dtype):
    a = (np.arange(6).reshape(2, 3) % 3).astype(dtype)
    check(lambda T: T.tensor(a))
    check(lambda T: T.tensor(a[0, 1]))  # a numpy scalar keeps its dtype
    check(lambda T: T.as_tensor(a))
    check(lambda T: T.from_numpy(a))
    check(lambda T: T.tensor(a, dtype=T.float32))
    check(lambda T: T.tensor(a.T))


def test_from_numpy_and_as_tensor_share_memory():
    for T in (mg, torch):
        a = np.zeros(3, np.float32)
        t, u = T.from_numpy(a), T.as_tensor(a)
        a[0] = 5
        assert t[0].item() == 5 and u[0].item() == 5
        t.numpy()[1] = 7
        assert a[1] == 7
        v = T.tensor(a)
        a[2] = 9
        assert v[2].item() == 0


def test_creation_dtypes_and_default_dtype():
    assert str(mg.get_default_dtype()) == str(torch.get_default_dtype())
    for name in ("float16", "float32", "float64", "uint8", "int8", "int16", "int32", "int64",
                 "bool", "half", "float", "double", "short", "int", "long"):
        assert str(getattr(mg, name)) == str(getattr(torch, name)), name
        assert getattr(mg, name).is_floating_point == getattr(torch, name).is_floating_point
        assert getattr(mg, name).itemsize == getattr(torch, name).itemsize
    assert mg.float is mg.float32 and mg.long is mg.int64 and mg.double is mg.float64


# ---- Size, conversions, Python protocols ---------------------------------------------------------
@MORE
@given(data=st.data())
def test_size_behaves_like_torch_size(data):
    shape = data.draw(shapes(max_dims=4, min_side=0))
    a, b = mg.zeros(shape).shape, torch.zeros(shape).shape
    assert repr(a) == repr(b) and str(a) == str(b)
    assert a == b and a == tuple(shape) and tuple(a) == tuple(b)
    assert len(a) == len(b) and list(a) == list(b)
    assert a.numel() == b.numel()
    assert isinstance(a, tuple) and type(a).__name__ == "Size"
    assert_same(a[1:], b[1:])
    assert_same(a[:0], b[:0])
    if shape:
        assert a[0] == b[0] and a[-1] == b[-1] and type(a[0]) is int
    assert f"{a}" == f"{b}"
    assert hash(a) == hash(tuple(shape))


CONVERSIONS = {
    "item_float": lambda T, x: x.sum().item(), "item_int": lambda T, x: x.long().sum().item(),
    "item_bool": lambda T, x: (x > 0).all().item(), "item_one_element": lambda T, x: x.reshape(-1)[:1].item(),
    "tolist": lambda T, x: x.tolist(), "tolist_int": lambda T, x: x.long().tolist(),
    "tolist_bool": lambda T, x: (x > 0).tolist(), "numpy": lambda T, x: x.detach().numpy(),
    "numpy_double": lambda T, x: x.detach().double().numpy(),
    "bool_single": lambda T, x: bool(x.reshape(-1)[0]), "float": lambda T, x: float(x.sum()),
    "int": lambda T, x: int(x.sum()), "index": lambda T, x: [10, 20, 30][x.long().abs().sum() % 3],
    "len": lambda T, x: len(x) if x.ndim else 0, "iteration": lambda T, x: list(x) if x.ndim else [x],
    "iteration_values": lambda T, x: [float(r.sum()) for r in x] if x.ndim else [],
    "format": lambda T, x: f"{x.sum():.3f}", "format_empty_spec": lambda T, x: f"{x.detach()}",
    "str": lambda T, x: str(x), "is_floating_point": lambda T, x: (x.is_floating_point(), x.long().is_floating_point(), T.is_floating_point(x)),
    "is_tensor": lambda T, x: (T.is_tensor(x), T.is_tensor(1.0)),
    "equal": lambda T, x: (T.equal(x, x * 1), x.equal(x + 1)),
    "allclose": lambda T, x: (T.allclose(x, x + 1e-9), x.allclose(x + 1)),
    "nonzero": lambda T, x: x.nonzero(), "nonzero_tuple": lambda T, x: T.nonzero(x, as_tuple=True) if x.ndim else (),
    "where_one_argument": lambda T, x: T.where(x > 0) if x.ndim else (),
    "requires_grad_flags": lambda T, x: (x.requires_grad, x.is_leaf, (x * 2).requires_grad, (x * 2).is_leaf, x.detach().requires_grad),
    "data": lambda T, x: x.data, "device": lambda T, x: (str(x.device), x.is_cuda),
    "cpu": lambda T, x: x.cpu(), "to_tensor_dtype": lambda T, x: x.to(T.ones(1, dtype=T.int32)),
    "dtype_str": lambda T, x: (str(x.dtype), str(x.long().dtype), str((x > 0).dtype)),
    "no_grad": lambda T, x: _in_no_grad(T, x),
}


def _in_no_grad(T, x):
    with T.no_grad():
        y = x * 2
    return y, y.requires_grad, T.is_grad_enabled()


# float() of a tensor that requires grad warns in both (compared in tests/test_warnings.py)
@pytest.mark.filterwarnings("ignore:Converting a tensor with requires_grad=True:UserWarning")
@pytest.mark.parametrize("name", sorted(CONVERSIONS))
@SETTINGS
@given(data=st.data())
def test_conversions_and_protocols(name, data):
    x = data.draw(arrays(data.draw(float_dtypes), shapes()))
    check(lambda T, t: CONVERSIONS[name](T, t), x)


def test_bool_of_one_element_and_comparisons_in_if():
    for values in ([0.0], [[2.5]], [-1.0]):
        assert bool(mg.tensor(values)) == bool(torch.tensor(values))
    x, y = mg.tensor(3.0), torch.tensor(3.0)
    assert (1 if x > 2 else 0) == (1 if y > 2 else 0) == 1


# ---- in place ----------------------------------------------------------------------------------
INPLACE = {
    "add_": lambda T, y, v: y.add_(v), "add_alpha_": lambda T, y, v: y.add_(v, alpha=2),
    "sub_": lambda T, y, v: y.sub_(v), "mul_": lambda T, y, v: y.mul_(v),
    "div_": lambda T, y, v: y.div_(v * v + 1), "zero_": lambda T, y, v: y.zero_(),
    "fill_": lambda T, y, v: y.fill_(2.5), "copy_": lambda T, y, v: y.copy_(v),
    "clamp_": lambda T, y, v: y.clamp_(-1, 1), "exp_": lambda T, y, v: y.exp_(),
    "neg_": lambda T, y, v: y.neg_(), "sqrt_": lambda T, y, v: (y * y + 1).sqrt_(),
    "abs_": lambda T, y, v: y.abs_(), "relu_": lambda T, y, v: y.relu_(),
    "tanh_": lambda T, y, v: y.tanh_(), "sigmoid_": lambda T, y, v: y.sigmoid_(),
    "pow_": lambda T, y, v: y.pow_(2),
    "__iadd__": lambda T, y, v: _iop(y, v, "add"), "__isub__": lambda T, y, v: _iop(y, v, "sub"),
    "__imul__": lambda T, y, v: _iop(y, v, "mul"),
    "__itruediv__": lambda T, y, v: _iop(y, v * v + 1, "div"),
}


def _iop(y, v, kind):
    if kind == "add":
        y += v
    elif kind == "sub":
        y -= v
    elif kind == "mul":
        y *= v
    else:
        y /= v
    return y


@pytest.mark.parametrize("name", sorted(INPLACE))
@SETTINGS
@given(data=st.data())
def test_inplace_methods_on_a_non_leaf(name, data):
    """y = x * 1; y.op_(v): the values, the new grad_fn, the version, and x's gradient."""
    dtype = data.draw(float_dtypes)
    x = data.draw(arrays(dtype, shapes()))
    v = data.draw(arrays(dtype, x.shape))

    def fn(T, a, b):
        y = a * 1
        out = INPLACE[name](T, y, b)
        return out, y._version, out is y or name == "sqrt_"

    check(fn, x, v)


@pytest.mark.parametrize("name", ["sub_", "add_", "mul_", "zero_", "fill_", "__isub__"])
def test_inplace_update_of_a_leaf_under_no_grad(name):
    """The optimiser's step: w -= lr * w.grad inside no_grad, then w.grad.zero_()."""
    def fn(T, w):
        (w * 3).sum().backward()
        with T.no_grad():
            INPLACE[name](T, w, 0.1 * w.grad)
        w.grad.zero_()
        return w, w._version, w.requires_grad, w.is_leaf, w.grad

    check(fn, np.ones(4, np.float32), grad=True)


# ---- random creation: shapes and dtypes (the streams differ by design) --------------------------
RANDOM = {
    "rand": lambda T: T.rand(2, 3), "randn": lambda T: T.randn(3, dtype=T.float64),
    "randn_size": lambda T: T.randn(size=(2,), requires_grad=True),
    "rand_like": lambda T: T.rand_like(T.ones(2, dtype=T.float64)),
    "randn_like": lambda T: T.randn_like(T.ones(3, 1)),
    "randint": lambda T: T.randint(0, 5, (4,)), "randint_high": lambda T: T.randint(3, (2, 2)),
    "randperm": lambda T: T.randperm(5), "normal": lambda T: T.normal(0.0, 1.0, (3,)),
}


@pytest.mark.parametrize("name", sorted(RANDOM))
def test_random_creation_shapes_and_dtypes(name):
    mine, theirs = RANDOM[name](mg), RANDOM[name](torch)
    assert str(mine.dtype) == str(theirs.dtype)
    assert tuple(mine.shape) == tuple(theirs.shape)
    assert mine.requires_grad == theirs.requires_grad
    values = mine.detach().numpy()
    if name.startswith("rand") and not name.startswith(("randn", "randint", "randperm")):
        assert ((values >= 0) & (values < 1)).all()
    if name == "randperm":
        assert sorted(values.tolist()) == list(range(5))
    if name.startswith("randint"):
        assert ((values >= 0) & (values < 5)).all()


def test_manual_seed_and_seed():
    mg.manual_seed(7)
    a = mg.randn(3)
    mg.manual_seed(7)
    assert mg.randn(3).tolist() == a.tolist()
    assert type(mg.seed()) is type(torch.seed()) is int
    assert mg.randn(3).tolist() != a.tolist()
    for lib in (mg, torch):  # manual_seed returns the default generator, which remembers it
        assert lib.manual_seed(5) is lib.default_generator and lib.initial_seed() == 5


# ---- every function and method above is exercised -------------------------------------------------
# Where a dunder method is exercised through its operator, the operator's use is the evidence.
OPERATOR_EVIDENCE = {"__getitem__": "t[_key_for(T, key)]", "__setitem__": "y[key(T)] = v",
                     "__matmul__": "a @ b", "__rmatmul__": "matmul(b, a) on a non-tensor left "
                     "operand: an error, in test_errors.py (ndarray_matmul_tensor)"}


def test_every_function_and_method_is_covered():
    import inspect
    import re
    from pathlib import Path

    source = Path(__file__).read_text(encoding="utf-8")
    functions = [n for n in dir(mg) if not n.startswith("_") and callable(getattr(mg, n))
                 and getattr(getattr(mg, n), "__module__", "").startswith(("minigrad._functional",
                                                                          "minigrad._creation"))]
    methods = [n for n, v in vars(mg.Tensor).items()
               if inspect.isfunction(v) and v.__module__.startswith("minigrad._functional")]
    missing = []
    for name in functions + methods:
        if name in OPERATOR_EVIDENCE:
            continue
        if name.startswith("__"):
            found = f'"{name}"' in source or f'"{name.strip("_")}"' in source
        else:
            found = re.search(rf"\.{name}\b(?!_)", source) or f'"{name}"' in source
        if not found:
            missing.append(name)
    assert not missing, f"not exercised against PyTorch: {missing}"
