"""``torch.autograd.graph``: the backward graph's nodes, and what they saved, by PyTorch's names.

Every ``grad_fn`` is a ``Node`` (``isinstance(y.grad_fn, torch.autograd.graph.Node)``), with
``name()``, ``next_functions``, ``metadata``, ``register_hook`` and ``register_prehook``.
What a node saved reads as PyTorch spells it: ``_saved_self`` and ``_saved_other`` (the inputs),
``_saved_result`` (the output), ``_saved_exponent``, ``_saved_dim`` ... (the op's settings) and
``_saved_self_sym_sizes`` (an input's shape).

``saved_tensors_hooks(pack, unpack)``: inside the block, every tensor an op saves for backward is
kept as ``pack(tensor)``, and ``unpack`` of that is what backward (or ``_saved_self``) reads.
"""
from .. import _graph
from .._graph import Node

__all__ = ["Node", "saved_tensors_hooks", "save_on_cpu"]


class saved_tensors_hooks:
    """Context manager: tensors saved for backward inside it are stored as ``pack_hook(t)`` and
    read back as ``unpack_hook(packed)``."""

    def __init__(self, pack_hook, unpack_hook):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self):
        _graph.saved_tensors_hooks.append((self.pack_hook, self.unpack_hook))
        return self

    def __exit__(self, *exc):
        _graph.saved_tensors_hooks.pop()
        return False


class save_on_cpu(saved_tensors_hooks):
    """Saved tensors kept on the CPU: where minigrad keeps everything (so it changes nothing)."""

    def __init__(self, pin_memory=False, device_type="cuda"):
        super().__init__(lambda t: (t.device, t), lambda packed: packed[1].to(packed[0]))

# PyTorch's names of the inputs, where they are not (self, other), by registry op
_INPUT_NAMES = {
    "mm": ("self", "mat2"), "bmm": ("self", "mat2"), "addmm": ("self", "mat1", "mat2"),
    "mv": ("self", "vec"), "dot": ("self", "tensor"), "pow": ("self", "exponent"),
    "mse_loss": ("self", "target"), "binary_cross_entropy": ("self", "target"),
    "binary_cross_entropy_with_logits": ("self", "target"),
    "smooth_l1_loss": ("self", "target"), "huber_loss": ("self", "target"),
}
_REDUCTION = {"none": 0, "mean": 1, "sum": 2}  # PyTorch saves the enum's value


def saved_attribute(node, name):
    """The value behind ``node._saved_<what>``, or AttributeError."""
    op = node.op
    what = name[len("_saved_"):]
    if op is not None:
        inputs = _INPUT_NAMES.get(op.name, ("self", "other", "third"))
        for torch_name, ours in zip(inputs, op.inputs):
            if what == torch_name and ours in op.saves:
                return node.saved_tensor(ours)
            if what == torch_name + "_sym_sizes":
                return node.input_meta[1][op.inputs.index(ours)]
            if what == torch_name + "_sym_numel":
                n = 1
                for k in node.input_meta[1][op.inputs.index(ours)]:
                    n *= k
                return n
        if what == "result" and "out" in op.saves:
            return node.saved_tensor("out")
        attrs = node.attrs or {}
        if what in attrs and what != "name":
            value = attrs[what]
            return _REDUCTION.get(value, value) if what == "reduction" else value
    raise AttributeError(f"'{type(node).__name__}' object has no attribute '{name}'")
