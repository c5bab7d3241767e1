"""Optimizers: update parameters from their ``.grad``, outside the graph.

The updates are PyTorch's single-tensor CPU algorithms, written on the parameters' numpy data
in their own dtype (float32 stays float32), so a training loop follows PyTorch's step by step.
Nothing here is recorded for backward.
"""
import warnings

import numpy as np

from ._grad_mode import enable_grad
from ._tensor import Tensor

__all__ = ["Optimizer", "SGD", "Adam", "RMSprop"]


class _RequiredParameter:
    def __repr__(self):
        return "<required parameter>"


required = _RequiredParameter()


def _write(t, values):
    """Store ``values`` in tensor ``t`` in place (bumping its version, as in-place ops do)."""
    np.copyto(t._data, values, casting="unsafe")
    t._vc[0] += 1


def _add_into(t, values):
    """t += values in place (bumping its version, as in-place ops do)."""
    np.add(t._data, values, out=t._data, casting="unsafe")
    t._vc[0] += 1


def zero_grads(params, set_to_none=True):
    """Reset each parameter's ``.grad``: to None, or to zeros cut from any graph."""
    for p in params:
        if p.grad is None:
            continue
        if set_to_none:
            p.grad = None
            continue
        if p.grad.grad_fn is not None:
            p.grad.detach_()
        else:
            p.grad.requires_grad_(False)
        p.grad.zero_()


class Optimizer:
    """Holds parameter groups (each a dict: ``params`` and settings) and per-parameter state;
    subclasses define ``step``."""

    def __init__(self, params, defaults):
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + _typename(params))
        self.defaults = defaults
        self.state = {}  # parameter -> its state dict (keyed by the tensor itself, as PyTorch)
        self.param_groups = []
        groups = list(params)
        if not groups:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(dict(group))

    def add_param_group(self, param_group):
        """Add a group of parameters, with settings that default to the optimizer's."""
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. Please "
                            "use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]  # from named_parameters()
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            param_group["param_names"] = names
        param_group["params"] = params
        for p in params:
            if not isinstance(p, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + _typename(p))
            if not (p.is_leaf or p.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        if len({id(p) for p in params}) != len(params):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=3)
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def zero_grad(self, set_to_none=True):
        """Forget the gradients: set ``.grad`` to None (the default, as in PyTorch 2.x), or to
        zeros with ``set_to_none=False``."""
        zero_grads((p for group in self.param_groups for p in group["params"]), set_to_none)

    def _params_with_grad(self, group):
        """``(p, x, g)`` for each parameter of ``group`` that has a gradient: the parameter, its
        data and its gradient's (negated with ``maximize``)."""
        for p in group["params"]:
            if p.grad is not None:
                g = p.grad._data
                yield p, p._data, (-g if group["maximize"] else g)

    def _closure(self, closure):
        if closure is None:
            return None
        with enable_grad():
            return closure()

    def state_dict(self):
        """{'state': {index: state}, 'param_groups': [settings with 'params': [indices]]}."""
        index, groups, start = {}, [], 0
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for i, p in enumerate(group["params"], start):
                index.setdefault(id(p), i)
            packed["params"] = [index[id(p)] for p in group["params"]]
            start += len(packed["params"])
            groups.append(packed)
        state = {index[id(p)]: s for p, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Restore settings and state saved by ``state_dict`` (parameters matched by order)."""
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(len(g["params"]) != len(s["params"]) for g, s in zip(self.param_groups,
                                                                    saved_groups)):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        params = {i: p for s, g in zip(saved_groups, self.param_groups)
                  for i, p in zip(s["params"], g["params"])}
        self.state = {}
        for i, values in state_dict["state"].items():
            p = params[i]
            self.state[p] = {k: (v.detach().clone() if k == "step" else v.detach().to(p.dtype)
                                 .clone()) if isinstance(v, Tensor) else v
                             for k, v in values.items()}
        self.param_groups = [{**s, "params": g["params"]}
                             for s, g in zip(saved_groups, self.param_groups)]

    def step(self, closure=None):
        raise NotImplementedError

    def __repr__(self):
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _typename(value):
    if isinstance(value, Tensor):
        return f"torch.{value.dtype.legacy}"
    return type(value).__qualname__


def _f(x, like):
    """A Python number in the parameter's dtype (PyTorch computes tensor-scalar ops so)."""
    return like.dtype.type(x)


def _lerp(start, end, weight):
    """start + weight·(end − start), evaluated as PyTorch's lerp does (exact at weight 1)."""
    w = _f(weight, start)
    if weight < 0.5:
        return start + w * (end - start)
    return end - (end - start) * _f(1 - weight, start)


class SGD(Optimizer):
    """Stochastic gradient descent: g ← g + wd·p; b ← μ·b + (1 − τ)·g (b = g at first);
    p ← p − lr·(g + μ·b if nesterov else b)."""

    def __init__(self, params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False,
                 *, maximize=False, foreach=None, differentiable=False, fused=None):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay,
                        nesterov=nesterov, maximize=maximize, foreach=foreach,
                        differentiable=differentiable, fused=fused)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
            wd = group["weight_decay"]
            for p, x, g in self._params_with_grad(group):
                if wd != 0:
                    g = g + _f(wd, x) * x
                if momentum != 0:
                    state = self.state.setdefault(p, {})
                    buf = state.get("momentum_buffer")
                    if buf is None:
                        buf = state["momentum_buffer"] = Tensor._make(np.array(g, dtype=x.dtype))
                    else:
                        _write(buf, buf._data * _f(momentum, x) + _f(1 - dampening, x) * g)
                    g = g + _f(momentum, x) * buf._data if group["nesterov"] else buf._data
                _add_into(p, _f(-lr, x) * g)  # PyTorch's p.add_(g, alpha=-lr)
        return loss


class Adam(Optimizer):
    """Adam: m ← β₁m + (1 − β₁)g; v ← β₂v + (1 − β₂)g²;
    p ← p − lr/(1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + eps)  (v: its running max with amsgrad)."""

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0,
                 amsgrad=False, *, foreach=None, maximize=False, capturable=False,
                 differentiable=False, fused=None, decoupled_weight_decay=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
            wd = group["weight_decay"]
            for p, x, g in self._params_with_grad(group):
                state = self.state.setdefault(p, {})
                if not state:
                    state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
                    state["exp_avg"] = Tensor._make(np.zeros_like(x))
                    state["exp_avg_sq"] = Tensor._make(np.zeros_like(x))
                    if group["amsgrad"]:
                        state["max_exp_avg_sq"] = Tensor._make(np.zeros_like(x))
                _write(state["step"], state["step"]._data + 1)
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        _write(p, x * _f(1 - lr * wd, x))
                    else:
                        g = g + _f(wd, x) * x
                m, v = state["exp_avg"], state["exp_avg_sq"]
                _write(m, _lerp(m._data, g, 1 - beta1))
                _write(v, v._data * _f(beta2, x) + _f(1 - beta2, x) * g * g)
                step = float(state["step"]._data)
                bias_correction1 = 1 - beta1 ** step
                bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5
                if group["amsgrad"]:
                    vmax = state["max_exp_avg_sq"]
                    _write(vmax, np.maximum(vmax._data, v._data))
                    v = vmax
                denom = np.sqrt(v._data) / _f(bias_correction2_sqrt, x) + _f(eps, x)
                _write(p, x + _f(-lr / bias_correction1, x) * m._data / denom)
        return loss


class RMSprop(Optimizer):
    """RMSprop: v ← αv + (1 − α)g²; p ← p − lr·g/(√v + eps)  (with ``centered``, v less the
    square of the running mean of g; with ``momentum``, b ← μb + g/(√v + eps), p ← p − lr·b)."""

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0,
                 centered=False, capturable=False, foreach=None, maximize=False,
                 differentiable=False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)
        super().__init__(params, defaults)

    def step(self, closure=None):
        """One update of every parameter that has a gradient."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, alpha, eps = group["lr"], group["alpha"], group["eps"]
            wd, momentum = group["weight_decay"], group["momentum"]
            for p, x, g in self._params_with_grad(group):
                state = self.state.setdefault(p, {})
                if not state:
                    state["step"] = Tensor._make(np.array(0.0, dtype=np.float32))
                    state["square_avg"] = Tensor._make(np.zeros_like(x))
                    if momentum > 0:
                        state["momentum_buffer"] = Tensor._make(np.zeros_like(x))
                    if group["centered"]:
                        state["grad_avg"] = Tensor._make(np.zeros_like(x))
                _write(state["step"], state["step"]._data + 1)
                if wd != 0:
                    g = g + _f(wd, x) * x
                v = state["square_avg"]
                _write(v, v._data * _f(alpha, x) + _f(1 - alpha, x) * g * g)
                if group["centered"]:
                    m = state["grad_avg"]
                    _write(m, _lerp(m._data, g, 1 - alpha))
                    avg = np.sqrt(v._data - m._data * m._data)
                else:
                    avg = np.sqrt(v._data)
                avg = avg + _f(eps, x)
                if momentum > 0:
                    b = state["momentum_buffer"]
                    _write(b, b._data * _f(momentum, x) + g / avg)
                    _write(p, x + _f(-lr, x) * b._data)
                else:
                    _write(p, x + _f(-lr, x) * (g / avg))
        return loss
