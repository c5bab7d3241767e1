"""Data types and PyTorch's type-promotion rules, on top of numpy dtypes."""
import builtins

import numpy as np

_BOOL, _INT, _FLOAT = 0, 1, 2  # promotion categories, lowest first


class dtype:
    """A tensor element type; prints as PyTorch does (``torch.float32``)."""

    __slots__ = ("name", "np", "category", "legacy")

    def __init__(self, name, np_dtype, category, legacy):
        self.name = name
        self.np = np.dtype(np_dtype)
        self.category = category
        self.legacy = legacy  # the old tensor-type name used in some of PyTorch's messages

    @property
    def is_floating_point(self):
        return self.category == _FLOAT

    @property
    def is_signed(self):
        return self.np.kind != "u" and self.category != _BOOL

    @property
    def itemsize(self):
        return self.np.itemsize

    def __repr__(self):
        return f"torch.{self.name}"

    def __reduce__(self):
        return self.name


float16 = half = dtype("float16", np.float16, _FLOAT, "HalfTensor")
float32 = float = dtype("float32", np.float32, _FLOAT, "FloatTensor")
float64 = double = dtype("float64", np.float64, _FLOAT, "DoubleTensor")
uint8 = dtype("uint8", np.uint8, _INT, "ByteTensor")
int8 = dtype("int8", np.int8, _INT, "CharTensor")
int16 = short = dtype("int16", np.int16, _INT, "ShortTensor")
int32 = int = dtype("int32", np.int32, _INT, "IntTensor")
int64 = long = dtype("int64", np.int64, _INT, "LongTensor")
bool = dtype("bool", np.bool_, _BOOL, "BoolTensor")

# the C++ type names some of PyTorch's messages print
C_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int",
           "int32": "int", "int16": "short int", "int8": "signed char", "uint8": "unsigned char",
           "bool": "bool"}

ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool)
_FROM_NUMPY = {d.np: d for d in ALL}
_DEFAULT = {_BOOL: bool, _INT: int64, _FLOAT: float32}


def get_default_dtype():
    """The dtype of tensors made from Python floats: float32."""
    return float32


def from_numpy_dtype(np_dtype):
    """The minigrad dtype of a numpy dtype; TypeError for ones PyTorch has no tensor type for."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, complex64, complex128, int64, int32, "
            "int16, int8, uint64, uint32, uint16, uint8, and bool."
        ) from None


def promote_types(a, b):
    """The smallest dtype both ``a`` and ``b`` convert to (``torch.promote_types``)."""
    for k, d in enumerate((a, b)):
        if not isinstance(d, dtype):
            kind = type(d)
            name = kind.__name__ if kind.__module__ == "builtins" else \
                f"{kind.__module__.split('.')[0]}.{kind.__qualname__}"
            raise TypeError(f"promote_types(): argument 'type{k + 1}' (position {k + 1}) must be "
                            f"torch.dtype, not {name}")
    if a is b:
        return a
    if a.category != b.category:
        return a if a.category > b.category else b
    return _FROM_NUMPY[np.promote_types(a.np, b.np)]


def _category_of_scalar(value):
    if isinstance(value, (builtins.bool, np.bool_)):
        return _BOOL
    if isinstance(value, (builtins.int, np.integer)):
        return _INT
    if isinstance(value, (builtins.float, np.floating)):
        return _FLOAT
    raise TypeError(f"unsupported operand type: '{type(value).__name__}'")


def result_type(*operands):
    """PyTorch's promotion: dimensioned tensors outrank 0-d tensors, which outrank Python numbers,
    unless a lower rank brings a higher category (bool < int < float)."""
    dim = zero = wrapped = None
    for x in operands:
        if hasattr(x, "_data") and not x._wrapped:
            d = from_numpy_dtype(x._data.dtype)
            if x._data.ndim:
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            d = _DEFAULT[_category_of_scalar(x._data.item() if hasattr(x, "_data") else x)]
            wrapped = d if wrapped is None else promote_types(wrapped, d)
    return _combine(dim, _combine(zero, wrapped))


def _combine(higher, lower):
    if higher is None:
        return lower
    if lower is None or higher.category >= lower.category:
        return higher
    return promote_types(higher, lower)
