"""Parity tests: minigrad._printing.format_tensor against PyTorch's repr."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="PyTorch is the reference for tensor printing")

from hypothesis import given, settings, strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

from minigrad import _printing  # noqa: E402
from minigrad._printing import (  # noqa: E402
    format_tensor,
    get_printoptions,
    printoptions,
    set_printoptions,
)

HYPOTHESIS = settings(max_examples=200, derandomize=True, deadline=None, database=None)

DEFAULT_DTYPES = (torch.float32, torch.int64, torch.bool)


# ---------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def restore_options():
    """Every test starts from, and leaves behind, the default options."""
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    set_printoptions(profile="default")


def set_both(**kwargs):
    """Apply the same print options to torch and to minigrad."""
    torch.set_printoptions(**kwargs)
    set_printoptions(**kwargs)


def ours(array, grad_fn_name=None, requires_grad=False):
    """format_tensor with the dtype arguments a caller would derive."""
    dtype = torch.from_numpy(np.array(array, copy=True)).dtype
    return format_tensor(
        array,
        dtype_name=str(dtype),
        default_dtype=dtype in DEFAULT_DTYPES,
        grad_fn_name=grad_fn_name,
        requires_grad=requires_grad,
    )


def theirs(array, mode=None):
    """PyTorch's repr; mode is None, 'leaf' (requires_grad) or 'mul' (grad_fn)."""
    t = torch.from_numpy(np.array(array, copy=True))
    if mode == "leaf":
        t.requires_grad_(True)
    elif mode == "mul":
        t = t.requires_grad_(True) * 1
    return repr(t)


def check(array, mode=None):
    """Assert format_tensor(array) == repr(torch tensor); return the string."""
    if mode == "leaf":
        got = ours(array, requires_grad=True)
    elif mode == "mul":
        got = ours(array, grad_fn_name="MulBackward0")
    else:
        got = ours(array)
    expected = theirs(array, mode)
    assert got == expected, f"\nours:\n{got}\ntorch:\n{expected}"
    return got


rng = np.random.default_rng(0)


# ---------------------------------------------------------------------------
# seed outputs (real PyTorch output, also checked without torch's help)
# ---------------------------------------------------------------------------

SEEDS = [
    (
        np.array([[1.7315, -1.0468], [-8.2165, 1.4425]], np.float32),
        dict(requires_grad=True),
        "tensor([[ 1.7315, -1.0468],\n        [-8.2165,  1.4425]], requires_grad=True)",
    ),
    (np.array(73.6851, np.float32), dict(grad_fn_name="SumBackward0"), "tensor(73.6851, grad_fn=<SumBackward0>)"),
    (
        np.array([[27, 48], [75, 108]], np.float32),
        dict(grad_fn_name="MulBackward0"),
        "tensor([[ 27.,  48.],\n        [ 75., 108.]], grad_fn=<MulBackward0>)",
    ),
    (
        np.array([323.9894, -1178.4686, 1577.0007], np.float32),
        dict(grad_fn_name="MulBackward0"),
        "tensor([  323.9894, -1178.4686,  1577.0007], grad_fn=<MulBackward0>)",
    ),
    (np.array([204.8, 2048.0, 0.2048], np.float32), {}, "tensor([2.0480e+02, 2.0480e+03, 2.0480e-01])"),
    (np.array([102.4, 1024.0, 0.1024], np.float32), {}, "tensor([1.0240e+02, 1.0240e+03, 1.0240e-01])"),
    (np.array([0, 4, 8, 12], np.float32), {}, "tensor([ 0.,  4.,  8., 12.])"),
    (np.array([True] * 4), {}, "tensor([True, True, True, True])"),
    (np.array(True), {}, "tensor(True)"),
    (np.full(4, 0.1, np.float32), dict(requires_grad=True), "tensor([0.1000, 0.1000, 0.1000, 0.1000], requires_grad=True)"),
    (np.array([True, False]), {}, "tensor([ True, False])"),
    (np.array(64.5, np.float32), dict(grad_fn_name="MeanBackward0"), "tensor(64.5000, grad_fn=<MeanBackward0>)"),
    (np.array([1.5, 2.0], np.float64), {}, "tensor([1.5000, 2.0000], dtype=torch.float64)"),
    (np.array([1, -20, 300], np.int64), {}, "tensor([  1, -20, 300])"),
    (np.array([1, 2], np.int32), {}, "tensor([1, 2], dtype=torch.int32)"),
    (np.zeros((0, 3), np.float32), {}, "tensor([], size=(0, 3))"),
    (np.zeros((0,), np.float32), {}, "tensor([])"),
    (np.zeros((0,), np.int64), {}, "tensor([], dtype=torch.int64)"),
    (np.zeros((2, 0), bool), {}, "tensor([], size=(2, 0), dtype=torch.bool)"),
    (np.array([-0.0, 1.0], np.float32), {}, "tensor([-0., 1.])"),
    (np.array([np.nan, 1.5, -np.inf], np.float32), {}, "tensor([   nan, 1.5000,   -inf])"),
    (np.array([np.nan, 2.0, np.inf], np.float32), {}, "tensor([nan, 2., inf])"),
    (np.array([1e-5, 1.0], np.float32), {}, "tensor([1.0000e-05, 1.0000e+00])"),
]


@pytest.mark.parametrize("array, kwargs, expected", SEEDS)
def test_seed_outputs(array, kwargs, expected):
    dtype = torch.from_numpy(np.array(array, copy=True)).dtype
    got = format_tensor(array, dtype_name=str(dtype), default_dtype=dtype in DEFAULT_DTYPES, **kwargs)
    assert got == expected


@pytest.mark.parametrize("array, kwargs, expected", SEEDS)
def test_seed_outputs_are_torch_outputs(array, kwargs, expected):
    t = torch.from_numpy(np.array(array, copy=True))
    if "grad_fn_name" in kwargs:
        fn = {"SumBackward0": torch.sum, "MeanBackward0": torch.mean, "MulBackward0": lambda x: x * 1}
        base = t.reshape(1) if t.dim() == 0 and kwargs["grad_fn_name"] != "MulBackward0" else t
        t = fn[kwargs["grad_fn_name"]](base.requires_grad_(True))
    elif kwargs.get("requires_grad"):
        t.requires_grad_(True)
    assert repr(t) == expected


def test_print_with_label():
    w = np.full(4, 0.1, np.float32)
    line = "Final Weight " + format_tensor(w, dtype_name="torch.float32", default_dtype=True, requires_grad=True)
    assert line == "Final Weight tensor([0.1000, 0.1000, 0.1000, 0.1000], requires_grad=True)"


# ---------------------------------------------------------------------------
# hand-picked cases against torch
# ---------------------------------------------------------------------------

DTYPES = [np.float16, np.float32, np.float64, np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shape", [(), (1,), (5,), (2, 3), (2, 3, 4), (2, 1, 3, 2), (0,), (0, 3), (3, 0, 2)])
def test_dtypes_and_shapes(dtype, shape):
    if dtype == np.bool_:
        array = rng.random(shape) > 0.5
    elif np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        array = rng.integers(info.min, info.max, size=shape, dtype=dtype, endpoint=True)
    else:
        array = (rng.standard_normal(shape) * 10).astype(dtype)
    check(array)


@pytest.mark.parametrize(
    "shape, dtype",
    [
        ((2000,), np.float32),
        ((1001,), np.int64),
        ((40, 40), np.float32),
        ((40, 40), np.float64),
        ((3, 500), np.float32),
        ((500, 3), np.float16),
        ((2, 3, 400), np.float32),
        ((11, 11, 11), np.int32),
        ((1200,), np.bool_),
        ((7, 7, 7, 7), np.float32),
    ],
)
def test_summarisation(shape, dtype):
    if dtype == np.bool_:
        array = rng.random(shape) > 0.5
    else:
        array = (rng.standard_normal(shape) * 100).astype(dtype)
    assert "..." in check(array)


@pytest.mark.parametrize("scale", [1.0, 1e-6, 1e6, 1e10])
def test_summarised_formatter_only_sees_visible_values(scale):
    # a huge hidden value must not switch the visible ones to sci mode
    array = np.ones(2000, np.float32) * np.float32(scale)
    array[1000] = 1e30
    check(array)
    array2d = np.ones((50, 50), np.float64) * scale
    array2d[25, 25] = 1e-30
    check(array2d)


@pytest.mark.parametrize("n", range(1, 40))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_row_wrapping_and_suffix_wrapping(n, dtype):
    array = (np.arange(n) * -1.25).astype(dtype)
    check(array)
    check(array, "mul")
    check(array, "leaf")


def test_suffix_can_go_to_a_new_line():
    array = np.arange(13) * -1.25
    text = check(array, "mul")
    assert text.endswith("],\n       dtype=torch.float64, grad_fn=<MulBackward0>)")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("shape", [(), (4,), (2, 3), (2, 2, 2), (60,), (3, 30)])
@pytest.mark.parametrize("mode", ["leaf", "mul"])
def test_grad_suffixes(dtype, shape, mode):
    check((rng.standard_normal(shape) * 3).astype(dtype), mode)


@pytest.mark.parametrize(
    "values",
    [
        [0.0],
        [-0.0],
        [0.0, -0.0],
        [np.nan],
        [np.inf, -np.inf],
        [np.nan, 0.0],
        [-0.0, 1.5, 100.25],
        [-0.0, 1e-6],
        [1e9, 1.0],
        [1e8, 1.0],
        [1.0001e8],
        [123456789.0, -3.0],
        [1e-4, 1.0],
        [0.99e-4],
        [1.0, 1000.0],
        [1.0, 1000.1],
        [3.0, -7.0, np.nan, np.inf],
        [1e-5, np.inf, -0.0],
        [0.5, 2.0, -np.inf],
        [1e20, -1e-20, np.nan],
    ],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_special_values(values, dtype):
    check(np.array(values, dtype))
    if len(values) == 1:
        check(np.array(values[0], dtype))
    check(np.array(values, dtype).reshape(1, -1), "mul")


# ---------------------------------------------------------------------------
# print options
# ---------------------------------------------------------------------------

OPTION_SETS = [
    dict(precision=2),
    dict(precision=0),
    dict(precision=8),
    dict(sci_mode=True),
    dict(sci_mode=False),
    dict(profile="full"),
    dict(profile="short"),
    dict(linewidth=40),
    dict(linewidth=10),
    dict(threshold=10),
    dict(threshold=10, edgeitems=2),
    dict(threshold=10, edgeitems=0),
    dict(threshold=10, edgeitems=1, linewidth=30),
    dict(edgeitems=0),
    dict(profile="full", precision=6, sci_mode=True),
]

OPTION_ARRAYS = [
    np.array([0.1, 2.5, -3.0], np.float32),
    np.array([1.0, 2.0, 3.0], np.float32),
    np.array([1e-6, 3.0, 1e5], np.float64),
    np.array(3.14159, np.float32),
    np.zeros((2, 0), np.float32),
    np.arange(24, dtype=np.int64).reshape(2, 3, 4),
    np.arange(30, dtype=np.float32) / 7,
    rng.standard_normal((2000,)).astype(np.float32),
    rng.standard_normal((5, 5, 5)),
    rng.standard_normal((40, 40)).astype(np.float32),
    np.array([[0.0, np.nan], [np.inf, 0.0]], np.float32),
    np.arange(12) % 2 == 0,
]


@pytest.mark.parametrize("options", OPTION_SETS, ids=str)
@pytest.mark.parametrize("index", range(len(OPTION_ARRAYS)))
def test_print_options(options, index):
    set_both(**options)
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    array = OPTION_ARRAYS[index]
    check(array)
    if np.issubdtype(array.dtype, np.floating):
        check(array, "mul")


def test_get_printoptions_matches_torch_defaults():
    assert get_printoptions() == torch._tensor_str.get_printoptions()
    for kwargs in OPTION_SETS:
        set_both(**kwargs)
        assert get_printoptions() == torch._tensor_str.get_printoptions()


def test_set_printoptions_resets_sci_mode_like_torch():
    set_both(sci_mode=True)
    set_both(precision=3)
    assert get_printoptions()["sci_mode"] is None
    assert get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_manager_restores():
    set_printoptions(precision=3, linewidth=50)
    before = get_printoptions()
    array = np.array([0.123456], np.float32)
    with printoptions(precision=6, sci_mode=True):
        assert get_printoptions()["precision"] == 6
        assert ours(array) == "tensor([1.234560e-01])"
    assert get_printoptions() == before
    with pytest.raises(RuntimeError):
        with printoptions(threshold=5):
            raise RuntimeError
    assert get_printoptions() == before
    assert _printing.PRINT_OPTS.threshold == 1000


def test_full_profile_disables_summarisation():
    set_both(profile="full")
    text = check(np.arange(2000, dtype=np.float32))
    assert "..." not in text


# ---------------------------------------------------------------------------
# property-based comparison
# ---------------------------------------------------------------------------

SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6)


@st.composite
def mixed_magnitudes(draw):
    sign = draw(st.sampled_from([1.0, -1.0]))
    exponent = draw(st.floats(-5, 9))
    return sign * 10.0**exponent


FLOAT_FAMILIES = [
    st.floats(allow_nan=True, allow_infinity=True, width=32),
    st.integers(-1000, 1000).map(float),
    mixed_magnitudes(),
    st.sampled_from([0.0, -0.0, np.nan, np.inf, -np.inf, 0.1, 1e-4, 1e8, 1000.0]),
    st.floats(-10, 10, width=32),
]
FLOAT_ELEMENTS = st.one_of(*FLOAT_FAMILIES)


@st.composite
def float_arrays(draw):
    dtype = draw(st.sampled_from([np.float16, np.float32, np.float64]))
    # one element family per array, so e.g. integer-valued arrays do occur
    elements = draw(st.sampled_from(FLOAT_FAMILIES))
    mixed = draw(st.booleans())
    with np.errstate(over="ignore"):
        shape = draw(SHAPES)
        values = draw(hnp.arrays(np.float64, shape, elements=FLOAT_ELEMENTS if mixed else elements))
        return values.astype(dtype)


@st.composite
def int_arrays(draw):
    dtype = draw(st.sampled_from([np.int8, np.int16, np.int32, np.int64, np.uint8, np.bool_]))
    return draw(hnp.arrays(dtype, SHAPES))


@HYPOTHESIS
@given(float_arrays(), st.sampled_from([None, "leaf", "mul"]))
def test_hypothesis_floats(array, mode):
    check(array, mode)


@HYPOTHESIS
@given(int_arrays())
def test_hypothesis_ints_and_bools(array):
    check(array)


@HYPOTHESIS
@given(
    st.one_of(float_arrays(), int_arrays()),
    st.fixed_dictionaries(
        {},
        optional={
            "precision": st.integers(0, 8),
            "threshold": st.integers(0, 50),
            "edgeitems": st.integers(0, 4),
            "linewidth": st.integers(1, 120),
            "sci_mode": st.sampled_from([True, False]),
            "profile": st.sampled_from(["default", "short", "full"]),
        },
    ),
)
def test_hypothesis_with_options(array, options):
    try:
        set_both(**options)
        check(array)
    finally:
        set_both(profile="default")
