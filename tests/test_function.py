"""Custom autograd Functions (``minigrad.autograd.Function``) against PyTorch and the math."""
import re
import warnings

import numpy as np
import pytest

import minigrad
from compare import error_of
from minigrad.autograd import Function

torch = pytest.importorskip("torch")


def make_functions(lib):
    """The same custom Functions, written once for ``lib`` (minigrad or torch)."""

    class Exp(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            y = x.exp()
            ctx.save_for_backward(y)
            return y

        @staticmethod
        def backward(ctx, g):
            y, = ctx.saved_tensors
            return g * y

    class Scale(lib.autograd.Function):  # a non-tensor argument gets no gradient
        @staticmethod
        def forward(ctx, x, k, w):
            ctx.k = k
            ctx.save_for_backward(x, w)
            ctx.seen = ctx.needs_input_grad
            return x * k * w

        @staticmethod
        def backward(ctx, g):
            x, w = ctx.saved_tensors
            return (g * ctx.k * w if ctx.needs_input_grad[0] else None, None,
                    g * ctx.k * x if ctx.needs_input_grad[2] else None)

    class Cube(lib.autograd.Function):  # backward in tensor ops: differentiable again
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            x, = ctx.saved_tensors
            return g * 3 * x * x

    class Identity(lib.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Double(lib.autograd.Function):  # in place, declared with mark_dirty
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g * 2

    class Sort(lib.autograd.Function):  # an output that is not differentiable
        @staticmethod
        def forward(ctx, x):
            out = x * 2
            ctx.mark_non_differentiable(out)
            return out

        @staticmethod
        def backward(ctx, g):
            return g

    class SetupStyle(lib.autograd.Function):  # PyTorch 2.x: forward without ctx
        @staticmethod
        def forward(x, k):
            return x * k

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.k = inputs[1]

        @staticmethod
        def backward(ctx, g):
            return g * ctx.k, None

    return dict(Exp=Exp, Scale=Scale, Cube=Cube, Identity=Identity, Double=Double, Sort=Sort,
                SetupStyle=SetupStyle)


M = make_functions(minigrad)
T = make_functions(torch)
X0 = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]], dtype=np.float32)


def both(data=X0, requires_grad=True, **kw):
    return (minigrad.tensor(data, requires_grad=requires_grad, **kw),
            torch.tensor(data, requires_grad=requires_grad, **kw))


def test_forward_backward_and_node_match_torch():
    xm, xt = both()
    ym, yt = M["Exp"].apply(xm), T["Exp"].apply(xt)
    np.testing.assert_allclose(ym.detach().numpy(), yt.detach().numpy(), rtol=1e-6)
    assert repr(ym) == repr(yt)  # grad_fn=<ExpBackward>
    assert ym.grad_fn.name() == yt.grad_fn.name() == "ExpBackward"
    assert type(ym.grad_fn).__name__ == "ExpBackward"
    pattern = r"<torch\.autograd\.function\.ExpBackward object at 0x[0-9a-f]+>"
    assert re.fullmatch(pattern, repr(ym.grad_fn)) and re.fullmatch(pattern, repr(yt.grad_fn))
    assert [type(n).__name__ for n, _ in ym.grad_fn.next_functions] == \
        [type(n).__name__ for n, _ in yt.grad_fn.next_functions] == ["AccumulateGrad"]
    (ym * ym).sum().backward()
    (yt * yt).sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(xm.grad.numpy(), 2 * np.exp(2 * X0), rtol=1e-5)


def test_ctx_is_the_node_and_saved_tensors_are_freed_like_torch():
    xm, xt = both()
    ym, yt = M["Exp"].apply(xm), T["Exp"].apply(xt)
    saved_m, saved_t = ym.grad_fn.saved_tensors, yt.grad_fn.saved_tensors
    assert isinstance(saved_m, tuple) and len(saved_m) == len(saved_t) == 1
    np.testing.assert_allclose(saved_m[0].detach().numpy(), saved_t[0].detach().numpy(),
                               rtol=1e-6)
    assert saved_m[0].grad_fn is ym.grad_fn  # the saved output leads back to the node
    assert not ym.grad_fn.saved_freed
    ym.sum().backward()
    yt.sum().backward()
    assert ym.grad_fn.saved_freed
    assert error_of(lambda: ym.grad_fn.saved_tensors) == \
        error_of(lambda: yt.grad_fn.saved_tensors)
    assert error_of(lambda: ym.sum().backward()) == error_of(lambda: yt.sum().backward())


def test_graph_api_dict_of_saved_tensors():
    xm, _ = both()
    ym = M["Exp"].apply(xm)
    saved = ym.grad_fn.saved_tensors()  # what graph views call on every node
    assert list(saved) == ["saved_tensors[0]"]
    assert ym.grad_fn.op.name == "Exp" and "backward" in ym.grad_fn.op.math


def test_non_tensor_arguments_needs_input_grad_and_edges():
    xm, xt = both()
    wm, wt = both(np.ones(3, np.float32), requires_grad=False)
    ym, yt = M["Scale"].apply(xm, 3.0, wm), T["Scale"].apply(xt, 3.0, wt)
    assert ym.grad_fn.seen == yt.grad_fn.seen == (True, False, False)
    assert [n is None for n, _ in ym.grad_fn.next_functions] == \
        [n is None for n, _ in yt.grad_fn.next_functions] == [False, True]
    ym.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy())
    with minigrad.no_grad(), torch.no_grad():  # flags still tell what requires grad
        zm, zt = M["Scale"].apply(xm, 2.0, wm), T["Scale"].apply(xt, 2.0, wt)
    assert zm.grad_fn is None and zt.grad_fn is None and not zm.requires_grad


def test_forward_runs_without_grad_and_output_needs_an_input_requiring_grad():
    seen = {}

    class Probe(Function):
        @staticmethod
        def forward(ctx, x):
            seen["grad_enabled"] = minigrad.is_grad_enabled()
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Probe.apply(minigrad.ones(2, requires_grad=True))
    assert seen["grad_enabled"] is False and y.grad_fn is not None
    assert Probe.apply(minigrad.ones(2)).grad_fn is None


@pytest.mark.parametrize("case", ["too_many", "wrong_shape", "grad_for_number", "not_a_tensor",
                                  "too_few"])
def test_backward_errors_match_torch(case):
    def make(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x, k):
                return x * k

            @staticmethod
            def backward(ctx, g):
                return {"too_many": (g, None, g), "wrong_shape": (g[:1], None),
                        "grad_for_number": (g, g), "not_a_tensor": (5, None),
                        "too_few": g}[case]
        return Bad

    xm, xt = both()
    got = error_of(lambda: make(minigrad).apply(xm, 2.0).sum().backward())
    expected = error_of(lambda: make(torch).apply(xt, 2.0).sum().backward())
    assert got == expected and got is not None


def test_gradient_broadcast_to_the_input_is_summed_back():
    def make(lib):
        class Wide(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2

            @staticmethod
            def backward(ctx, g):
                return g.expand(2, 3) * 1
        return Wide

    xm, xt = both(np.ones(3, np.float32))
    make(minigrad).apply(xm).sum().backward()
    make(torch).apply(xt).sum().backward()
    assert xm.grad.tolist() == xt.grad.tolist() == [2.0, 2.0, 2.0]


def test_save_for_backward_rejects_non_tensors_like_torch():
    def make(lib):
        class Bad(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x, 3.0)
                return x

            @staticmethod
            def backward(ctx, g):
                return g
        return Bad

    xm, xt = both()
    assert error_of(lambda: make(minigrad).apply(xm)) == error_of(lambda: make(torch).apply(xt))


def test_double_backward_through_a_custom_function():
    xm, xt = both()
    (gm,) = minigrad.autograd.grad(M["Cube"].apply(xm).sum(), xm, create_graph=True)
    (gt,) = torch.autograd.grad(T["Cube"].apply(xt).sum(), xt, create_graph=True)
    np.testing.assert_allclose(gm.detach().numpy(), 3 * X0 ** 2, rtol=1e-6)
    assert gm.grad_fn.name() == gt.grad_fn.name()
    gm.sum().backward()
    gt.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-6)
    np.testing.assert_allclose(xm.grad.numpy(), 6 * X0, rtol=1e-6)  # d²(x³)/dx² = 6x


def test_gradcheck_and_gradgradcheck_pass_on_a_correct_function():
    x = minigrad.tensor(X0.astype(np.float64), requires_grad=True)
    assert minigrad.autograd.gradcheck(M["Cube"].apply, (x,))
    assert minigrad.autograd.gradgradcheck(M["Cube"].apply, (x,))
    w = minigrad.tensor(np.array([0.5, 2.0, -1.0]), requires_grad=True)
    assert minigrad.autograd.gradcheck(lambda a, b: M["Scale"].apply(a, 3.0, b), (x, w))


def test_input_returned_as_is_becomes_a_view():
    xm, xt = both()
    ym, yt = M["Identity"].apply(xm), T["Identity"].apply(xt)
    assert ym is not xm and yt is not xt
    assert ym._base is xm and yt._base is xt
    assert ym.grad_fn.name() == yt.grad_fn.name() == "IdentityBackward"
    ym.sum().backward()
    assert xm.grad.tolist() == [[1.0] * 3] * 2


def test_mark_dirty():
    xm, xt = both()
    wm, wt = xm * 1, xt * 1
    rm, rt = M["Double"].apply(wm), T["Double"].apply(wt)
    assert rm is wm and rt is wt
    assert wm._version == wt._version == 2
    assert wm.grad_fn.name() == wt.grad_fn.name() == "DoubleBackward"
    rm.sum().backward()
    rt.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy())
    xm2, xt2 = both()
    assert error_of(lambda: M["Double"].apply(xm2)) == error_of(lambda: T["Double"].apply(xt2))


def test_mark_non_differentiable_and_integer_outputs():
    xm, xt = both()
    om, ot = M["Sort"].apply(xm), T["Sort"].apply(xt)
    assert om.requires_grad is ot.requires_grad is False
    assert om.grad_fn is None and ot.grad_fn is None

    def make(lib):
        class ArgMax(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x.argmax()

            @staticmethod
            def backward(ctx, g):
                return None
        return ArgMax

    assert make(minigrad).apply(xm).requires_grad is make(torch).apply(xt).requires_grad is False


def test_saved_output_changed_in_place_is_detected_like_torch():
    xm, xt = both()
    ym, yt = M["Exp"].apply(xm), T["Exp"].apply(xt)
    ym.add_(1)
    yt.add_(1)
    got = error_of(lambda: ym.sum().backward())
    assert got == error_of(lambda: yt.sum().backward())
    assert "which is output 0 of Exp," in got[1]


def test_setup_context_style_and_keyword_arguments():
    xm, xt = both()
    ym, yt = M["SetupStyle"].apply(xm, 5.0), T["SetupStyle"].apply(xt, 5.0)
    assert ym.grad_fn.name() == yt.grad_fn.name() == "SetupStyleBackward"
    ym.sum().backward()
    assert xm.grad.tolist() == [[5.0] * 3] * 2
    zm = M["Exp"].apply(x=xm)
    assert zm.grad_fn.name() == "ExpBackward"


def test_missing_backward_and_instantiation_like_torch():
    def make(lib):
        class NoBackward(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x * 2
        return NoBackward

    xm, xt = both()
    assert error_of(lambda: make(minigrad).apply(xm).sum().backward()) == \
        error_of(lambda: make(torch).apply(xt).sum().backward())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        M["Exp"]()
    assert caught[0].category is DeprecationWarning
    assert "should not be instantiated" in str(caught[0].message)


def test_backward_steps_runs_the_custom_node_like_any_other():
    xm, _ = both()
    y = M["Exp"].apply(xm * 2)
    loss = y.sum()
    steps = list(minigrad.autograd.backward_steps([loss.grad_fn], [minigrad.tensor(1.0)]))
    names = [type(s.node).__name__ for s in steps]
    assert names == ["SumBackward0", "ExpBackward", "MulBackward0", "AccumulateGrad"]
    exp_step = steps[1]
    np.testing.assert_allclose(exp_step.grad_inputs[0].numpy(), np.exp(2 * X0), rtol=1e-6)
    np.testing.assert_allclose(xm.grad.numpy(), 2 * np.exp(2 * X0), rtol=1e-6)


def test_hooks_on_a_custom_function_output():
    xm, xt = both()
    ym, yt = M["Exp"].apply(xm), T["Exp"].apply(xt)
    ym.register_hook(lambda g: g * 0.5)
    yt.register_hook(lambda g: g * 0.5)
    ym.sum().backward()
    yt.sum().backward()
    np.testing.assert_allclose(xm.grad.numpy(), xt.grad.numpy(), rtol=1e-6)


def test_finite_differences_of_a_composite_with_a_custom_function():
    rng = np.random.default_rng(3)
    a = rng.standard_normal((2, 3))
    x = minigrad.tensor(a, requires_grad=True)
    (M["Exp"].apply(x).sin() * x).sum().backward()
    eps = 1e-6
    num = np.zeros_like(a)
    for idx in np.ndindex(a.shape):
        hi, lo = a.copy(), a.copy()
        hi[idx] += eps
        lo[idx] -= eps
        num[idx] = ((np.sin(np.exp(hi)) * hi).sum() - (np.sin(np.exp(lo)) * lo).sum()) / (2 * eps)
    np.testing.assert_allclose(x.grad.numpy(), num, rtol=1e-6, atol=1e-8)
