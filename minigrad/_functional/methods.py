"""The ``Tensor`` methods and operators, installed from the functions of this package, and the
``minigrad`` namespace's versions of the functions, which check that ``input`` is a tensor."""
import functools
import inspect
import numbers

import numpy as np

from .. import _dtype
from .._tensor import Tensor
from ._common import _binary, _check_tensor
from .compare import (all, allclose, any, bitwise_and, bitwise_not, bitwise_or, bitwise_xor, eq,
                      equal, floor_divide, ge, gt, isclose, isfinite, isinf, isnan, le,
                      logical_not, lt, ne, nonzero)
from .elementwise import (abs, add, ceil, clamp, clone, cos, div, exp, floor, log, maximum,
                          minimum, mul, neg, pow, reciprocal, relu, remainder, round, rsqrt, rsub,
                          sigmoid, sign, sin, sqrt, square, sub, tanh, to, true_divide, trunc,
                          type_as, where)
from .reductions import (amax, amin, argmax, argmin, log_softmax, logsumexp, max, mean, min, norm,
                         prod, softmax, sum)
from .shapes import (_T, broadcast_to, chunk, contiguous, expand, expand_as, flatten, permute,
                     reshape, reshape_as, select, split, squeeze, t, transpose, unbind, unsqueeze,
                     view, view_as)
from .linalg import dot, matmul, mm, mv, outer
from .inplace import (abs_, add_, clamp_, copy_, div_, exp_, fill_, mul_, neg_, pow_, relu_,
                      sigmoid_, sqrt_, sub_, tanh_, zero_)
from .indexing import getitem, setitem


def _operator(fn):
    """``fn`` as a Python operator: NotImplemented for an operand it does not take (so that
    ``t == "a"`` is False, as in PyTorch, where ``t.eq("a")`` raises)."""
    def op(a, b):
        if not isinstance(b, (Tensor, numbers.Number, np.ndarray, np.generic)):
            return NotImplemented
        return fn(a, b)
    op.__name__ = f"__{fn.__name__}__"
    return op


def _install_methods():
    methods = dict(
        add=add, sub=sub, mul=mul, div=div, true_divide=true_divide, neg=neg, negative=neg, pow=pow,
        reciprocal=reciprocal, maximum=maximum, minimum=minimum, clamp=clamp, clip=clamp,
        exp=exp, log=log, sqrt=sqrt, rsqrt=rsqrt, abs=abs, sign=sign, sin=sin, cos=cos,
        tanh=tanh, sigmoid=sigmoid, relu=relu, square=square, clone=clone, to=to, type_as=type_as,
        sum=sum, mean=mean, prod=prod, max=max, min=min, amax=amax, amin=amin, argmax=argmax,
        argmin=argmin, norm=norm, logsumexp=logsumexp, softmax=softmax, log_softmax=log_softmax,
        dot=dot, mv=mv, mm=mm, matmul=matmul, outer=outer, reshape=reshape, view=view,
        view_as=view_as, reshape_as=reshape_as, flatten=flatten, expand=expand,
        expand_as=expand_as, broadcast_to=broadcast_to, permute=permute, transpose=transpose,
        swapaxes=transpose, t=t, squeeze=squeeze, unsqueeze=unsqueeze, select=select,
        unbind=unbind, split=split, chunk=chunk, where=lambda self, c, y: where(c, self, y),
        eq=eq, ne=ne, lt=lt, le=le, gt=gt, ge=ge, equal=equal, allclose=allclose,
        isclose=isclose, all=all, any=any, isnan=isnan, isinf=isinf, isfinite=isfinite,
        floor=floor, ceil=ceil, round=round, trunc=trunc, nonzero=nonzero,
        logical_not=logical_not, floor_divide=floor_divide, remainder=remainder,
        add_=add_, sub_=sub_, mul_=mul_, div_=div_, zero_=zero_, fill_=fill_, copy_=copy_,
        clamp_=clamp_, exp_=exp_, neg_=neg_, sqrt_=sqrt_, abs_=abs_, relu_=relu_, tanh_=tanh_,
        sigmoid_=sigmoid_, pow_=pow_,
        float=lambda self: to(self, _dtype.float32), double=lambda self: to(self, _dtype.float64),
        half=lambda self: to(self, _dtype.float16), long=lambda self: to(self, _dtype.int64),
        int=lambda self: to(self, _dtype.int32), bool=lambda self: to(self, _dtype.bool),
        cpu=lambda self: self, contiguous=contiguous,
        __add__=lambda a, b: _binary("add", a, b), __radd__=lambda a, b: _binary("add", a, b),
        __sub__=lambda a, b: _binary("sub", a, b),
        __rsub__=lambda a, b: rsub(a, b),
        __mul__=lambda a, b: _binary("mul", a, b), __rmul__=lambda a, b: _binary("mul", a, b),
        __truediv__=lambda a, b: _binary("div", a, b),
        __rtruediv__=lambda a, b: mul(reciprocal(a), b),
        __floordiv__=floor_divide, __rfloordiv__=lambda a, b: floor_divide(b, a),
        __mod__=remainder, __rmod__=lambda a, b: remainder(b, a),
        __pow__=lambda a, b: pow(a, b), __rpow__=lambda a, b: pow(b, a),
        __matmul__=lambda a, b: matmul(a, b) if isinstance(b, Tensor) else NotImplemented,
        __rmatmul__=lambda a, b: matmul(b, a) if isinstance(b, Tensor)
        else NotImplemented,
        __neg__=neg, __pos__=lambda a: a, __abs__=abs,
        __eq__=_operator(eq), __ne__=_operator(ne), __lt__=_operator(lt), __le__=_operator(le),
        __gt__=_operator(gt), __ge__=_operator(ge),
        __and__=bitwise_and, __or__=bitwise_or, __xor__=bitwise_xor, __invert__=bitwise_not,
        __rand__=bitwise_and, __ror__=bitwise_or, __rxor__=bitwise_xor,
        __getitem__=getitem, __setitem__=setitem,
        __iadd__=lambda a, b: add_(a, b), __isub__=lambda a, b: sub_(a, b),
        __imul__=lambda a, b: mul_(a, b), __itruediv__=lambda a, b: div_(a, b),
    )
    for name, fn in methods.items():
        setattr(Tensor, name, fn)
    Tensor.T = property(_T)
    Tensor.mT = property(lambda self: transpose(self, -2, -1))


_install_methods()


_NUMBER_FIRST = ("add", "sub", "mul", "div", "true_divide")  # torch.add(2.0, t) is t's type


def _checks_input(fn):
    """``fn`` for the ``minigrad`` namespace: PyTorch's TypeError when ``input`` is not a tensor
    (a method's self always is one, so the methods above stay unwrapped)."""
    name = fn.__name__

    @functools.wraps(fn)
    def checked(*args, **kwargs):
        input = args[0] if args else kwargs.get("input")
        if not isinstance(input, Tensor) and not (
                name in _NUMBER_FIRST and isinstance(input, (numbers.Number, np.generic))):
            if name == "split":  # torch.split is input.split(...): whatever that does
                return input.split(*args[1:], **kwargs)
            if name == "norm":  # torch.norm reads input.layout first
                getattr(input, "layout")
            _check_tensor(input, name)
        return fn(*args, **kwargs)
    return checked


def checked_namespace(namespace):
    """The functions of ``namespace`` (minigrad's) that come from this package and take
    ``input`` first, wrapped to check it (``pow``, ``remainder``, ``floor_divide`` take a number
    first too). Only the namespace gets them: methods and the VJPs call the functions unwrapped."""
    wrapped = {}
    for name, fn in namespace.items():
        if name.startswith("_") or not inspect.isfunction(fn) or not fn.__module__.startswith(
                __package__ + ".") or name in ("pow", "remainder", "floor_divide"):
            continue
        params = list(inspect.signature(fn).parameters)
        if params and params[0] == "input":
            wrapped[name] = _checks_input(fn)
    return wrapped
