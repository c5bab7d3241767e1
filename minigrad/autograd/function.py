"""Custom autograd Functions: your own forward, and the backward that goes with it.

    class Exp(Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    y = Exp.apply(x)  # y.grad_fn is an ExpBackward node

As in PyTorch, ``ctx`` is the node itself: an instance of ``<Name>Backward``, made for each
Function class. To the engine it is a node like any other: ``apply(g)`` calls your backward and
hands back one gradient per tensor input.
"""
import functools
import inspect
import warnings
import weakref

from .. import _anomaly
from .. import _grad_mode
from .._graph import Node, SavedTensor, _sequence, edge_to
from .._tensor import Tensor

__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]


class FunctionCtx:
    """What ``forward`` and ``backward`` receive as ``ctx``: stash tensors and flags on it."""

    def save_for_backward(self, *tensors):
        """Keep tensors for backward (read them back as ``ctx.saved_tensors``); in-place changes
        to them before backward are detected."""
        for i, t in enumerate(tensors):
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} is "
                                f"of type {type(t).__name__}")
        self.to_save = tensors

    def mark_dirty(self, *args):
        """Declare the inputs that forward changed in place (and returns as outputs)."""
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args):
        """Declare outputs that are not differentiable: they will not require grad."""
        self.non_differentiable = args

    def set_materialize_grads(self, value):
        """Whether missing output gradients reach backward as zeros (True) or None."""
        self.materialize_grads = value


class _CustomOp:
    """What a custom node shows as its op (the graph views read ``name`` and ``math``)."""

    __slots__ = ("name", "math", "inputs", "variadic", "saves")

    def __init__(self, cls):
        self.name = cls.__name__
        self.math = f"z = {cls.__name__}.forward(ctx, …);  x̄ = {cls.__name__}.backward(ctx, z̄)"
        self.inputs = ()
        self.variadic = False
        self.saves = ()

    def __repr__(self):
        return f"<op {self.name}: {self.math}>"


class _SavedTuple(tuple):
    """``ctx.saved_tensors``: PyTorch's tuple. Called, it gives the graph API's dict
    ``{name: tensor}`` that ``Node.saved_tensors()`` returns for every other node."""

    def __call__(self):
        return {f"saved_tensors[{i}]": t for i, t in enumerate(self)}


_FREED = ("Trying to backward through the graph a second time (or directly access saved tensors "
          "after they have already been freed). Saved intermediate values of the graph are freed "
          "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
          "backward through the graph a second time or if you need to access saved tensors after "
          "calling backward.")


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function's output, and the ``ctx`` its forward and backward see."""

    _forward_cls = None

    def __repr__(self):  # PyTorch prints the module path of its Python-defined node classes
        return f"<torch.autograd.function.{type(self).__name__} object at {hex(id(self))}>"

    @property
    def saved_tensors(self):
        """The tensors given to ``save_for_backward``, checked against in-place changes."""
        if self._saved is None:
            raise RuntimeError(_FREED)
        return _SavedTuple(None if s is None else s.unpack(self) for s in self._saved)

    def apply(self, g):
        """Run the user's backward on ``g``; one gradient per tensor input of forward."""
        cls = self._forward_cls
        grads = cls.backward(self, g)
        if not isinstance(grads, tuple):
            grads = (grads,)
        n = len(self._arg_is_tensor)
        if len(grads) > n and all(gr is None for gr in grads[n:]):
            grads = grads[:n]
        if len(grads) != n:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of gradients "
                               f"(expected {n}, got {len(grads)})")
        out = []
        for i, (is_tensor, gr) in enumerate(zip(self._arg_is_tensor, grads)):
            if gr is not None and not isinstance(gr, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(gr).__name__})")
            if not is_tensor:
                if gr is not None:
                    raise RuntimeError(f"function {self.name()} returned a gradient different "
                                       f"than None at position {i + 1}, but the corresponding "
                                       "forward input was not a Variable")
                continue
            out.append(gr)
        for i, (gr, shape) in enumerate(zip(out, self.input_meta[1])):
            if gr is not None and not _expandable(shape, gr.shape):
                raise RuntimeError(f"Function {self.name()} returned an invalid gradient at index "
                                   f"{i} - got {list(gr.shape)} but expected shape compatible "
                                   f"with {list(shape)}")
        return out

    def vjp(self, g):
        """Your backward runs on tensors: in a plain backward pass (numpy arrays) ``g`` is
        wrapped for it, and the gradients it returns are unwrapped."""
        if isinstance(g, Tensor):
            return self.apply(g)
        return [None if gi is None else gi._data for gi in self.apply(Tensor._make(g))]

    def release(self):
        self._saved = None


def _expandable(shape, target):
    """True when ``shape`` broadcasts to ``target`` (a gradient of ``target``'s shape for an
    input of ``shape`` is summed back to it)."""
    if len(shape) > len(target):
        return False
    return all(a == b or a == 1 for a, b in zip(reversed(shape), reversed(target)))


class _FunctionMeta(type):
    """Gives every Function subclass its own node class, ``<Name>Backward``."""

    def __init__(cls, name, bases, attrs):
        cls._backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        cls._op_entry = _CustomOp(cls)
        super().__init__(name, bases, attrs)


class Function(metaclass=_FunctionMeta):
    """Base class of custom autograd operations: define static ``forward(ctx, *args)`` and
    ``backward(ctx, *grads)``, then call ``YourFunction.apply(*args)``."""

    def __init__(self, *args, **kwargs):
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future version "
                      "of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args, **kwargs):
        raise RuntimeError("Legacy autograd function with non-static forward method is deprecated. "
                           "Please use new-style autograd function with static forward method. "
                           "(Example: https://pytorch.org/docs/stable/autograd.html"
                           "#torch.autograd.Function)")

    @staticmethod
    def forward(ctx, *args, **kwargs):
        """The computation, on tensors, run with grad mode off."""
        raise NotImplementedError("You must implement the forward function for custom "
                                  "autograd.Function.")

    @staticmethod
    def setup_context(ctx, inputs, output):
        """Optional: fill ``ctx`` here when ``forward`` does not take it (PyTorch 2.x style)."""
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx, *grad_outputs):
        """One gradient (or None) per input of forward, given the output's gradient."""
        raise NotImplementedError("You must implement either the backward or vjp method for your "
                                  "custom autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args, **kwargs):
        """Run forward (under no_grad) and, when an input requires grad, make the output's node."""
        separate = cls.setup_context is not Function.setup_context
        if kwargs or separate:  # keyword arguments become positional inputs, as in PyTorch
            bound = inspect.signature(cls.forward).bind(*(() if separate else (None,)), *args,
                                                        **kwargs)
            if separate:
                bound.apply_defaults()
            args = bound.args if separate else bound.args[1:]
        ctx = _new_ctx(cls, args)
        with _grad_mode.no_grad():
            output = cls.forward(*args) if separate else cls.forward(ctx, *args)
        if separate:
            cls.setup_context(ctx, args, output)
        return _wrap_outputs(ctx, args, output)


def _new_ctx(cls, args):
    """A fresh node of ``cls``, numbered now (before forward) as PyTorch numbers it."""
    ctx = cls._backward_cls()
    ctx.needs_input_grad = tuple(isinstance(a, Tensor) and a.requires_grad for a in args)
    ctx.to_save = ()
    ctx.dirty_tensors = ()
    ctx.non_differentiable = ()
    ctx.materialize_grads = True
    ctx.op = cls._op_entry
    ctx.next_functions = ()
    ctx.attrs = {}
    ctx.input_meta = ((), ())
    ctx.seq = -next(_sequence)
    ctx._saved = ()
    ctx._output = None
    ctx._retained = None
    ctx._hooks = None
    ctx._trace = _anomaly.forward_stack() if _anomaly.enabled else None
    return ctx


def _wrap_outputs(ctx, args, output):
    """Give forward's outputs their node (PyTorch's rules for inputs returned as they are,
    dirty inputs, non-differentiable and integer outputs)."""
    tensors = [a for a in args if isinstance(a, Tensor)]
    differentiable = _grad_mode._enabled and any(t.requires_grad for t in tensors)
    outputs = output if isinstance(output, tuple) else (output,)
    results, attached = [], []
    for o in outputs:
        if not isinstance(o, Tensor):
            results.append(o)
            continue
        dirty = any(o is d for d in ctx.dirty_tensors)
        if dirty:
            if differentiable and o._requires_grad and o.grad_fn is None:
                raise RuntimeError("a leaf Variable that requires grad has been used in an "
                                   "in-place operation.")
            o._vc[0] += 1
        elif any(o is a for a in args):
            o = _alias(o)  # an input returned as it is comes back as a view of it
        if (differentiable and o._data.dtype.kind == "f"
                and not any(o is n for n in ctx.non_differentiable)):
            attached.append(o)
        results.append(o)
    if len(attached) > 1:
        raise NotImplementedError(f"{ctx._forward_cls.__name__}.forward returned "
                                  f"{len(attached)} differentiable tensors; minigrad's custom "
                                  "Functions support one (mark the others non-differentiable)")
    if attached:
        _link(ctx, tensors, args, attached[0])
    return tuple(results) if isinstance(output, tuple) else results[0]


def _alias(t):
    alias = Tensor._make(t._data)
    alias._vc = t._vc
    alias._base = t if t._base is None else t._base
    return alias


def _link(ctx, tensors, args, out):
    """Make ``ctx`` the grad_fn of ``out``, with one edge per tensor input."""
    ctx.next_functions = tuple((edge_to(t), 0) for t in tensors)
    ctx.input_meta = (tuple(t._data.dtype.char for t in tensors),
                      tuple(t._data.shape for t in tensors))
    ctx._arg_is_tensor = tuple(isinstance(a, Tensor) for a in args)
    ctx._output = weakref.ref(out)
    # Saved as the version they have now; the output is saved as data (no cycle through it).
    ctx._saved = tuple(None if t is None else SavedTensor(t, t is out) for t in ctx.to_save)
    out.grad_fn = ctx
    out._requires_grad = False


def once_differentiable(fn):
    """Decorator for a backward that cannot itself be differentiated: it runs with grad off."""
    @functools.wraps(fn)
    def wrapper(ctx, *args):
        with _grad_mode.no_grad():
            return fn(ctx, *args)
    return wrapper
