"""Backward hooks: functions the backward pass calls on the gradients flowing through a node.

Hooks are data. A node's ``_hooks`` (None until a hook is registered) holds three ordered dicts,
run where PyTorch runs them:

    tensor  ``Tensor.register_hook(fn)``: fn(grad) -> new grad or None; before the node uses the
            gradient (for a leaf: before AccumulateGrad adds it to ``.grad``). ``retain_grad``
            runs after all of them, so ``.grad`` shows what the hooks returned (PyTorch 2.x).
    pre     ``Node.register_prehook(fn)``: fn(grad_outputs) -> new grad_outputs or None.
    post    ``Node.register_hook(fn)``: fn(grad_inputs, grad_outputs) -> new grad_inputs or None.

A leaf's post-accumulate hooks (``Tensor.register_post_accumulate_grad_hook(fn)``: fn(tensor))
run after its ``.grad`` has been updated.

A leaf's tensor hooks live on the tensor (its AccumulateGrad is cached only weakly and may be
rebuilt), and its AccumulateGrad shares that dict.
"""
import weakref
from collections import OrderedDict

from ._tensor import Tensor, methods_of


class RemovableHandle:
    """What ``register_hook`` returns: ``handle.remove()`` unregisters the hook."""

    next_id = 0

    def __init__(self, hooks_dict):
        self.hooks_dict_ref = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1

    def remove(self):
        """Unregister the hook (a second call does nothing)."""
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()


class NodeHooks:
    """The hooks of one node, in registration order."""

    __slots__ = ("tensor", "pre", "post")

    def __init__(self, tensor=None):
        self.tensor = OrderedDict() if tensor is None else tensor
        self.pre = OrderedDict()
        self.post = OrderedDict()

    def run_tensor_hooks(self, g):
        """Each tensor hook sees the gradient (as replaced by the hooks before it)."""
        for fn in tuple(self.tensor.values()):
            new = fn(g)
            if new is not None:
                g = _checked_grad(fn, g, new)
        return g

    def run_pre(self, g):
        """Node pre-hooks: fn((grad_output,)) may return a replacement tuple."""
        for fn in tuple(self.pre.values()):
            new = fn((g,))
            if new is not None:
                g = _checked_tuple(fn, new, 1)[0]
        return g

    def run_post(self, grad_inputs, g):
        """Node post-hooks: fn(grad_inputs, (grad_output,)) may return replacement grad_inputs."""
        for fn in tuple(self.post.values()):
            new = fn(tuple(grad_inputs), (g,))
            if new is not None:
                grad_inputs = _checked_tuple(fn, new, len(grad_inputs))
        return grad_inputs


def _hook_name(fn):
    return getattr(fn, "__name__", type(fn).__name__)


def _checked_grad(fn, old, new):
    """A tensor hook's replacement must be a tensor of the same shape and dtype (PyTorch)."""
    if not isinstance(new, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(new).__name__}'")
    if new.shape != old.shape:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the size of value")
    if new.dtype is not old.dtype:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has changed the type of value (was "
                           f"torch.{old.dtype.legacy} got torch.{new.dtype.legacy})")
    return new


def _checked_tuple(fn, new, n):
    if not isinstance(new, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(new).__name__}'")
    if len(new) != n:
        raise RuntimeError(f"hook '{_hook_name(fn)}' has returned an incorrect number of values "
                           f"(got {len(new)}, but expected {n})")
    return new


def hooks_of(node):
    """The node's hooks, created on first use."""
    if node._hooks is None:
        node._hooks = NodeHooks()
    return node._hooks


def register_tensor_hook(tensor, fn):
    """``Tensor.register_hook``: fn(grad) runs when the gradient for ``tensor`` is computed."""
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        hooks = hooks_of(tensor.grad_fn).tensor
    else:
        if tensor._hooks is None:
            tensor._hooks = OrderedDict()
        hooks = tensor._hooks
        # the leaf's AccumulateGrad, if one is alive (_graph caches it weakly), shares the
        # hooks; one made later starts with them (``leaf_hooks``)
        acc = tensor._accumulator() if tensor._accumulator is not None else None
        if acc is not None and acc._hooks is None:
            acc._hooks = NodeHooks(tensor._hooks)
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


def register_node_hook(node, fn, kind):
    """``Node.register_hook`` (kind "post") and ``Node.register_prehook`` (kind "pre")."""
    hooks = getattr(hooks_of(node), kind)
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


def leaf_hooks(tensor):
    """The NodeHooks a new AccumulateGrad of ``tensor`` starts with (its tensor's hooks)."""
    return NodeHooks(tensor._hooks) if tensor._hooks else None


# id(leaf) -> its post-accumulate-grad hooks, dropped when the leaf is collected (by id: a
# tensor's == is elementwise, so tensors cannot be dictionary keys)
_post_accumulate = {}


def register_post_accumulate_hook(tensor, fn):
    """``Tensor.register_post_accumulate_grad_hook``: fn(tensor) after .grad is updated."""
    if not tensor.requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
    if tensor.grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = _post_accumulate.get(id(tensor))
    if hooks is None:
        hooks = _post_accumulate[id(tensor)] = OrderedDict()
        weakref.finalize(tensor, _post_accumulate.pop, id(tensor), None)
    handle = RemovableHandle(hooks)
    hooks[handle.id] = fn
    return handle


def run_post_accumulate(tensor):
    """The leaf's post-accumulate-grad hooks, in registration order."""
    hooks = _post_accumulate.get(id(tensor)) if _post_accumulate else None
    if hooks:
        for fn in tuple(hooks.values()):
            fn(tensor)


@methods_of
class _TensorMethods:
    def register_hook(self, hook):
        """Call hook(grad) each time the gradient for this tensor is computed, before it is used;
        a returned tensor replaces the gradient. Returns a handle with ``remove()``."""
        return register_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook):
        """Call hook(tensor) on a leaf after its ``.grad`` has been accumulated in backward."""
        return register_post_accumulate_hook(self, hook)
