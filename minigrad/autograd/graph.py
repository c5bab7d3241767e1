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
from .._saved_attrs import saved_attribute  # noqa: F401  (importable from here as before)

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
