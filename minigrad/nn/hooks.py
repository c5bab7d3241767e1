"""Module hooks: functions a module calls around its forward, and on its gradients in backward.

    forward pre-hook   hook(module, args) -> new args or None (``with_kwargs``: (args, kwargs))
    forward hook       hook(module, args, output) -> new output or None
    full backward hook hook(module, grad_input, grad_output) -> new grad_input or None
    backward pre-hook  hook(module, grad_output) -> new grad_output or None

As in PyTorch, full backward hooks pass the module's tensor input and output through an identity
(``BackwardHookFunctionBackward``) whose node collects the gradients; the legacy
``register_backward_hook`` hooks the output's own node (and so sees that node's inputs).
"""
import warnings

from .. import _grad_mode
from .._graph import apply
from .._hooks import RemovableHandle
from .._tensor import Tensor
from ..ops import OPS


def register(module, store, hook, prepend=False, with_kwargs=False, always_call=False):
    """Add ``hook`` to one of the module's hook dicts; returns its handle."""
    hooks = module.__dict__[store]
    handle = RemovableHandle(hooks)
    hooks[handle.id] = hook
    if prepend:
        hooks.move_to_end(handle.id, last=False)
    if with_kwargs:
        module.__dict__["_hooks_with_kwargs"].add(handle.id)
    if always_call:
        module.__dict__["_forward_hooks_always_called"].add(handle.id)
    return handle


def backward_hook_kind(module, full):
    """PyTorch forbids mixing the legacy and the full backward hooks on one module."""
    kind = module.__dict__.get("_is_full_backward_hook")
    if kind is not None and kind != full:
        raise RuntimeError("Cannot use both regular backward hooks and full backward hooks on a "
                           "single Module. Please use only one of them.")
    module.__dict__["_is_full_backward_hook"] = full


def call(module, args, kwargs):
    """Run the module's forward with its hooks; if it raises, the forward hooks registered with
    ``always_call=True`` still run (their own errors become warnings), then the error goes on."""
    called = set()
    try:
        return _call(module, args, kwargs, called)
    except Exception:
        for hook_id, hook in tuple(module._forward_hooks.items()):
            if hook_id in module._forward_hooks_always_called and hook_id not in called:
                try:
                    if hook_id in module._hooks_with_kwargs:
                        hook(module, args, kwargs, None)
                    else:
                        hook(module, args, None)
                except Exception as e:  # noqa: BLE001 - PyTorch silences it with a warning
                    warnings.warn("module forward hook with ``always_call=True`` raised an "
                                  "exception that was silenced as another error was raised in "
                                  f"forward: {e}", stacklevel=3)
        raise


def _call(module, args, kwargs, called):
    with_kwargs = module._hooks_with_kwargs
    for hook_id, hook in tuple(module._forward_pre_hooks.items()):
        if hook_id in with_kwargs:
            result = hook(module, args, kwargs)
            if result is not None:
                if isinstance(result, tuple) and len(result) == 2:
                    args, kwargs = result
                else:
                    raise RuntimeError("forward pre-hook must return None or a tuple of "
                                       f"(new_args, new_kwargs), but got {result}.")
        else:
            result = hook(module, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
    full = module._is_full_backward_hook is True and module._backward_hooks
    watch = _BackwardHook(module) if (full or module._backward_pre_hooks) else None
    if watch is not None:
        args = watch.setup_input(args)
    output = module.forward(*args, **kwargs)
    for hook_id, hook in tuple(module._forward_hooks.items()):
        called.add(hook_id)
        result = (hook(module, args, kwargs, output) if hook_id in with_kwargs
                  else hook(module, args, output))
        if result is not None:
            output = result
    if watch is not None:
        output = watch.setup_output(output)
    if module._is_full_backward_hook is False and module._backward_hooks:
        _legacy_hooks(module, args, output)
    return output


class _BackwardHook:
    """Links the gradients of a module's output to those of its input, for its hooks."""

    def __init__(self, module):
        self.module = module
        self.grad_outputs = None
        self.n_inputs = 0
        self.input_index = None

    def _wrap(self, values, on_node):
        """values with their tensors passed through the identity; None when none needs grad."""
        index = [i for i, v in enumerate(values) if isinstance(v, Tensor)]
        if not (any(values[i].requires_grad for i in index) and _grad_mode.is_grad_enabled()):
            return values, None
        wanting = [i for i in index if values[i].requires_grad]
        if len(wanting) > 1:
            raise NotImplementedError("minigrad's module backward hooks watch one tensor input "
                                      "and one tensor output that require grad")
        values = list(values)
        values[wanting[0]] = apply(OPS["backward_hook"], values[wanting[0]])
        on_node(values[wanting[0]].grad_fn)
        return tuple(values), wanting

    def setup_input(self, args):
        self.n_inputs = len(args)
        args, self.input_index = self._wrap(args, lambda node: node.register_hook(self._input))
        return args

    def _input(self, grad_input, _):
        if self.grad_outputs is None:
            return None
        res = [None] * self.n_inputs
        res[self.input_index[0]] = grad_input[0]
        res = tuple(res)
        for hook in tuple(self.module._backward_hooks.values()):
            out = hook(self.module, res, self.grad_outputs)
            if out is None:
                continue
            if len(out) != len(res):
                raise RuntimeError("Backward hook returned an invalid number of grad_input, "
                                   f"got {len(out)}, but expected {len(res)}")
            res = out
        self.grad_outputs = None
        return (res[self.input_index[0]],)

    def setup_output(self, output):
        single = not isinstance(output, tuple)
        values = (output,) if single else output
        values, self.output_index = self._wrap(values,
                                               lambda node: node.register_hook(self._output))
        self.n_outputs = len(values)
        return values[0] if single else values

    def _output(self, grad_output, _):
        packed = [None] * self.n_outputs
        packed[self.output_index[0]] = grad_output[0]
        self.grad_outputs = tuple(packed)
        for hook in tuple(self.module._backward_pre_hooks.values()):
            new = hook(self.module, self.grad_outputs)
            if new is None:
                continue
            if len(new) != len(self.grad_outputs):
                raise RuntimeError("Backward pre hook returned an invalid number of grad_output, "
                                   f"got {len(new)}, but expected {len(self.grad_outputs)}")
            self.grad_outputs = tuple(new)
        local = self.grad_outputs
        if self.input_index is None:
            warnings.warn("Full backward hook is firing when gradients are computed with respect "
                          "to module outputs since no inputs require gradients. See "
                          "https://docs.pytorch.org/docs/main/generated/torch.nn.Module.html#torch"
                          ".nn.Module.register_full_backward_hook for more details.", stacklevel=5)
            grad_inputs = (None,) * self.n_inputs
            for hook in tuple(self.module._backward_hooks.values()):
                res = hook(self.module, grad_inputs, self.grad_outputs)
                if res is not None and not (isinstance(res, tuple) and
                                            all(r is None for r in res)):
                    raise RuntimeError("Backward hook for Modules where no input requires "
                                       "gradient should always return None or None for all "
                                       "gradients.")
            self.grad_outputs = None
        return (local[self.output_index[0]],)


def _legacy_hooks(module, args, output):
    """``register_backward_hook``: the hooks watch the node that made the output."""
    var = output
    while not isinstance(var, Tensor):
        var = next(v for v in var.values() if isinstance(v, Tensor)) if isinstance(var, dict) \
            else var[0]
    grad_fn = var.grad_fn
    if grad_fn is None:
        return
    for hook in tuple(module._backward_hooks.values()):
        grad_fn.register_hook(lambda grad_input, grad_output, hook=hook: hook(
            module, grad_input, grad_output))
    _warn_legacy(args, output, grad_fn)


def _warn_legacy(inputs, result, grad_fn):
    """PyTorch's FutureWarnings where the legacy hook misses gradients."""
    tail = ("is deprecated and will be removed in future versions. This hook will be missing "
            "some of the grad_{}. Please use register_full_backward_hook to get the documented "
            "behavior.")
    if not isinstance(result, Tensor):
        if not (isinstance(result, tuple) and all(isinstance(r, Tensor) for r in result)):
            warnings.warn("Using non-full backward hooks on a Module that does not return a "
                          "single Tensor or a tuple of Tensors " + tail.format("output"),
                          FutureWarning, stacklevel=4)
            return
    else:
        result = (result,)
    if not all(isinstance(i, Tensor) for i in inputs):
        warnings.warn("Using non-full backward hooks on a Module that does not take as input a "
                      "single Tensor or a tuple of Tensors " + tail.format("input"),
                      FutureWarning, stacklevel=4)
        return
    out_grad_fn = {r.grad_fn for r in result if r.grad_fn is not None}
    if len(out_grad_fn) == 0 or (len(out_grad_fn) == 1 and grad_fn not in out_grad_fn):
        warnings.warn("Using a non-full backward hook when outputs are nested in python data "
                      "structure is deprecated and will be removed in future versions. This hook "
                      "will be missing some grad_output.", FutureWarning, stacklevel=4)
    elif len(out_grad_fn) > 1:
        warnings.warn("Using a non-full backward hook when outputs are generated by different "
                      "autograd Nodes is deprecated and will be removed in future versions. This "
                      "hook will be missing some grad_output. Please use "
                      "register_full_backward_hook to get the documented behavior.",
                      FutureWarning, stacklevel=4)
    else:
        inputs_grad_fn = {i.grad_fn for i in inputs if i.grad_fn is not None}
        next_functions = {n[0] for n in grad_fn.next_functions}
        if inputs_grad_fn != next_functions:
            warnings.warn("Using a non-full backward hook when the forward contains multiple "
                          "autograd Nodes is deprecated and will be removed in future versions. "
                          "This hook will be missing some grad_input. Please use "
                          "register_full_backward_hook to get the documented behavior.",
                          FutureWarning, stacklevel=4)
