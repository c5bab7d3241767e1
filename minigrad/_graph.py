"""The graph the forward pass records: op definitions, backward nodes, saved tensors.

An op is an ``OpDef``: a name, a forward on numpy arrays, and a VJP on tensors. The VJP's
parameter names say what it needs, so the node saves exactly that and nothing more:

    def vjp(g, x, y): ...          # saves the inputs named x and y (forward's parameter names)
    def vjp(g, out): ...           # saves the output
    def vjp(g, x_shape, *, dim):   # needs only x's shape, and the forward's keyword ``dim``
    def vjp(g, x, y, *, needs_input_grad):  # which inputs want a gradient (skip the others)

``apply(op, *inputs, **attrs)`` runs the forward and, when grad mode is on and an input requires
grad, links a ``Node`` (the output's ``grad_fn``) to the inputs' nodes. Public node attributes
(``name()``, ``next_functions``, ``op``, ``output``, ``saved_freed``, ``variable`` on
``AccumulateGrad``) are the graph API that the engine and the visualisers read.
"""
import inspect
import itertools
import weakref

import numpy as np

from . import _anomaly
from . import _dtype
from . import _grad_mode
from . import _hooks
from ._saved_attrs import saved_attribute
from ._tensor import Tensor, as_operand

_metadata = weakref.WeakKeyDictionary()  # Node.metadata, kept only while the node lives
# (pack, unpack) of the autograd.graph.saved_tensors_hooks blocks in force, innermost last
# (None while a pack hook runs)
saved_tensors_hooks = []
_sequence = itertools.count()  # creation order: the engine runs ready nodes newest first


class OpDef:
    """One registry entry: forward (numpy) and VJP (tensors) side by side, with its math."""

    def __init__(self, name, backward, math, forward, vjp, *, dtypes="promote", view=False,
                 samples=(), domain=None, uses=None):
        self.name = name
        self.backward = backward  # PyTorch's grad_fn name, or a function of the attrs giving it
        self.math = math
        self.forward = forward
        # forward with numpy's floating-point warnings off: 1/0 is inf and 0/0 nan silently, as
        # in PyTorch (a view computes nothing, so it meets no floating-point error)
        self.quiet_forward = forward if view else np.errstate(all="ignore")(forward)
        self.vjp = vjp
        self.dtypes = dtypes  # "promote" | "float" (ints become float32) | "same" | "keep"
        self.view = view  # output shares memory with input 0 (reshape, transpose, indexing...)
        self.samples = samples  # input shapes and attrs for the generated gradient checks
        self.domain = domain  # (low, high) where the op is smooth, for the gradient checks
        # uses: {input: saved names its gradient reads}; a saved tensor that only the gradient of
        # an input not requiring grad reads is not checked for in-place changes (PyTorch does
        # not save it at all). None: every input's gradient reads everything saved.
        self.uses = uses
        self._checked = {}  # which inputs require grad -> the saved names to version-check
        params = inspect.signature(forward).parameters.values()
        self.inputs = tuple(p.name for p in params if p.kind != p.KEYWORD_ONLY
                            and p.kind != p.VAR_POSITIONAL)
        self.variadic = any(p.kind == p.VAR_POSITIONAL for p in params)
        self.defaults = {p.name: p.default for p in params
                         if p.kind == p.KEYWORD_ONLY and p.default is not p.empty}
        needs = [p.name for p in inspect.signature(vjp).parameters.values()][1:]
        self.saves = tuple(n for n in needs if n in self.inputs or n in ("out", "xs"))
        if uses is not None:  # PyTorch saves what input 0's gradient reads first, and so on
            first = [n for name in self.inputs for n in uses.get(name, ()) if n in self.saves]
            self.saves = tuple(dict.fromkeys(first + list(self.saves)))
        # each saved name with the position of its input (None for the output, or all inputs)
        self.saved_from = tuple((n, self.inputs.index(n) if n in self.inputs else None)
                                for n in self.saves)
        self.shapes = tuple(n for n in needs if n.endswith("_shape") or n == "shapes")
        # needs_input_grad (PyTorch's name): a tuple of bools, one per input; a VJP that takes it
        # returns None for an input that needs no gradient instead of computing it for nothing.
        self.needs_input_grad = "needs_input_grad" in needs
        self.attrs = tuple(n for n in needs if n not in self.saves and n not in self.shapes
                           and n != "needs_input_grad")
        self.node_class = None if callable(backward) else _node_class(backward)

    def __repr__(self):
        return f"<op {self.name}: {self.math}>"

    def checked(self, requires):
        """The saved names whose in-place changes matter when the inputs flagged in
        ``requires`` need gradients: what their gradients read (see ``uses``)."""
        if self.uses is None:
            return self.saves
        names = self._checked.get(requires)
        if names is None:
            names = self._checked[requires] = frozenset(
                n for name, r in zip(self.inputs, requires) if r for n in self.uses[name])
        return names


_node_classes = {}


def _node_class(name):
    """One Node subclass per grad_fn name, so ``type(y.grad_fn).__name__`` is PyTorch's."""
    if name not in _node_classes:
        _node_classes[name] = type(name, (Node,), {"__slots__": ()})
    return _node_classes[name]


class Node:
    """A backward function: ``grad_fn`` of a tensor that an op produced."""

    __slots__ = ("op", "next_functions", "needs_input_grad", "attrs", "input_meta", "seq",
                 "_saved", "_output", "_retained", "_hooks", "_trace", "_numbers", "__weakref__")

    def name(self):
        """PyTorch's name of the node (the nodes it writes in C++ are namespaced)."""
        n = type(self).__name__
        return "torch::autograd::" + n if n in ("CopySlices", "AccumulateGrad") else n

    def __repr__(self):
        return f"<{type(self).__name__} object at {hex(id(self))}>"

    def __getattr__(self, name):
        # what the node saved, by PyTorch's names: _saved_self, _saved_result, _saved_dim ...
        if name.startswith("_saved_") and name != "_saved_":
            return saved_attribute(self, name)
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    @property
    def metadata(self):
        """A dict that stays with the node, for the user's own notes (empty at first)."""
        return _metadata.setdefault(self, {})

    @property
    def output(self):
        """The tensor this node produced, while it is alive (None after it is collected)."""
        return self._output() if self._output is not None else None

    @property
    def numbers(self):
        """{input position: the Python number the op was given there (a 0-d tensor)}: the
        constants of ``x + 2``, kept (they are tiny) so that a picture of the graph can show
        them even where the VJP needs none of them."""
        numbers = getattr(self, "_numbers", None)
        return {i: as_operand(x) for i, x in numbers} if numbers else {}

    @property
    def saved_freed(self):
        """True once backward without ``retain_graph`` has freed what this node saved."""
        return self._saved is None

    def saved_tensors(self):
        """The tensors this node saved for backward, by the VJP's names (raises once freed)."""
        if self._saved is None:
            raise RuntimeError(
                "Trying to backward through the graph a second time (or directly access saved "
                "tensors after they have already been freed). Saved intermediate values of the "
                "graph are freed when you call .backward() or autograd.grad(). Specify "
                "retain_graph=True if you need to backward through the graph a second time or if "
                "you need to access saved tensors after calling backward.")
        return {name: s.unpack(self) for name, s in self._saved.items()}

    def saved_tensor(self, name):
        """One saved tensor, by the VJP's name (raises once freed, as saved_tensors does)."""
        if self._saved is None:
            self.saved_tensors()
        return self._saved[name].unpack(self)

    def apply(self, g):
        """Input gradients for upstream gradient ``g`` (a tensor): one per entry of
        next_functions."""
        return self.vjp(g)

    def vjp(self, g):
        """The op's VJP on ``g``, in the kind of ``g``: numpy arrays in a plain backward pass,
        tensors (recorded) with ``create_graph``. One gradient per entry of next_functions."""
        saved = self._saved
        if saved is None:
            self.saved_tensors()  # raises: the graph was freed
        arrays = not isinstance(g, Tensor)
        kwargs = {}
        for name, s in saved.items():
            kwargs[name] = s.unpack(self, arrays)
        op = self.op
        if op.shapes:  # ``shapes``: every input's; ``x_shape``: that input's
            shapes = self.input_meta[1]
            for name in op.shapes:
                kwargs[name] = shapes if name == "shapes" else shapes[op.inputs.index(name[:-6])]
        for name in op.attrs:
            kwargs[name] = self.attrs[name]
        if op.needs_input_grad:
            kwargs["needs_input_grad"] = self.needs_input_grad
        grads = op.vjp(g, **kwargs)
        return grads if isinstance(grads, (tuple, list)) else (grads,)

    def release(self):
        """Free the saved tensors (what backward does unless ``retain_graph=True``)."""
        if self.op.saves:
            self._saved = None

    def register_hook(self, fn):
        """fn(grad_inputs, grad_outputs) runs after this node's backward; it may return new
        grad_inputs. Returns a handle whose ``remove()`` unregisters it."""
        return _hooks.register_node_hook(self, fn, "post")

    def register_prehook(self, fn):
        """fn(grad_outputs) runs before this node's backward; it may return new grad_outputs."""
        return _hooks.register_node_hook(self, fn, "pre")


class AccumulateGrad(Node):
    """The sink of a leaf that requires grad: adds the incoming gradient into ``variable.grad``."""

    __slots__ = ("variable",)

    def __init__(self, variable):
        self.variable = variable
        self.next_functions = ()
        self.needs_input_grad = ()
        self.op = None
        self.seq = float("-inf")  # runs as soon as it is ready, like PyTorch's
        self._saved = {}
        self._output = None
        self._retained = None
        self._hooks = _hooks.leaf_hooks(variable)  # the leaf's tensor hooks run before accumulating
        self._trace = None
        self._numbers = None

    def __lt__(self, other):
        # The engine's heap holds (seq, node) pairs; sinks share one seq, and this keeps equal
        # ones in the binary heap's own order, which is that of PyTorch's std::priority_queue.
        return False

    def register_hook(self, fn):
        raise NotImplementedError("minigrad runs no post-hooks on AccumulateGrad; register a hook "
                                  "on the leaf tensor instead (tensor.register_hook)")

    def register_prehook(self, fn):
        raise NotImplementedError("minigrad runs no pre-hooks on AccumulateGrad; register a hook "
                                  "on the leaf tensor instead (tensor.register_hook)")


class SavedTensor:
    """A tensor saved for backward, with its version so that in-place changes are caught."""

    __slots__ = ("tensor", "data", "version_counter", "version", "is_output", "checked",
                 "packed", "unpack_hook", "source")

    def __init__(self, tensor, is_output, checked=True):
        self.version_counter = tensor._vc
        self.version = tensor._vc[0]
        self.is_output = is_output
        self.checked = checked  # False: read only by gradients nobody asked for
        # The output is saved as data (a tensor would point back at its own grad_fn: a cycle).
        self.tensor = None if is_output else tensor
        self.data = tensor._data if is_output else None
        self.unpack_hook = None
        if saved_tensors_hooks and saved_tensors_hooks[-1] is not None:  # keep what pack returns
            pack, self.unpack_hook = saved_tensors_hooks[-1]
            saved_tensors_hooks.append(None)  # no hooks inside a hook
            try:
                self.packed = pack(tensor)
            finally:
                saved_tensors_hooks.pop()
            # what the unpacked values are re-attached to: the graph position of the original
            self.source = (tensor.grad_fn, tensor._requires_grad)
            self.tensor = self.data = None

    def unpack(self, node, arrays=False):
        """The saved tensor, checked against in-place changes since it was saved; its numpy
        array when ``arrays`` (a plain backward pass: a Python number stays a number)."""
        if self.version_counter[0] != self.version and self.checked and \
                self.unpack_hook is None:
            t = self.tensor
            shape = list(t.shape if t is not None else self.data.shape)
            dt = _dtype.from_numpy_dtype((t._data if t is not None else self.data).dtype)
            owner = node if self.is_output else (t.grad_fn if t is not None else None)
            where = (f", which is output 0 of {_short_name(owner)}," if owner is not None else "")
            raise RuntimeError(
                "one of the variables needed for gradient computation has been modified by an "
                f"inplace operation: [torch.{dt.legacy} {shape}]{where} is at version "
                f"{self.version_counter[0]}; expected version {self.version} instead. Hint: enable "
                "anomaly detection to find the operation that failed to compute its gradient, "
                "with torch.autograd.set_detect_anomaly(True, check_nan=False).")
        if self.unpack_hook is not None:
            value = self.unpack_hook(self.packed)
            if not isinstance(value, Tensor):
                raise TypeError("Output of saved tensor unpack_hook expected to be a Tensor but "
                                f"got result of type {type(value).__name__}")
            grad_fn, requires_grad = self.source
            if arrays:
                return value._data
            t = Tensor._make(value._data, node if self.is_output else grad_fn)
            t._requires_grad = requires_grad and t.grad_fn is None
            return t
        if arrays:
            if self.is_output:
                return self.data
            t = self.tensor
            return t._data.item() if t._wrapped else t._data
        if not self.is_output:
            return self.tensor
        return Tensor._make(self.data, node)


def _short_name(node):
    name = node.name()
    cut = name.rfind("Backward")
    return name[:cut] if cut > 0 else name


def edge_to(tensor):
    """The node a gradient for ``tensor`` flows into: its grad_fn, its accumulator, or None."""
    if tensor.grad_fn is not None:
        return tensor.grad_fn
    if not tensor._requires_grad:
        return None
    acc = tensor._accumulator() if tensor._accumulator is not None else None
    if acc is None:  # cached weakly, like PyTorch, so every use of a leaf meets the same sink
        acc = AccumulateGrad(tensor)
        tensor._accumulator = weakref.ref(acc)
    return acc


def apply(op, *inputs, **attrs):
    """Run ``op`` forward on tensors (or Python numbers) and record its node when needed."""
    arrays = _plain_arrays(op, inputs)
    if arrays is None:  # promotion, wrapped numbers, bools, arrays: the general path
        inputs = [x if isinstance(x, Tensor) else as_operand(x) for x in inputs]
        arrays = _cast_inputs(op, inputs)
    out = Tensor._make(op.quiet_forward(*arrays, **attrs))
    if op.view:
        if out._data.base is not None and np.may_share_memory(out._data, arrays[0]):
            # the output is a view (not a copy, as advanced indexing makes): share the version
            base = inputs[0]
            out._vc = base._vc
            out._base = base if base._base is None else base._base
    if _grad_mode._enabled and out._data.dtype.kind == "f":
        record(op, inputs, attrs, out)
    return out


# The Python numbers an op takes as they are, next to a float tensor (numpy keeps the tensor's
# dtype for them, as PyTorch does for wrapped numbers): their dtype as a 0-d array would have it.
_NUMBERS = {float: np.dtype(np.float64).char, int: np.dtype(np.int64).char}


def _plain_arrays(op, inputs):
    """The arrays of the common case, which needs no promotion: a float tensor first, then
    tensors of its dtype or Python numbers (kept as numbers). None for any other case."""
    first = inputs[0]
    if op.dtypes == "keep" or op.dtypes == "same" or not isinstance(first, Tensor) \
            or first._wrapped:
        return None
    data = first._data
    if data.dtype.kind != "f":
        return None
    arrays = [data]
    for x in inputs[1:]:
        kind = type(x)
        if kind is float or (kind is int and -_EXACT <= x <= _EXACT):
            arrays.append(x)
        elif isinstance(x, Tensor) and not x._wrapped and x._data.dtype == data.dtype:
            arrays.append(x._data)
        else:
            return None
    return arrays


_EXACT = 2 ** 53  # ints beyond this are not exact as floats: the general path handles them


def record(op, inputs, attrs, out):
    """Link ``out`` to its inputs (tensors or Python numbers) through a new node of ``op``, when
    some input requires grad; returns the node (or None)."""
    edges, requires, dtypes, shapes, numbers = [], [], [], [], None
    for i, t in enumerate(inputs):  # one pass: each input's edge, dtype and shape
        number = _NUMBERS.get(type(t))
        if number is not None:  # the constants of ``x + 2``, kept for the pictures of the graph
            edges.append(_NO_EDGE)
            requires.append(False)
            dtypes.append(number)
            shapes.append(())
            numbers = (numbers or ()) + ((i, t),)
            continue
        dtypes.append(t._data.dtype.char)
        shapes.append(t._data.shape)
        if t.grad_fn is not None:
            edges.append((t.grad_fn, 0))
            requires.append(True)
        elif t._requires_grad:
            edges.append((edge_to(t), 0))
            requires.append(True)
        else:
            edges.append(_NO_EDGE)
            requires.append(False)
            if t._wrapped:
                numbers = (numbers or ()) + ((i, t),)
    if True not in requires:
        return None
    if op.defaults:
        attrs = {**op.defaults, **attrs}
    node = object.__new__(op.node_class or _node_class(op.backward(attrs)))
    node.op = op
    node.next_functions = tuple(edges)
    node.needs_input_grad = requires = tuple(requires)  # PyTorch's name: which inputs want one
    node.attrs = attrs
    # (dtype codes, shapes): codes (``'f'`` for float32), not dtypes, so that the tuple holds
    # no object the garbage collector has to visit for as long as the graph lives
    node.input_meta = (tuple(dtypes), tuple(shapes))
    node.seq = -next(_sequence)
    node._output = weakref.ref(out)
    node._retained = None
    node._hooks = None
    node._trace = _anomaly.forward_stack() if _anomaly.enabled else None  # only in anomaly mode
    node._numbers = numbers
    out.grad_fn = node  # before saving: a saved-tensor pack hook sees the output's grad_fn
    saved = {}
    if op.saves:
        # only what the gradients of inputs requiring grad read is checked for in-place changes
        read = op.saves if op.uses is None else op.checked(requires)
        for name, position in op.saved_from:
            if name == "out":
                saved[name] = SavedTensor(out, True, name in read)
            elif name == "xs":
                saved[name] = _SavedList(inputs)
            else:
                x = inputs[position]
                saved[name] = SavedNumber(x) if type(x) in _NUMBERS else SavedTensor(
                    x, False, name in read)
    node._saved = saved
    return node


_NO_EDGE = (None, 0)  # next_functions' entry for an input that needs no gradient


class SavedNumber:
    """A Python number an op was given, saved as it is (a 0-d tensor when one is asked for)."""

    __slots__ = ("value",)

    def __init__(self, value):
        self.value = value

    def unpack(self, node, arrays=False):
        return self.value if arrays else as_operand(self.value)


class _SavedList:
    """All inputs of a variadic op (``xs``), saved together."""

    __slots__ = ("items",)

    def __init__(self, tensors):
        self.items = [SavedNumber(t) if type(t) in _NUMBERS else SavedTensor(t, False)
                      for t in tensors]

    def unpack(self, node, arrays=False):
        return [s.unpack(node, arrays) for s in self.items]


def _cast_inputs(op, tensors):
    """numpy arrays of the inputs in the dtype the op computes in (PyTorch's promotion; the
    common case without any is ``_plain_arrays``)."""
    if op.dtypes == "keep" or (len(tensors) == 1 and op.dtypes != "float"):
        return [t._data for t in tensors]
    target = _dtype.result_type(*tensors)
    if op.dtypes == "same":
        kinds = {t._data.dtype for t in tensors if not t._wrapped}
        if len(kinds) > 1:
            a, b = (_dtype.from_numpy_dtype(k) for k in kinds)
            raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: "
                               f"{_c_name(a)} != {_c_name(b)}")
    if op.dtypes == "float" and not target.is_floating_point:
        target = _dtype.float32
    np_target = target.np
    return [t._data if t._data.dtype == np_target else t._data.astype(np_target) for t in tensors]


def _c_name(d):
    return {"float32": "float", "float64": "double", "int64": "long", "int32": "int",
            "float16": "c10::Half"}.get(d.name, d.name)
