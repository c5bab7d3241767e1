"""What a drawing needs to know about one node or tensor, read from minigrad or PyTorch.

minigrad's nodes carry the registry entry of their op (``node.op``: name, math, input names), the
tensor they produced (``node.output``) and whether backward freed what they saved
(``node.saved_freed``). PyTorch's nodes have none of these: their math and input names come from
minigrad's registry entry of the same grad_fn name, and the rest is left out rather than guessed.
"""
import sys


def is_tensor(value):
    """True for a minigrad tensor, or a PyTorch tensor when PyTorch is already imported."""
    import minigrad
    if isinstance(value, minigrad.Tensor):
        return True
    torch = sys.modules.get("torch")  # never import PyTorch here: only look if the user did
    return torch is not None and isinstance(value, getattr(torch, "Tensor", ()))


def is_torch(tensor):
    """True for a PyTorch tensor."""
    return type(tensor).__module__.split(".")[0] == "torch"


def is_minigrad_node(node):
    """True for minigrad's nodes, which carry ``saved_freed`` (PyTorch's do not)."""
    return hasattr(node, "saved_freed")


def op_entry(node):
    """The registry entry (``OpDef``) of a minigrad node, or minigrad's entry of a PyTorch
    node's grad_fn name (``MulBackward0`` -> mul); None when there is none."""
    op = getattr(node, "op", None)
    if op is not None and hasattr(op, "math"):
        return op
    return _entries_by_grad_fn_name().get(node.name())


_BY_NAME = {}


def _entries_by_grad_fn_name():
    if not _BY_NAME:
        from minigrad.ops import OPS
        for op in OPS.values():
            if isinstance(op.backward, str):
                _BY_NAME.setdefault(op.backward, op)
                continue
            # A name that depends on the attrs (SumBackward0 / SumBackward1): try the defaults
            # and the registry's sample attrs.
            for attrs in [{}] + [s[-1] for s in op.samples if s and isinstance(s[-1], dict)]:
                try:
                    _BY_NAME.setdefault(op.backward({**op.defaults, **attrs}), op)
                except (KeyError, TypeError):
                    pass
    return _BY_NAME


def argument_names(node):
    """One name per entry of ``next_functions``: the op's input names (``x``, ``y``) when known,
    ``xs[0]``, ``xs[1]``... for ops over a list, else the positions ``0``, ``1``..."""
    n = len(node.next_functions)
    op = op_entry(node)
    names = tuple(getattr(op, "inputs", ()) or ())
    if op is not None and getattr(op, "variadic", False) and not names:
        return tuple(f"xs[{i}]" for i in range(n))
    if len(names) == n:
        return names
    return tuple(str(i) for i in range(n))


def output_of(node):
    """The tensor ``node`` produced, while it is alive (minigrad only; None otherwise)."""
    try:
        return getattr(node, "output", None)
    except (RuntimeError, ReferenceError):
        return None


def saved_freed(node):
    """True once backward without ``retain_graph`` has freed what ``node`` saved."""
    if is_minigrad_node(node):
        return bool(node.saved_freed)
    for attr in dir(node):  # PyTorch's node raises on reading a freed saved value
        if attr.startswith("_saved_"):
            try:
                getattr(node, attr)
            except RuntimeError:
                return True
    return False


def numbers(node):
    """{input position: the Python number the op was given there} (minigrad only: PyTorch's
    nodes keep no number they do not need)."""
    return dict(getattr(node, "numbers", None) or {}) if is_minigrad_node(node) else {}


def alpha(node):
    """The factor α of ``x + αy`` and ``x − αy`` (None when the op has none or it is unknown)."""
    if is_minigrad_node(node):
        return (getattr(node, "attrs", None) or {}).get("alpha")
    try:
        return getattr(node, "_saved_alpha", None)
    except RuntimeError:
        return None


def number_attribute(node, name):
    """A number the op was given as an attribute (``exponent`` of ``x ** 2``), or None."""
    if is_minigrad_node(node):
        value = (getattr(node, "attrs", None) or {}).get(name)
    else:
        try:
            value = getattr(node, f"_saved_{name}", None)
        except RuntimeError:
            value = None
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def constant_input(node, position):
    """The tensor at input ``position`` that needs no gradient: the number the op was given
    there, or what ``node`` saved for backward (while not freed); None otherwise."""
    given = numbers(node).get(position)
    if given is not None:
        return given
    if saved_freed(node):
        return None
    if not is_minigrad_node(node):  # PyTorch's binary ops save their inputs as self and other
        attr = ("_saved_self", "_saved_other")[position] if position < 2 else None
        value = getattr(node, attr, None) if attr and len(node.next_functions) == 2 else None
        return value if is_tensor(value) else None
    op = op_entry(node)
    names = tuple(getattr(op, "inputs", ()) or ())
    try:
        saved = node.saved_tensors()
    except RuntimeError:  # changed in place since: the saved value is no longer valid
        return None
    if position < len(names):
        return saved.get(names[position])
    listed = saved.get("xs")
    return listed[position] if listed is not None and position < len(listed) else None


def hook_count(tensor):
    """How many backward hooks are registered on ``tensor`` (PyTorch's ``register_hook``)."""
    hooks = getattr(tensor, "_backward_hooks", None)
    return len(hooks) if hooks else 0


def read_grad(tensor):
    """``tensor.grad`` for the tensors that have one (leaves, retain_grad), never warning."""
    if tensor.is_leaf or tensor.retains_grad:
        return tensor.grad
    return None


def has_grad_slot(tensor):
    """True when backward fills ``tensor.grad``: leaves that require grad, and retain_grad."""
    return (tensor.is_leaf and tensor.requires_grad) or bool(tensor.retains_grad)
