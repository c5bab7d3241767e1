"""Linear algebra: dot, mv, mm, matmul (with PyTorch's folding of batches) and outer."""
import builtins

import numpy as np

from .. import _args
from .._graph import apply
from ._common import _C_NAMES, _broadcast_shape, _check_tensor, _op, _type_word
from .shapes import contiguous


def _same_dtype(a, b, who):
    if a._data.dtype != b._data.dtype:
        raise RuntimeError(f"{who} : expected both vectors to have same dtype, but found "
                           f"{_type_word(a)} and {_type_word(b)}")


def dot(input, other):
    """Σᵢ inputᵢ·otherᵢ of two 1-D tensors."""
    _check_tensor(other, "dot", "other", 2)
    if input.ndim != 1 or other.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {input.ndim}D and {other.ndim}D "
                           "tensors")
    _same_dtype(input, other, "dot")
    if input.shape[0] != other.shape[0]:
        raise RuntimeError(f"inconsistent tensor size, expected tensor [{input.shape[0]}] and src "
                           f"[{other.shape[0]}] to have the same number of elements, but got "
                           f"{input.shape[0]} and {other.shape[0]} elements respectively")
    if input.dtype.name == "bool":
        raise NotImplementedError("\"dot\" not implemented for 'Bool'")
    return apply(_op("dot"), input, other)


def mv(input, vec):
    """Matrix (m, n) times vector (n,) -> (m,)."""
    _check_tensor(vec, "mv", "vec", 2)
    if input.ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError("vector + matrix @ vector expected, got 1, "
                           f"{input.ndim}, {vec.ndim}")
    if input.shape[1] != vec.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({input.shape[0]}), mat "
                           f"({input.shape[0]}x{input.shape[1]}), vec ({vec.shape[0]})")
    if input.dtype is not vec.dtype:
        raise RuntimeError(f"addmv input tensors must have the same dtype, but got "
                           f"{_type_word(vec)}, {_type_word(input)}, and {_type_word(vec)}")
    return apply(_op("mv"), input, vec)


def mm(input, mat2):
    """Matrix product (m, k) @ (k, n) -> (m, n); vjp: gA = g Bᵀ, gB = Aᵀ g."""
    _check_tensor(mat2, "mm", "mat2", 2)
    if input.ndim != 2 or mat2.ndim != 2:
        raise RuntimeError(f"{'self' if input.ndim != 2 else 'mat2'} must be a matrix")
    if input.shape[1] != mat2.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({input.shape[0]}x"
                           f"{input.shape[1]} and {mat2.shape[0]}x{mat2.shape[1]})")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                           f"{_C_NAMES[input.dtype.name]} != {_C_NAMES[mat2.dtype.name]}")
    return apply(_op("mm"), input, mat2)


def _bmm(input, mat2):
    """Batched matrix product (b, n, m) @ (b, m, p) -> (b, n, p)."""
    b, m = input.shape[0], input.shape[2]
    if mat2.shape[0] != b or mat2.shape[1] != m:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{b}, {m}] but got: [{mat2.shape[0]}, {mat2.shape[1]}].")
    if input.dtype is not mat2.dtype:
        raise RuntimeError(f"expected scalar type {_type_word(input)} but found "
                           f"{_type_word(mat2)}")
    return apply(_op("bmm"), input, mat2)


def _should_fold(input, other):
    """PyTorch's choice of folding the batch of the larger operand into one matrix (mm/mv)."""
    larger = input.ndim >= other.ndim
    big = input._data if larger else np.swapaxes(other._data, -1, -2)
    if not (big.ndim >= 3 and (other.ndim if larger else input.ndim) <= 2):
        return False
    if (other if larger else input).requires_grad:
        return True  # so that the small operand's gradient is one mm, not a batch summed up
    if input.ndim == 2:
        return False
    if big.size == 0:
        return True
    strides, shape = big.strides, big.shape
    return builtins.all(strides[i] == strides[i + 1] * shape[i + 1] for i in range(big.ndim - 2))


def matmul(input, other):
    """The ``@`` product, as PyTorch's: dot (1-D, 1-D), mv, mm, or for more dimensions the
    batch dimensions broadcast and folded into one mm/mv or a batched product."""
    _check_tensor(input, "matmul")
    _check_tensor(other, "matmul", "other", 2)
    a, b = input.ndim, other.ndim
    if a == 0 or b == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a}D "
                           f"and {b}D")
    if a == 1 and b == 1:
        return dot(input, other)
    if a == 2 and b == 1:
        return mv(input, other)
    if a == 1 and b == 2:
        return apply(_op("squeeze"), mm(input.unsqueeze(0), other), dims=(0,), variant=4)
    if a == 2 and b == 2:
        return mm(input, other)
    if _should_fold(input, other):
        transpose = b > a
        t1 = other.mT if transpose else input
        t2 = (input.t() if a == 2 else input) if transpose else other
        shape = tuple(t1.shape[:-1])
        folded = t1.reshape(int(np.prod(shape, dtype=np.int64)), t1.shape[-1])
        if t2.ndim == 1:
            return apply(_op("unsafe_view"), mv(folded, t2), shape=shape)
        out = apply(_op("unsafe_view"), mm(folded, t2), shape=shape + (t2.shape[1],))
        return contiguous(out.mT) if transpose else out  # PyTorch: output.mT().contiguous()
    n = input.shape[-2] if a > 1 else 1
    m1, batch1 = input.shape[-1], tuple(input.shape[:builtins.max(a - 2, 0)])
    m2 = other.shape[-2] if b > 1 else other.shape[0]
    p, batch2 = (other.shape[-1] if b > 1 else 1), tuple(other.shape[:builtins.max(b - 2, 0)])
    if a == 3 and b == 3 and batch1[0] != batch2[0]:  # a batch of one is folded instead
        if batch1[0] == 1 and input.requires_grad:
            return matmul(input.squeeze(0), other)
        if batch2[0] == 1 and other.requires_grad:
            return matmul(input, other.squeeze(0))
    batch = _broadcast_shape(batch1, batch2)
    count = int(np.prod(batch, dtype=np.int64))
    x = input.expand(batch + (n, m1)).reshape(count, n, m1)
    if b == 1:
        y = other.expand(batch + (m2,)).reshape(count, m2).unsqueeze(2)
    else:
        y = other.expand(batch + (m2, p)).reshape(count, m2, p)
    out = _bmm(x, y)
    if b == 1:
        out = out.squeeze(-1)
    shape = batch + ((n,) if a > 1 else ()) + ((p,) if b > 1 else ())
    return apply(_op("unsafe_view"), out, shape=shape)


@_args.tensors("vec2")
def outer(input, vec2):
    """Outer product (m,) ⊗ (n,) -> (m, n)."""
    for name, t in (("self", input), ("vec2", vec2)):
        if t.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got {t.ndim}-D")
    return input.reshape(input.shape[0], 1) * vec2  # PyTorch's: a view, then a product
