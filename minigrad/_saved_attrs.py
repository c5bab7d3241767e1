"""What a backward node saved, by PyTorch's names: ``grad_fn._saved_self``, ``_saved_other``
(the inputs), ``_saved_result`` (the output), ``_saved_dim`` ... (the op's settings) and
``_saved_self_sym_sizes`` (an input's shape). ``Node.__getattr__`` reads them here; this module
imports nothing, and reads the node through its public attributes (``op``, ``attrs``,
``input_meta``, ``saved_tensor``).
"""

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
