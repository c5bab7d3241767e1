"""The Tensor: a numpy array, plus what autograd needs (requires_grad, grad, grad_fn).

Operations live in ``_functional`` (and their derivatives in ``ops``); this file keeps the
tensor's own state: leaf or not, its gradient, its version counter, and conversions.
"""
import inspect
import warnings
import weakref

import numpy as np

from . import _device
from ._device import device  # noqa: F401  (minigrad.device, importable from here as before)
from . import _dtype
from . import _grad_mode
from . import _args
from ._printing import format_tensor

_WARNED = set()  # the messages warn_once has given in this process


def warn_once(message, stacklevel=2):
    """A UserWarning the first time ``message`` comes up in the process only (PyTorch's
    TORCH_WARN_ONCE, which Python's warning filters do not reset); ``stacklevel`` counts from
    the caller, as for ``warnings.warn`` (2: the caller's caller)."""
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, UserWarning, stacklevel=stacklevel + 1)


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``."""

    def __new__(cls, sizes=()):
        sizes = tuple(sizes)
        for k, s in enumerate(sizes):
            if not _args.is_int(s) and not (hasattr(s, "__index__") and hasattr(s, "_data")):
                raise TypeError(f"torch.Size() takes an iterable of 'int' (item {k} is "
                                f"'{type(s).__name__}')")
        return tuple.__new__(cls, sizes)

    def __repr__(self):
        return f"torch.Size([{', '.join(str(n) for n in self)}])"

    __str__ = __repr__

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return tuple.__new__(Size, item) if isinstance(key, slice) else item

    def numel(self):
        """The number of elements of a tensor of this shape."""
        n = 1
        for s in self:
            n *= s
        return n


@_args.tensor_class
class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    The layers above this one install the methods they implement: the operations
    (``_functional/methods.py``), the hooks (``_hooks``) and ``backward`` (``autograd``).
    """

    __slots__ = ("_data", "_requires_grad", "_grad", "grad_fn", "_vc", "_base", "_accumulator",
                 "_wrapped", "_hooks", "__weakref__")
    __array_priority__ = 1000  # numpy defers to our operators: ndarray * tensor -> tensor

    def __init__(self, *args, requires_grad=False):
        """The legacy constructor: ``Tensor(2, 3)`` (zeros of that size) or ``Tensor(data)``,
        always float32; ``minigrad.tensor`` is the one to use."""
        requires_grad = _args.bool_arg(requires_grad, "requires_grad", "new")
        if len(args) > 1 or args and isinstance(args[0], int):
            shape = _args.shape_arg(args, "new")
            _args.check_allocation(shape, np.float32)
            data = np.zeros(shape, dtype=np.float32)
        else:
            data = np.array(args[0] if args else [], dtype=np.float32)
        Tensor._init(self, data, requires_grad=requires_grad)

    @classmethod
    def _make(cls, data, grad_fn=None, requires_grad=False):
        """A tensor around ``data`` (no copy); internal constructor of every op."""
        t = object.__new__(cls)
        Tensor._init(t, data, grad_fn, requires_grad)
        return t

    @staticmethod
    def _init(t, data, grad_fn=None, requires_grad=False):
        t._data = data if isinstance(data, np.ndarray) else np.asarray(data)
        t._requires_grad = requires_grad
        t._grad = None
        t.grad_fn = grad_fn
        t._vc = [0]
        t._base = None
        t._accumulator = None
        t._wrapped = False
        t._hooks = None  # a leaf's backward hooks (a non-leaf's live on its grad_fn)

    # ---- autograd state -------------------------------------------------------------------
    @property
    def requires_grad(self):
        """True for a leaf that asked for gradients and for every result computed from one."""
        return self._requires_grad or self.grad_fn is not None

    @requires_grad.setter
    def requires_grad(self, flag):
        # The attribute's errors differ from requires_grad_()'s (PyTorch's texts).
        if self.grad_fn is not None:
            raise RuntimeError("you can only change requires_grad flags of leaf variables." + (
                "" if flag else " If you want to use a computed variable in a subgraph that "
                "doesn't require differentiation use var_no_grad = var.detach()."))
        if flag and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point and complex dtype can require "
                               "gradients")
        self.requires_grad_(flag)

    def requires_grad_(self, requires_grad=True):
        """Set ``requires_grad`` in place (leaves only); returns self."""
        requires_grad = _args.bool_arg(requires_grad, "requires_grad", "requires_grad_", 1)
        if self.grad_fn is not None:
            if requires_grad:
                return self
            raise RuntimeError(
                "you can only change requires_grad flags of leaf variables. If you want to use a "
                "computed variable in a subgraph that doesn't require differentiation use "
                "var_no_grad = var.detach().")
        if requires_grad and self._data.dtype.kind != "f":
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def is_leaf(self):
        """True when no recorded operation made this tensor (it has no grad_fn)."""
        return self.grad_fn is None

    @property
    def grad(self):
        """The gradient accumulated by backward (leaves, and tensors that retain_grad())."""
        if self.grad_fn is not None and not self.retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. Its "
                ".grad attribute won't be populated during autograd.backward(). If you indeed want "
                "the .grad field to be populated for a non-leaf Tensor, use .retain_grad() on the "
                "non-leaf Tensor. If you access the non-leaf Tensor by mistake, make sure you "
                "access the leaf Tensor instead. See github.com/pytorch/pytorch/pull/30531 for "
                "more information.", UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value):
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad of "
                                f"type {type(value).__name__}")
            if value.shape != self.shape:
                raise RuntimeError(f"attempting to assign a gradient of size "
                                   f"'[{', '.join(map(str, value.shape))}]' to a tensor of size "
                                   f"'[{', '.join(map(str, self.shape))}]'. Please ensure that the "
                                   "gradient and the tensor are the same size")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(
                    f"attempting to assign a gradient with dtype "
                    f"'{_dtype.C_NAMES[value.dtype.name]}' "
                    f"to a tensor with grad_dtype '{self.dtype.legacy[:-6]}'. The gradient must "
                    "match the tensor's grad_dtype (defaults to the tensor's dtype). You can set "
                    "the tensor's grad_dtype attribute with a specific dtype, or None to allow "
                    "any dtype. Set grad_dtype with caution. Diverging the dtypes of a tensor and "
                    "its gradient may break downstream systems that assume they match.")
        self._grad = value

    @property
    def retains_grad(self):
        """True for a non-leaf whose ``.grad`` backward fills (see ``retain_grad``)."""
        return self.grad_fn is not None and self.grad_fn._retained is not None and \
            self.grad_fn._retained() is self

    def retain_grad(self):
        """Ask backward to fill ``.grad`` of this non-leaf tensor too."""
        if self.grad_fn is None:
            if not self._requires_grad:
                raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
            return
        self.grad_fn._retained = weakref.ref(self)

    @property
    def _backward_hooks(self):
        """The hooks ``register_hook`` added (an OrderedDict by handle id), or None."""
        hooks = self._hooks if self.grad_fn is None else (
            self.grad_fn._hooks.tensor if self.grad_fn._hooks is not None else None)
        return hooks or None

    @property
    def _version(self):
        """How many in-place changes this tensor's storage has seen."""
        return self._vc[0]

    def detach(self):
        """A tensor sharing this one's data, cut from the graph (requires_grad=False)."""
        t = Tensor._make(self._data)
        t._vc = self._vc  # shares the version counter, but is not a view (no _base), as in PyTorch
        return t

    def detach_(self):
        """Cut this tensor from the graph, in place."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set as "
                "True, gradients are views of DDP buckets, and hence detach_() cannot be called on "
                "these gradients. To fix this error, please refer to the Optimizer.zero_grad() "
                "function in torch/optim/optimizer.py as the solution.")
        self.grad_fn = None
        self._requires_grad = False
        return self

    @property
    def data(self):
        """The tensor's data as a detached tensor that shares its storage, with a version
        counter of its own: changes made through it are not seen by autograd."""
        return Tensor._make(self._data)

    @data.setter
    def data(self, value):
        self._data = value._data  # the storage is replaced; the version counter stays

    # ---- metadata -------------------------------------------------------------------------
    @property
    def shape(self):
        return tuple.__new__(Size, self._data.shape)  # numpy's ints: nothing to check

    def size(self, dim=None):
        """The shape as a ``Size``, or the length of dimension ``dim``."""
        if dim is None:
            return tuple.__new__(Size, self._data.shape)
        if self._data.ndim == 0 and _args.is_int(dim):
            raise IndexError(f"Dimension specified as {dim} but tensor has no dimensions")
        return self._data.shape[_wrap_dim(dim, self.ndim)]

    @property
    def dtype(self):
        return _dtype.from_numpy_dtype(self._data.dtype)

    @property
    def device(self):
        return _device._CPU

    @property
    def is_cuda(self):
        return False

    @property
    def is_cpu(self):
        return True

    def type(self, dtype=None, non_blocking=False, **kwargs):
        """With no argument, the type's name ('torch.FloatTensor'); else the tensor converted to
        ``dtype`` (a dtype or such a name)."""
        if dtype is None:
            return f"torch.{self.dtype.legacy}"
        if isinstance(dtype, str):
            by_name = {f"torch.{d.legacy}": d for d in _dtype.ALL}
            if dtype not in by_name:
                raise ValueError(f"invalid type: '{dtype}'")
            dtype = by_name[dtype]
        elif isinstance(dtype, type) and dtype is not Tensor:
            module = dtype.__module__.split(".")[0]
            name = dtype.__qualname__ if module == "builtins" else f"{module}.{dtype.__qualname__}"
            raise ValueError(f"invalid type: '{name}'")
        elif not isinstance(dtype, (_dtype.dtype, type)):
            raise TypeError("dtype must be a type, str, or dtype object")
        return self.to(dtype)

    def get_device(self):
        """-1: the tensor is on the CPU."""
        return -1

    def cuda(self, device=None, non_blocking=False, memory_format=None):
        """Raises: minigrad has no CUDA (PyTorch's error for a build without it); a device that
        is not CUDA's is refused first."""
        if device is not None and _device.device(device).type != "cuda":
            raise RuntimeError("Invalid device, must be cuda device")
        raise AssertionError(_device.NO_CUDA)

    @property
    def ndim(self):
        return self._data.ndim

    def dim(self):
        """The number of dimensions."""
        return self._data.ndim

    ndimension = dim

    def numel(self):
        """The number of elements."""
        return self._data.size

    nelement = numel

    def element_size(self):
        return self._data.itemsize

    def is_floating_point(self):
        return self._data.dtype.kind == "f"

    def __len__(self):
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    # ---- conversions ----------------------------------------------------------------------
    def numpy(self, *, force=False):
        """The data as a numpy array sharing memory (error if it requires grad)."""
        if self.requires_grad and not force:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data if not force else self._data.copy()

    def __array__(self, dtype=None, copy=None):
        a = self.numpy()
        return a if dtype is None else a.astype(dtype, copy=False)

    def item(self):
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.reshape(()).item()

    def tolist(self):
        """The data as (nested) Python lists."""
        return self._data.tolist()

    def __bool__(self):
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with "
                               f"{'no values' if self._data.size == 0 else 'more than one value'}"
                               " is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self):
        if _grad_mode._enabled and self.requires_grad:  # before the size check, as PyTorch
            warn_once("Converting a tensor with requires_grad=True to a scalar may lead to "
                      "unexpected behavior.\nConsider using tensor.detach() first.")
        return float(self._scalar())

    def __int__(self):
        return int(self._scalar())

    def _scalar(self):
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self.item()

    def __index__(self):
        if self._data.dtype.kind not in "iub" or self._data.size != 1:
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return int(self.item())

    def __iter__(self):
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))  # views made by unbind (UnbindBackward0), as in PyTorch

    def __hash__(self):
        return id(self)

    def __repr__(self, *, tensor_contents=None):
        dt = self._data.dtype
        return format_tensor(
            self._data, dtype_name=repr(self.dtype),
            default_dtype=dt in (np.float32, np.int64, np.bool_),
            grad_fn_name=type(self.grad_fn).__name__ if self.grad_fn is not None else None,
            requires_grad=self._requires_grad)

    __str__ = __repr__

    def __format__(self, spec):
        if self._data.ndim == 0:  # a 0-d tensor formats as its value, even with no spec
            return self.item().__format__(spec)
        return object.__format__(self, spec) if spec else repr(self)

    def __reduce_ex__(self, protocol):
        return (_rebuild, (self._data.copy(), self._requires_grad))

    def __deepcopy__(self, memo):
        if self.grad_fn is not None:
            raise RuntimeError("Only Tensors created explicitly by the user (graph leaves) "
                               "support the deepcopy protocol at the moment.  If you were "
                               "attempting to deepcopy a module, this may be because of a "
                               "torch.nn.utils.weight_norm usage, see "
                               "https://github.com/pytorch/pytorch/pull/103001")
        t = Tensor._make(self._data.copy(), requires_grad=self._requires_grad)
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t


def methods_of(cls):
    """Class decorator: the functions defined in ``cls`` become methods of ``Tensor``, for the
    layers above this one that implement them (``autograd`` installs ``Tensor.backward``). The
    functions themselves are installed, so ``inspect.getsource`` shows the code that runs."""
    for name, fn in vars(cls).items():
        if inspect.isfunction(fn):
            fn.__qualname__ = f"Tensor.{name}"
            setattr(Tensor, name, fn)
    return cls


def _rebuild(data, requires_grad):
    return Tensor._make(data, requires_grad=requires_grad)


def _wrap_dim(dim, ndim):
    """A dimension index made non-negative, with PyTorch's IndexError when out of range (and
    its TypeError when not an int)."""
    if type(dim) is not int:
        dim = _args.dim_type(dim)
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], "
                         f"but got {dim})")
    return dim % n


def as_operand(x):
    """A tensor for an op input; Python numbers become 'wrapped numbers' (weak in promotion)."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, (bool, int, float, np.number, np.bool_)):
        t = Tensor._make(np.asarray(x))
        t._wrapped = True
        return t
    if isinstance(x, np.ndarray):
        return Tensor._make(x)
    raise TypeError(f"unsupported operand type: '{type(x).__name__}' (expected a Tensor or a "
                    "number)")

