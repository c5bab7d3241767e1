"""Bad input raises PyTorch's error: the same exception type and the same message.

Each case is a function of the library (``T`` is minigrad or torch). It must raise under both;
the two messages must be equal once memory addresses and file paths are masked. The error must
also come from minigrad itself: no numpy frame in its traceback and no numpy warning on the way.
"""
import re
import traceback
import warnings
from pathlib import Path

import numpy as np
import pytest

import minigrad

torch = pytest.importorskip("torch", reason="PyTorch is the reference for error types and texts")

_NUMPY_DIR = str(Path(np.__file__).resolve().parent)
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")
_PATH = re.compile(r"(?:[A-Za-z]:)?(?:/[\w.\-]+){2,}")


def _masked(text):
    return _PATH.sub("<path>", _ADDRESS.sub("0x...", text))


def _setitem(t, key, value):
    t[key] = value


def _iadd(t, value):
    t += value
    return t


def _backward_twice(T):
    x = T.ones(2, requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _grad_of_unused(T):
    x, z = T.ones(2, requires_grad=True), T.ones(2, requires_grad=True)
    T.autograd.grad((x * 2).sum(), [x, z])


def _saved_then_modified(T):
    x = T.ones(2, requires_grad=True)
    y = x.exp()
    y.add_(1)
    y.sum().backward()


CASES = {
    # ---- broadcasting ---------------------------------------------------------------------
    "add_broadcast": lambda T: T.ones(2, 3) + T.ones(4),
    "sub_broadcast": lambda T: T.ones(2, 3) - T.ones(2),
    "mul_broadcast": lambda T: T.ones(2, 3) * T.ones(3, 2),
    "div_broadcast": lambda T: T.ones(5) / T.ones(3),
    "pow_broadcast": lambda T: T.ones(5) ** T.ones(3),
    "lt_broadcast": lambda T: T.ones(2, 3) < T.ones(2),
    "eq_broadcast": lambda T: T.ones(2, 3) == T.ones(2),
    "maximum_broadcast": lambda T: T.maximum(T.ones(2, 3), T.ones(2)),
    "where_broadcast": lambda T: T.where(T.ones(3) > 0, T.ones(3), T.ones(2)),
    "add_3d_broadcast": lambda T: T.ones(2, 3, 4) + T.ones(3, 3, 4),
    "add_alpha_broadcast": lambda T: T.add(T.ones(2), T.ones(3), alpha=2),
    "clamp_tensor_broadcast": lambda T: T.ones(3).clamp(T.ones(2)),
    "inplace_broadcast": lambda T: T.ones(2).add_(T.ones(2, 2)),
    # ---- matmul, mm, mv, dot: sizes and dtypes --------------------------------------------
    "matmul_2d": lambda T: T.ones(2, 3) @ T.ones(2, 3),
    "matmul_1d": lambda T: T.ones(3) @ T.ones(4),
    "matmul_1d_2d": lambda T: T.ones(3) @ T.ones(4, 2),
    "matmul_2d_1d": lambda T: T.ones(2, 3) @ T.ones(4),
    "matmul_3d": lambda T: T.ones(2, 2, 3) @ T.ones(2, 4, 5),
    "matmul_batch": lambda T: T.ones(2, 2, 3) @ T.ones(3, 3, 4),
    "matmul_3d_1d": lambda T: T.ones(2, 2, 3) @ T.ones(4),
    "matmul_1d_3d": lambda T: T.ones(4) @ T.ones(2, 3, 5),
    "matmul_3d_2d": lambda T: T.ones(2, 2, 3) @ T.ones(4, 2),
    "matmul_0d": lambda T: T.tensor(1.0) @ T.ones(3),
    "matmul_scalar": lambda T: T.ones(2, 3) @ 2,
    "matmul_function_scalar": lambda T: T.matmul(T.ones(2), 3),
    "matmul_dtype_2d": lambda T: T.ones(2, 3) @ T.ones(3, 2, dtype=T.float64),
    "matmul_dtype_1d": lambda T: T.ones(3) @ T.ones(3, dtype=T.float64),
    "matmul_dtype_mv": lambda T: T.ones(2, 3) @ T.ones(3, dtype=T.float64),
    "matmul_dtype_3d": lambda T: T.ones(2, 2, 3) @ T.ones(2, 3, 2, dtype=T.float64),
    "matmul_dtype_folded": lambda T: T.ones(2, 2, 3) @ T.ones(3, 2, dtype=T.float64),
    "matmul_dtype_2d_3d": lambda T: T.ones(2, 3) @ T.ones(2, 3, 5, dtype=T.float64),
    "matmul_dtype_batch": lambda T: T.ones(2, 2, 3) @ T.ones(3, 4, 5, dtype=T.float64),
    "matmul_int_float": lambda T: T.ones(2, 3, dtype=T.int64) @ T.ones(3, 2),
    "mm_sizes": lambda T: T.mm(T.ones(2, 3), T.ones(2, 3)),
    "mm_sizes_before_dtype": lambda T: T.mm(T.ones(2, 3), T.ones(2, 3, dtype=T.float64)),
    "mm_1d": lambda T: T.mm(T.ones(3), T.ones(3, 2)),
    "mm_1d_second": lambda T: T.mm(T.ones(2, 3), T.ones(3)),
    "mm_dtype": lambda T: T.mm(T.ones(2, 3), T.ones(3, 2, dtype=T.float64)),
    "mm_int": lambda T: T.mm(T.ones(2, 3, dtype=T.int64), T.ones(3, 2)),
    "mm_int32": lambda T: T.mm(T.ones(2, 3, dtype=T.int32), T.ones(3, 2)),
    "mm_half": lambda T: T.mm(T.ones(2, 3, dtype=T.float16), T.ones(3, 2)),
    "mm_uint8": lambda T: T.mm(T.ones(2, 3, dtype=T.uint8), T.ones(3, 2)),
    "mm_bool": lambda T: T.mm(T.ones(2, 3, dtype=T.bool), T.ones(3, 2)),
    "dot_sizes": lambda T: T.dot(T.ones(3), T.ones(4)),
    "dot_2d": lambda T: T.dot(T.ones(2, 3), T.ones(3)),
    "dot_dtype": lambda T: T.dot(T.ones(3), T.ones(3, dtype=T.float64)),
    "dot_dtype_before_sizes": lambda T: T.dot(T.ones(3), T.ones(4, dtype=T.float64)),
    "dot_int": lambda T: T.dot(T.ones(3, dtype=T.int64), T.ones(3)),
    "dot_int32_int64": lambda T: T.ones(3, dtype=T.int32) @ T.ones(3, dtype=T.int64),
    "dot_bool": lambda T: T.ones(3, dtype=T.bool) @ T.ones(3, dtype=T.bool),
    "mv_sizes": lambda T: T.mv(T.ones(2, 3), T.ones(4)),
    "mv_dims": lambda T: T.mv(T.ones(3), T.ones(3)),
    "mv_dims2": lambda T: T.mv(T.ones(2, 3), T.ones(3, 1)),
    "mv_dtype": lambda T: T.mv(T.ones(2, 3), T.ones(3, dtype=T.float64)),
    "mv_dtype_int": lambda T: T.mv(T.ones(2, 3, dtype=T.int64), T.ones(3)),
    "outer_2d_self": lambda T: T.ones(2, 2).outer(T.ones(2)),
    "outer_2d_vec2": lambda T: T.outer(T.ones(2), T.ones(2, 2)),
    # ---- shapes: view, reshape, expand, permute, cat, stack, split -------------------------
    "view_noncontiguous": lambda T: T.ones(2, 3).t().view(6),
    "view_noncontiguous_3d": lambda T: T.ones(2, 3, 4).transpose(0, 1).view(6, 4),
    "view_bad_size": lambda T: T.ones(2, 3).view(5),
    "view_two_inferred": lambda T: T.ones(2).view(-1, -1),
    "view_negative": lambda T: T.ones(2, 3).view(-3),
    "reshape_bad_size": lambda T: T.ones(2, 3).reshape(4),
    "reshape_bad_inferred": lambda T: T.ones(2, 3).reshape(-1, 4),
    "reshape_two_inferred": lambda T: T.ones(2, 3).reshape(-1, -1),
    "reshape_negative": lambda T: T.ones(2, 3).reshape(-2, 3),
    "reshape_zero_with_inferred": lambda T: T.ones(0, 3).reshape(-1, 0),
    "expand_bad": lambda T: T.ones(2, 3).expand(4, 3),
    "expand_too_few": lambda T: T.ones(2, 3).expand(3),
    "expand_new_inferred": lambda T: T.ones(2).expand(-1, 2),
    "expand_negative": lambda T: T.ones(2, 3).expand(-2, 3),
    "permute_length": lambda T: T.ones(2, 3).permute(0),
    "permute_duplicate": lambda T: T.ones(2, 3).permute(0, 0),
    "permute_out_of_range": lambda T: T.ones(2, 3).permute(0, 2),
    "t_3d": lambda T: T.ones(2, 2, 2).t(),
    "flatten_order": lambda T: T.ones(2, 3).flatten(1, 0),
    "cat_sizes": lambda T: T.cat([T.ones(2, 3), T.ones(2, 4)]),
    "cat_ndim": lambda T: T.cat([T.ones(2, 3), T.ones(3)]),
    "cat_empty": lambda T: T.cat([]),
    "cat_0d": lambda T: T.cat([T.tensor(1.0), T.tensor(2.0)]),
    "cat_0d_second": lambda T: T.cat([T.ones(2), T.tensor(1.0)]),
    "stack_sizes": lambda T: T.stack([T.ones(2), T.ones(3)]),
    "stack_ndim": lambda T: T.stack([T.ones(2), T.ones(2, 1)]),
    "stack_empty": lambda T: T.stack([]),
    "split_sizes": lambda T: T.ones(5).split([2, 2]),
    "split_zero": lambda T: T.ones(4).split(0),
    "split_negative": lambda T: T.ones(4).split(-1),
    "chunk_zero": lambda T: T.ones(4).chunk(0),
    "chunk_negative": lambda T: T.ones(4).chunk(-1),
    "unbind_0d": lambda T: T.tensor(1.0).unbind(),
    # ---- dimension out of range ------------------------------------------------------------
    "sum_dim": lambda T: T.ones(2, 3).sum(dim=2),
    "sum_dim_negative": lambda T: T.ones(2, 3).sum(-3),
    "mean_dim": lambda T: T.ones(2, 3).mean(5),
    "softmax_dim": lambda T: T.ones(2, 3).softmax(3),
    "log_softmax_dim": lambda T: T.ones(2, 3).log_softmax(-3),
    "unsqueeze_dim": lambda T: T.ones(2, 3).unsqueeze(4),
    "unsqueeze_negative": lambda T: T.ones(2, 3).unsqueeze(-4),
    "transpose_dim": lambda T: T.ones(2, 3).transpose(0, 5),
    "size_dim": lambda T: T.ones(2, 3).size(3),
    "squeeze_dim": lambda T: T.ones(2, 3).squeeze(4),
    "squeeze_dims": lambda T: T.ones(2, 3).squeeze((0, 5)),
    "cat_dim": lambda T: T.cat([T.ones(2), T.ones(2)], 1),
    "stack_dim": lambda T: T.stack([T.ones(2), T.ones(2)], 3),
    "max_dim": lambda T: T.ones(2, 3).max(dim=2),
    "argmax_dim": lambda T: T.ones(2, 3).argmax(dim=2),
    "prod_dim": lambda T: T.ones(2, 3).prod(2),
    "norm_dim": lambda T: T.ones(2, 3).norm(dim=2),
    "select_dim": lambda T: T.ones(2, 3).select(2, 0),
    "flatten_dim": lambda T: T.ones(2, 3).flatten(0, 3),
    "unbind_dim": lambda T: T.tensor(1.0).unbind(1),
    "logsumexp_dim": lambda T: T.ones(2).logsumexp(3),
    "sum_repeated_dims": lambda T: T.ones(2, 3).sum((0, -2)),
    "mean_repeated_dims": lambda T: T.ones(2, 3).mean((1, 1)),
    "amax_repeated_dims": lambda T: T.ones(2, 3).amax((0, 0)),
    "norm_repeated_dims": lambda T: T.ones(2, 3).norm(dim=(0, 0)),
    "logsumexp_repeated_dims": lambda T: T.ones(2, 3).logsumexp((1, 1)),
    # ---- indexing --------------------------------------------------------------------------
    "index_out_of_range": lambda T: T.ones(3)[5],
    "index_out_of_range_negative": lambda T: T.ones(3)[-4],
    "index_out_of_range_2d": lambda T: T.ones(2, 3)[0, 7],
    "index_tensor_out_of_range": lambda T: T.ones(3)[T.tensor([5])],
    "index_list_out_of_range": lambda T: T.ones(3)[[0, 5]],
    "index_list_negative_out_of_range": lambda T: T.ones(2, 3)[[0, -5]],
    "index_second_list_out_of_range": lambda T: T.ones(2, 3)[[0, 1], [0, 7]],
    "index_first_bad_element_reported": lambda T: T.ones(2, 3)[[0, 7], [9, 0]],
    "index_after_slice_out_of_range": lambda T: T.ones(2, 3)[:, [7]],
    "index_after_int_out_of_range": lambda T: T.ones(2, 3)[0, [0, 7]],
    "index_broadcast_out_of_range": lambda T: T.ones(2, 3)[T.tensor([[0], [1]]),
                                                            T.tensor([[5, 1]])],
    "index_too_many": lambda T: T.ones(3)[0, 0],
    "index_float_tensor": lambda T: T.ones(3)[T.tensor([1.0])],
    "index_float_scalar_tensor": lambda T: T.ones(3)[T.tensor(1.0)],
    "index_float": lambda T: T.ones(3)[1.5],
    "index_str": lambda T: T.ones(3)["a"],
    "index_dict": lambda T: T.ones(3)[{}],
    "index_mask_shape": lambda T: T.ones(3)[T.tensor([True, False])],
    "index_mask_second_dim": lambda T: T.ones(2, 3)[:, T.tensor([True, False])],
    "index_mask_2d": lambda T: T.ones(2, 3)[T.ones(2, 2, dtype=T.bool)],
    "index_mask_after_int": lambda T: T.ones(2, 3)[0, T.tensor([True, False])],
    "index_mask_after_slice": lambda T: T.ones(2, 3)[1:, T.tensor([True, False, True, False])],
    "index_shapes_do_not_broadcast": lambda T: T.ones(2, 3)[[0, 1], [0, 1, 2]],
    "index_negative_step": lambda T: T.ones(3)[::-1],
    "index_zero_step": lambda T: T.ones(3)[::0],
    "index_0d_int": lambda T: T.tensor(1.0)[0],
    "index_0d_slice": lambda T: T.tensor(1.0)[:],
    "list_indexed_by_tensor": lambda T: [1, 2, 3][T.tensor([1, 2])],
    "setitem_slice_shape": lambda T: _setitem(T.ones(3), slice(0, 2), T.ones(3)),
    "setitem_advanced_shape": lambda T: _setitem(T.ones(3), [0, 1], T.ones(3)),
    "setitem_mask_shape": lambda T: _setitem(T.ones(3), T.tensor([True, False, True]),
                                             T.ones(3)),
    "setitem_row_shape": lambda T: _setitem(T.ones(2, 3), 0, T.ones(2)),
    "setitem_too_many_dims": lambda T: _setitem(T.ones(2, 3), 0, T.ones(2, 3)),
    "setitem_out_of_range": lambda T: _setitem(T.ones(3), 5, 1.0),
    "setitem_list_out_of_range": lambda T: _setitem(T.ones(3), [5], 1.0),
    "setitem_leaf_select": lambda T: _setitem(T.ones(3, requires_grad=True), 0, 2.0),
    "setitem_leaf_none": lambda T: _setitem(T.ones(3, requires_grad=True), None, 2.0),
    "setitem_leaf_advanced": lambda T: _setitem(T.ones(3, requires_grad=True), [0], 2.0),
    "setitem_leaf_full_slice": lambda T: _setitem(T.ones(3, requires_grad=True), slice(None),
                                                  2.0),
    "setitem_leaf_ellipsis": lambda T: _setitem(T.ones(3, requires_grad=True), ..., 2.0),
    # ---- making tensors --------------------------------------------------------------------
    "int_beyond_64_bits": lambda T: T.tensor([2 ** 70, 1]),
    "int_beyond_64_bits_scalar": lambda T: T.tensor(2 ** 70),
    "int_below_64_bits_nested": lambda T: T.tensor([[1], [-2 ** 63 - 1]]),
    "ragged": lambda T: T.tensor([[1, 2], [3]]),
    "ragged_longer": lambda T: T.tensor([[1, 2], [3, 4, 5], [6]]),
    "ragged_deep": lambda T: T.tensor([[[1, 2], [3, 4]], [[1, 2], [3]]]),
    "ragged_number_where_list": lambda T: T.tensor([[1, 2], 3]),
    "ragged_float_number_where_list": lambda T: T.tensor([[1.0], 2]),
    "ragged_list_where_int": lambda T: T.tensor([1, [2, 3]]),
    "ragged_list_where_float": lambda T: T.tensor([1.0, [2.0]]),
    "ragged_list_where_bool": lambda T: T.tensor([True, [False]]),
    "ragged_deep_list_where_int": lambda T: T.tensor([[1, 2], [3, [4]]]),
    "ragged_tensor_row": lambda T: T.tensor([[1, 2], T.ones(3)]),
    "list_of_tensors": lambda T: T.tensor([T.ones(2), T.ones(2)]),
    "tensor_str": lambda T: T.tensor("a"),
    "tensor_bytes": lambda T: T.tensor(b"a"),
    "tensor_str_list": lambda T: T.tensor(["a", "b"]),
    "tensor_str_first": lambda T: T.tensor(["a", 1]),
    "tensor_str_later": lambda T: T.tensor([[1], ["ab"]]),
    "tensor_str_after_number": lambda T: T.tensor([1, "a"]),
    "tensor_none": lambda T: T.tensor(None),
    "tensor_dict": lambda T: T.tensor({}),
    "tensor_object": lambda T: T.tensor(object()),
    "tensor_list_with_none": lambda T: T.tensor([1, None]),
    "tensor_str_ndarray": lambda T: T.tensor(np.array(["a"])),
    "from_numpy_list": lambda T: T.from_numpy([1, 2]),
    "zeros_negative": lambda T: T.zeros(-1),
    "zeros_negative_tuple": lambda T: T.zeros((2, -3)),
    "ones_negative": lambda T: T.ones(2, -3),
    "ones_negative_two": lambda T: T.ones(-1, -2),
    "full_negative": lambda T: T.full((2, -3), 1.0),
    "randn_negative": lambda T: T.randn(-1),
    "rand_negative": lambda T: T.rand(2, -3),
    "empty_negative": lambda T: T.empty(2, -3),
    "zeros_float_size": lambda T: T.zeros(2.5),
    "zeros_float_second_size": lambda T: T.zeros(2, 2.5),
    "ones_str_size": lambda T: T.ones("a"),
    "randn_float_size": lambda T: T.randn(2.5),
    "full_int_size": lambda T: T.full(2, 1.0),
    "arange_zero_step": lambda T: T.arange(0, 10, 0),
    "arange_wrong_sign": lambda T: T.arange(0, 10, -1),
    "arange_backwards": lambda T: T.arange(3, 0),
    "arange_float_backwards": lambda T: T.arange(3.0, 0.0, 1),
    "linspace_negative": lambda T: T.linspace(0, 1, -1),
    "eye_negative": lambda T: T.eye(-1),
    "eye_negative_m": lambda T: T.eye(2, -1),
    # ---- dtypes ----------------------------------------------------------------------------
    "mean_int": lambda T: T.tensor([1, 2]).mean(),
    "mean_bool": lambda T: T.tensor([True]).mean(),
    "mean_int_dim": lambda T: T.tensor([[1, 2]]).mean(0),
    "mean_int_dtype": lambda T: T.ones(2).mean(dtype=T.int64),
    "norm_int": lambda T: T.tensor([1, 2]).norm(),
    "softmax_int": lambda T: T.tensor([1, 2]).softmax(0),
    "softmax_int_not_last_dim": lambda T: T.ones(2, 3, dtype=T.int64).softmax(0),
    "log_softmax_int": lambda T: T.tensor([1, 2]).log_softmax(0),
    "log_softmax_bool": lambda T: T.ones(2, 3, dtype=T.bool).log_softmax(1),
    "where_float_condition": lambda T: T.where(T.ones(3), T.ones(3), T.ones(3)),
    "pow_int_negative": lambda T: T.tensor([1, 2]) ** -1,
    "pow_int_negative_method": lambda T: T.tensor([1, 2]).pow(-2),
    "pow_int_0d_negative": lambda T: T.tensor(2) ** -1,
    "sub_bools": lambda T: T.tensor([True]) - T.tensor([True]),
    "sub_bool_python_bool": lambda T: T.tensor([True]) - True,
    "rsub_bool": lambda T: True - T.tensor([True]),
    "sub_bool_int": lambda T: T.tensor([True]) - 1,
    "sub_method_bools": lambda T: T.tensor([True]).sub(T.tensor([True])),
    "neg_bool": lambda T: -T.tensor([True]),
    "neg_function_bool": lambda T: T.neg(T.tensor([True])),
    "floordiv_int_zero": lambda T: T.tensor([1]) // 0,
    "floordiv_int_zero_tensor": lambda T: T.tensor([1]) // T.tensor([0]),
    "rfloordiv_int_zero": lambda T: 1 // T.tensor([0]),
    "remainder_int_zero": lambda T: T.tensor([1]) % 0,
    "div_floor_int_zero": lambda T: T.tensor([1]).div(0, rounding_mode="floor"),
    "div_trunc_int_zero": lambda T: T.tensor([1]).div(0, rounding_mode="trunc"),
    "div_bad_rounding_mode": lambda T: T.tensor([1.0]).div(2, rounding_mode="round"),
    "and_float": lambda T: T.ones(2) & T.ones(2),
    "or_float": lambda T: T.ones(2) | T.ones(2),
    "xor_double": lambda T: T.ones(2, dtype=T.float64) ^ T.ones(2, dtype=T.float64),
    "and_float_bool": lambda T: T.ones(2) & T.tensor([True, False]),
    "invert_float": lambda T: ~T.ones(2),
    "iadd_float_to_int": lambda T: _iadd(T.tensor([1, 2]), 1.5),
    "add_float_to_int_inplace": lambda T: T.tensor([1, 2]).add_(1.5),
    "mul_float_tensor_to_int_inplace": lambda T: T.tensor([1, 2]).mul_(T.ones(2)),
    "requires_grad_int": lambda T: T.tensor([1, 2], requires_grad=True),
    "requires_grad_bool": lambda T: T.tensor([True], requires_grad=True),
    "requires_grad_int_method": lambda T: T.tensor([1, 2]).requires_grad_(),
    "requires_grad_int_attribute": lambda T: setattr(T.tensor([1, 2]), "requires_grad", True),
    "zeros_int_requires_grad": lambda T: T.zeros(2, dtype=T.int64, requires_grad=True),
    "arange_int_requires_grad": lambda T: T.arange(3, requires_grad=True),
    "full_int_requires_grad": lambda T: T.full((2,), 3, requires_grad=True),
    # ---- conversions -----------------------------------------------------------------------
    "bool_many": lambda T: bool(T.ones(2)),
    "bool_empty": lambda T: bool(T.ones(0)),
    "if_many": lambda T: 1 if T.ones(2) > 0 else 0,
    "item_many": lambda T: T.ones(2).item(),
    "item_empty": lambda T: T.ones(0).item(),
    "float_many": lambda T: float(T.ones(2)),
    "int_many": lambda T: int(T.ones(2)),
    "int_empty": lambda T: int(T.ones(0)),
    "numpy_requires_grad": lambda T: T.ones(2, requires_grad=True).numpy(),
    "numpy_non_leaf": lambda T: (T.ones(2, requires_grad=True) * 2).numpy(),
    "len_0d": lambda T: len(T.tensor(1.0)),
    "iter_0d": lambda T: iter(T.tensor(1.0)),
    "detach_inplace_view": lambda T: T.ones(3)[0].detach_(),
    "detach_inplace_view_of_leaf": lambda T: T.ones(3, requires_grad=True).view(3).detach_(),
    # ---- reductions over nothing -----------------------------------------------------------
    "max_empty": lambda T: T.ones(0).max(),
    "min_empty": lambda T: T.ones(0).min(),
    "amax_empty": lambda T: T.ones(0).amax(),
    "argmax_empty": lambda T: T.ones(0).argmax(),
    "argmin_empty": lambda T: T.ones(0).argmin(),
    "max_empty_dim": lambda T: T.ones(0).max(0),
    "min_empty_dim": lambda T: T.ones(0, 2).min(0),
    "amax_empty_dim": lambda T: T.ones(0, 2).amax(0),
    "argmax_empty_dim": lambda T: T.ones(0, 2).argmax(0),
    "clamp_without_bounds": lambda T: T.ones(2).clamp(),
    # ---- arguments of the wrong type -------------------------------------------------------
    "exp_of_float": lambda T: T.exp(2.0),
    "sigmoid_of_int": lambda T: T.sigmoid(0),
    "sum_of_list": lambda T: T.sum([1, 2]),
    "mean_of_ndarray": lambda T: T.mean(np.ones(2)),
    "mul_by_list": lambda T: T.mul(T.ones(2), [1, 2]),
    "add_str": lambda T: T.ones(2) + "a",
    "radd_str": lambda T: "a" + T.ones(2),
    "mul_none": lambda T: T.ones(2) * None,
    "ndarray_matmul_tensor": lambda T: np.ones(2, np.float32) @ T.ones(2),
    "argmax_bool": lambda T: T.tensor([True, False]).argmax(),
    "isclose_dtypes": lambda T: T.isclose(T.ones(2), T.ones(2, dtype=T.float64)),
    # ---- autograd --------------------------------------------------------------------------
    "backward_non_scalar": lambda T: (T.ones(2, requires_grad=True) * 2).backward(),
    "backward_without_grad": lambda T: T.ones(2).sum().backward(),
    "backward_twice": _backward_twice,
    "backward_gradient_shape": lambda T: (T.ones(2, requires_grad=True) * 2).backward(T.ones(3)),
    "backward_gradient_type": lambda T: (T.ones(2, requires_grad=True) * 2).backward([1.0, 1.0]),
    "grad_of_unused_input": _grad_of_unused,
    "grad_assigned_wrong_shape": lambda T: setattr(T.ones(2, requires_grad=True), "grad",
                                                   T.ones(3)),
    "grad_assigned_non_tensor": lambda T: setattr(T.ones(2, requires_grad=True), "grad", 1.0),
    "leaf_inplace": lambda T: T.ones(2, requires_grad=True).add_(1),
    "non_leaf_requires_grad_false": lambda T: (T.ones(2, requires_grad=True) * 2
                                               ).requires_grad_(False),
    "saved_tensor_modified": _saved_then_modified,
    "retain_grad_without_grad": lambda T: T.ones(2).retain_grad(),
}


def _outcome(case, library, strict):
    """(exception, traceback frames) of running ``case`` on ``library`` (None if it returns)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if strict:  # a numpy warning on the way to the error is a leak of the implementation
            warnings.simplefilter("error", RuntimeWarning)
        try:
            case(library)
        except Exception as exc:  # noqa: BLE001 - comparing whatever both libraries raise
            return exc, traceback.extract_tb(exc.__traceback__)
    return None, []


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_error_as_pytorch(name):
    expected, _ = _outcome(CASES[name], torch, strict=False)
    assert expected is not None, f"{name}: PyTorch raises nothing here; the case is wrong"
    got, frames = _outcome(CASES[name], minigrad, strict=True)
    assert got is not None, f"{name}: minigrad raised nothing; PyTorch raises " \
                            f"{type(expected).__name__}: {expected}"
    assert type(got).__name__ == type(expected).__name__, f"{name}: {got!r} vs {expected!r}"
    assert _masked(str(got)) == _masked(str(expected)), name
    leaked = [f.filename for f in frames if f.filename.startswith(_NUMPY_DIR)]
    assert not leaked, f"{name}: the error comes from inside numpy: {leaked}"


def test_cases_cover_the_brief_list():
    """The errors learners meet first are all here (the test above checks each)."""
    for must in ("add_broadcast", "matmul_2d", "mm_sizes", "dot_sizes", "mv_sizes",
                 "matmul_dtype_2d", "view_noncontiguous", "reshape_bad_size", "sum_dim",
                 "index_out_of_range", "ragged", "tensor_str", "mean_int", "bool_many",
                 "item_many", "numpy_requires_grad", "iadd_float_to_int", "requires_grad_int"):
        assert must in CASES


def test_masking_keeps_the_words():
    text = "<AddBackward0 object at 0x7f2a> in /usr/lib/python3/x.py: bad"
    assert _masked(text) == "<AddBackward0 object at 0x...> in <path>: bad"


def test_no_numpy_warning_for_pytorch_silent_float_errors():
    """1/0, log 0, sqrt(-1), overflow: inf and nan silently, as PyTorch computes them."""
    x = minigrad.tensor([0.0, -1.0, 100.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = (1 / x) + x.log() + x.sqrt() + x.exp() * 1e38
        y.sum().backward()
    t = torch.tensor([0.0, -1.0, 100.0], requires_grad=True)
    ty = (1 / t) + t.log() + t.sqrt() + t.exp() * 1e38
    ty.sum().backward()
    assert repr(y) == repr(ty)
    assert repr(x.grad) == repr(t.grad)
