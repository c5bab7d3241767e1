"""``minigrad.autograd``: backward and grad, grad modes, and the legacy ``Variable``."""
import warnings

import numpy as np

from .._args import engine_flag
from .._creation import empty
from .._engine import _accumulate, backward_steps, run_backward
from .._grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .._tensor import Tensor, methods_of, warn_once
from . import anomaly_mode, function, functional, graph  # noqa: E402
from .anomaly_mode import detect_anomaly, set_detect_anomaly
from .function import Function
from .gradcheck import gradcheck, gradgradcheck

__all__ = ["backward", "grad", "backward_steps", "Variable", "no_grad", "enable_grad",
           "set_grad_enabled", "is_grad_enabled", "Function", "detect_anomaly",
           "set_detect_anomaly", "functional", "gradcheck", "gradgradcheck", "graph"]


def _tensor_tuple(tensors):
    return (tensors,) if isinstance(tensors, Tensor) else tuple(tensors)


def _make_grads(outputs, grads):
    """The seed gradient of each output: given, or 1 for a scalar (PyTorch's rules and errors)."""
    new_grads = []
    for out in outputs:
        if not isinstance(out, Tensor):  # PyTorch's assertion, word for word
            raise AssertionError("Expected output to be a torch.Tensor")
    for i, (out, grad) in enumerate(zip(outputs, grads)):
        if isinstance(grad, Tensor):
            if out.shape != grad.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{grad.shape} and output[{i}] has a shape of {out.shape}.")
            new_grads.append(grad if grad.dtype is out.dtype else grad.to(out.dtype))
        elif grad is None:
            if out.requires_grad:
                if out.numel() != 1:
                    raise RuntimeError("grad can be implicitly created only for scalar outputs")
                new_grads.append(Tensor._make(_ones(out)))
            else:
                new_grads.append(None)
        else:
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(grad).__name__}")
    return new_grads


def _ones(out):
    return np.ones(out._data.shape, dtype=out._data.dtype)


def _grad_list(grad_tensors, n):
    if grad_tensors is None:
        return [None] * n
    if isinstance(grad_tensors, Tensor):
        return [grad_tensors]
    return list(grad_tensors)


def backward(tensors, grad_tensors=None, retain_graph=None, create_graph=False,
             grad_variables=None, inputs=None):
    """Accumulate into the leaves' ``.grad`` the vector-Jacobian products of ``tensors``."""
    tensors = _tensor_tuple(tensors)
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    grads = _make_grads(tensors, _grad_list(grad_tensors, len(tensors)))
    if retain_graph is None:
        retain_graph = create_graph
    if create_graph:  # warning at the caller of Tensor.backward
        warn_once("Using backward() with create_graph=True will create a reference cycle between "
                  "the parameter and its gradient which can cause a memory leak. We recommend "
                  "using autograd.grad when creating the graph to avoid this. If you have to use "
                  "this function, make sure to reset the .grad fields of your parameters to None "
                  "after use to break the cycle and avoid the leak.", stacklevel=3)
    if inputs is not None:
        inputs = _tensor_tuple(inputs)
        if not inputs:
            raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
        captured = run_backward(tensors, grads, retain_graph, create_graph, inputs)
        for t, g in zip(inputs, captured):
            if g is not None:
                _accumulate(t, g, create_graph)
        return
    run_backward(tensors, grads, retain_graph, create_graph)


@methods_of
class _TensorMethods:
    def backward(self, gradient=None, retain_graph=None, create_graph=False, inputs=None):
        """Accumulate d(self)/d(leaf) (times ``gradient``: a vector-Jacobian product) into the
        ``.grad`` of every leaf this tensor was computed from."""
        backward(self, gradient, retain_graph, create_graph, inputs=inputs)  # autograd.backward


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         only_inputs=True, allow_unused=None, is_grads_batched=False, materialize_grads=False):
    """The gradients of ``outputs`` with respect to ``inputs``, returned (``.grad`` untouched)."""
    outputs = _tensor_tuple(outputs)
    inputs = _tensor_tuple(inputs)
    if allow_unused is not None:
        engine_flag(allow_unused)
    if not inputs:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    for t in inputs:
        if not isinstance(t, Tensor):
            raise RuntimeError("all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(t).__name__}")
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when materialize_grads="
                         "True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    grads = _make_grads(outputs, _grad_list(grad_outputs, len(outputs)))
    if retain_graph is None:
        retain_graph = create_graph
    result = run_backward(outputs, grads, retain_graph, create_graph, inputs)
    out = []
    for i, (t, g) in enumerate(zip(inputs, result)):
        if g is None:
            if not allow_unused:
                raise RuntimeError(f"The differentiated Tensor at index {i} appears to not have "
                                   "been used in the graph. Set allow_unused=True if this is the "
                                   "desired behavior.")
            if materialize_grads:
                g = Tensor._make(_ones(t) * 0)
        out.append(g)
    return tuple(out)


def Variable(data, requires_grad=False, volatile=False):
    """The legacy wrapper of PyTorch before 0.4: today it simply makes a tensor."""
    if data is None:  # PyTorch: an empty tensor
        data = empty(0)
    if not isinstance(data, Tensor):
        raise TypeError("Variable data has to be a tensor, but got " + type(data).__name__)
    if not isinstance(requires_grad, int):  # PyTorch's C++ reads it as an integer
        raise TypeError(f"'{type(requires_grad).__name__}' object cannot be interpreted as an "
                        "integer")
    if volatile:  # PyTorch 0.4 replaced it by no_grad; it still warns, as here
        warnings.warn("volatile was removed and now has no effect. Use `with torch.no_grad():` "
                      "instead.", UserWarning, stacklevel=2)
    t = Tensor._make(data._data)
    t._vc = data._vc
    if requires_grad:
        t.requires_grad_(True)
    return t
