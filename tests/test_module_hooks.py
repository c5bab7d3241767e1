"""Module hooks and graph introspection against PyTorch: the same calls, in the same order, with
the same arguments, gradients and warnings; ``_saved_*`` attributes by PyTorch's names."""
import warnings

import numpy as np
import pytest

import minigrad
from compare import outcome

torch = pytest.importorskip("torch")


def describe(value):
    """A hook argument as comparable text: tensors by repr, tuples element by element."""
    if isinstance(value, (tuple, list)):
        return tuple(describe(v) for v in value)
    if isinstance(value, dict):
        return {k: describe(v) for k, v in value.items()}
    if hasattr(value, "_get_name"):
        return value._get_name()
    return repr(value)


def net(lib):
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh(), lib.nn.Linear(2, 1))
    with lib.no_grad():
        for p, v in zip(model.parameters(), [np.linspace(-1, 1, 6).reshape(2, 3),
                                             np.array([0.1, -0.2]), np.array([[0.5, -1.5]]),
                                             np.array([0.25])]):
            p.copy_(lib.tensor(v.astype(np.float32)))
    return model


def transcript(lib, setup, x_requires_grad=True):
    """Run the model with the hooks ``setup`` registers; everything the hooks saw, in order."""
    log = []
    model = net(lib)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        handles = setup(lib, model, log)
        x = lib.tensor([[1.0, 2.0, 3.0], [0.5, -1.0, 0.0]], requires_grad=x_requires_grad)
        out = model(x)
        log.append(("output", describe(out)))
        out.sum().backward()
        log.append(("x.grad", describe(x.grad)))
        log.append(("weight.grad", describe(model[0].weight.grad)))
        for h in handles:
            h.remove()
        log.append(("after remove", describe(model(x))))
    log.append(("warnings", [f"{w.category.__name__}: {w.message}" for w in caught]))
    return log


def forward_hooks(lib, model, log):
    def pre(module, args):
        log.append(("pre", describe(module), describe(args)))

    def post(module, args, output):
        log.append(("post", describe(module), describe(args), describe(output)))

    return [model[0].register_forward_pre_hook(pre), model[2].register_forward_hook(post),
            model.register_forward_hook(post)]


def replacing_hooks(lib, model, log):
    def double_input(module, args):
        return args[0] * 0.5  # a single value is wrapped into a tuple

    def negate_output(module, args, output):
        return -output

    def with_kwargs(module, args, kwargs, output):
        log.append(("kwargs", describe(kwargs)))

    return [model[0].register_forward_pre_hook(double_input),
            model[1].register_forward_hook(negate_output),
            model[2].register_forward_hook(with_kwargs, with_kwargs=True),
            model[2].register_forward_hook(lambda m, a, o: log.append("first"), prepend=True)]


def full_backward_hooks(lib, model, log):
    def hook(module, grad_input, grad_output):
        log.append(("backward", describe(module), describe(grad_input), describe(grad_output)))

    def pre_hook(module, grad_output):
        log.append(("backward pre", describe(module), describe(grad_output)))

    def scale(module, grad_input, grad_output):
        return (grad_input[0] * 10,)

    return [model[0].register_full_backward_hook(hook), model[2].register_full_backward_hook(hook),
            model[1].register_full_backward_hook(scale),
            model[2].register_full_backward_pre_hook(pre_hook)]


def legacy_backward_hooks(lib, model, log):
    def hook(module, grad_input, grad_output):
        log.append(("legacy", describe(module), describe(grad_input), describe(grad_output)))

    return [model[1].register_backward_hook(hook), model[2].register_backward_hook(hook),
            model.register_backward_hook(hook)]


@pytest.mark.parametrize("setup", [forward_hooks, replacing_hooks, full_backward_hooks,
                                   legacy_backward_hooks])
@pytest.mark.parametrize("x_requires_grad", [True, False])
def test_hooks_see_what_pytorch_shows(setup, x_requires_grad):
    mine = transcript(minigrad, setup, x_requires_grad)
    theirs = transcript(torch, setup, x_requires_grad)
    assert mine == theirs


def test_mixing_hook_kinds_and_bad_returns():
    def mixed(lib):
        m = lib.nn.Linear(2, 2)
        m.register_backward_hook(lambda *a: None)
        m.register_full_backward_hook(lambda *a: None)

    def bad_pre(lib):
        m = lib.nn.Identity()
        m.register_forward_pre_hook(lambda m, a, k: 5, with_kwargs=True)
        m(lib.ones(1))

    def bad_backward(lib):
        m = lib.nn.Tanh()
        m.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
        m(lib.ones(1, requires_grad=True)).sum().backward()

    for fn in (mixed, bad_pre, bad_backward):
        assert outcome(fn, minigrad) == outcome(fn, torch)


def test_always_call_hooks_run_when_forward_raises():
    def run(T):
        calls = []
        m = T.nn.Linear(2, 2)
        m.register_forward_hook(lambda mod, a, o: calls.append(("always", o)), always_call=True)
        m.register_forward_hook(lambda mod, a, o: calls.append(("plain", o)))
        m.register_forward_hook(lambda mod, a, o: 1 / 0, always_call=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                m(T.ones(3))
            except RuntimeError as e:
                calls.append(str(e))
        return calls, [str(w.message) for w in caught]
    assert run(minigrad) == run(torch)


def test_handles_remove_once_and_work_as_context_managers():
    for lib in (minigrad, torch):
        calls = []
        m = lib.nn.Identity()
        with m.register_forward_hook(lambda *a: calls.append(1)):
            m(lib.ones(1))
        h = m.register_forward_hook(lambda *a: calls.append(2))
        h.remove()
        h.remove()
        m(lib.ones(1))
        assert calls == [1]


# ---- graph introspection -------------------------------------------------------------------
SAVED = [
    ("x * y", ["_saved_self", "_saved_other"]), ("x.exp()", ["_saved_result"]),
    ("x ** 2", ["_saved_self", "_saved_exponent"]), ("x.sum()", ["_saved_self_sym_sizes"]),
    ("x.sum(0)", ["_saved_dim", "_saved_keepdim", "_saved_self_sym_sizes"]),
    ("x.tanh()", ["_saved_result"]), ("x.sigmoid()", ["_saved_result"]),
    ("x.relu()", ["_saved_result"]), ("x.log()", ["_saved_self"]),
    ("x / y", ["_saved_self", "_saved_other"]), ("x + y", ["_saved_alpha"]),
    ("x.sin()", ["_saved_self"]), ("x.view(2, 1)", ["_saved_self_sym_sizes"]),
    ("x.abs()", ["_saved_self"]), ("x.sqrt()", ["_saved_result"]),
    ("x.unsqueeze(0).mm(y.unsqueeze(1))", ["_saved_self", "_saved_mat2"]),
    ("T.nn.functional.mse_loss(x, y)", ["_saved_self", "_saved_target", "_saved_reduction"]),
    ("T.nn.functional.binary_cross_entropy(x.sigmoid(), y.sigmoid())",
     ["_saved_self", "_saved_target", "_saved_reduction"]),
    ("x.softmax(0)", ["_saved_dim", "_saved_result"]),
    ("x.clamp(0, 1)", ["_saved_min", "_saved_max", "_saved_self"]),
    ("x.mean()", ["_saved_self_sym_numel", "_saved_self_sym_sizes"]),
    ("T.nn.functional.leaky_relu(x, 0.2)", ["_saved_self", "_saved_negative_slope"]),
]


@pytest.mark.parametrize("expr, names", SAVED, ids=[e for e, _ in SAVED])
def test_saved_attributes_by_pytorchs_names(expr, names):
    for name in names:
        def read(T, name=name):
            x = T.tensor([0.5, 2.0], requires_grad=True)
            y = T.tensor([3.0, 4.0], requires_grad=True)
            value = getattr(eval(expr, {"T": T, "x": x, "y": y}).grad_fn, name)
            return repr(value) if not hasattr(value, "grad_fn") else (
                repr(value), value is x, value is y)
        assert outcome(read, minigrad) == outcome(read, torch), name


def test_saved_attributes_after_backward_and_missing_ones():
    def freed(T):
        z = T.tensor([1.0, 2.0], requires_grad=True).exp()
        z.sum().backward()
        return z.grad_fn._saved_result

    def missing(T):
        return (T.tensor([1.0], requires_grad=True) * 2).grad_fn._saved_banana
    assert outcome(freed, minigrad) == outcome(freed, torch)
    assert outcome(missing, minigrad)[0] == outcome(missing, torch)[0] == "AttributeError"


def test_nodes_are_autograd_graph_nodes():
    for lib in (minigrad, torch):
        a = lib.tensor([0.0, 0.0, 0.0], requires_grad=True)
        b = a.clone() * 2
        assert isinstance(b.grad_fn, lib.autograd.graph.Node)
        assert isinstance(b.grad_fn.next_functions[0][0], lib.autograd.graph.Node)
        acc = b.grad_fn.next_functions[0][0].next_functions[0][0]
        assert isinstance(acc, lib.autograd.graph.Node)
        assert b.grad_fn.name() == "MulBackward0"
        assert acc.name() == "torch::autograd::AccumulateGrad"
        assert b.grad_fn.metadata == {}
        b.grad_fn.metadata["note"] = 1
        assert b.grad_fn.metadata == {"note": 1}
        assert not isinstance(a, lib.autograd.graph.Node)


def test_post_accumulate_grad_hooks():
    def run(T):
        seen = []
        v = T.tensor([0.0, 0.0, 0.0], requires_grad=True)
        h = v.register_post_accumulate_grad_hook(lambda p: seen.append(repr(p.grad)))
        v.backward(T.tensor([1.0, 2.0, 3.0]))
        v.backward(T.tensor([1.0, 1.0, 1.0]))
        h.remove()
        v.backward(T.tensor([1.0, 1.0, 1.0]))
        return seen, repr(v.grad)
    assert outcome(run, minigrad) == outcome(run, torch)
    for bad in (lambda T: (T.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(
            print), lambda T: T.ones(2).register_post_accumulate_grad_hook(print)):
        assert outcome(bad, minigrad) == outcome(bad, torch)


def test_backward_with_grad_variables_warns_as_pytorch():
    def run(T, both=False):
        x = T.ones(2, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            kwargs = dict(grad_tensors=T.tensor(1.0)) if both else {}
            T.autograd.backward((x * 2).sum(), grad_variables=T.tensor(1.0), **kwargs)
        return repr(x.grad), [(w.category.__name__, str(w.message)) for w in caught]
    assert outcome(run, minigrad) == outcome(run, torch)
    assert outcome(lambda T: run(T, True), minigrad) == outcome(lambda T: run(T, True), torch)
    method = (lambda T: (T.ones(2, requires_grad=True) * 2).sum().backward(
        grad_variables=T.tensor(1.0)))
    assert outcome(method, minigrad)[0] == outcome(method, torch)[0] == "TypeError"


def test_jvp_with_create_graph_names_pytorchs_nodes():
    def run(T, f, shape):
        outs = T.autograd.functional.jvp(f, T.ones(shape) * 2, T.ones(shape), create_graph=True)
        return [repr(o) for o in outs]
    for f in (lambda a: (a ** 2).sum(), lambda a: a ** 2, lambda a: (a * a).mean(),
              lambda a: a.sum(0, keepdim=True), lambda a: a.exp().sum().view(1),
              lambda a: a.unsqueeze(0) * 2):
        for shape in ((3,), ()):
            assert run(minigrad, f, shape) == run(torch, f, shape)


def test_saved_tensors_hooks_pack_and_unpack_as_pytorch():
    """The order and arguments of pack and unpack calls, and what backward makes of them."""
    def run(T):
        log = []
        a = T.ones(3, requires_grad=True)
        b = T.ones(3, requires_grad=True) * 2
        hooks = T.autograd.graph.saved_tensors_hooks(
            lambda t: log.append(("pack", repr(t))) or ("boxed", t),
            lambda p: log.append(("unpack", repr(p[1]))) or p[1] * 1)
        with hooks:
            y = a * b
            z = (y.exp() * a).sum()
        log.append(("saved_self", repr(y.grad_fn._saved_self)))
        z.backward()
        log.append(("grads", repr(a.grad)))
        with T.autograd.graph.saved_tensors_hooks(lambda t: t * 4, lambda t: t / 4):
            w = T.pow(a, 3)
        w.sum().backward()
        log.append(("pow grad", repr(a.grad)))
        return log
    assert run(minigrad) == run(torch)


def test_saved_tensors_hooks_see_custom_function_saves():
    def run(T):
        seen = []

        class Square(T.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                ctx.save_for_backward(x)
                return x * x

            @staticmethod
            def backward(ctx, g):
                x, = ctx.saved_tensors
                return 2 * x * g
        x = T.tensor([1.0, 3.0], requires_grad=True)
        with T.autograd.graph.saved_tensors_hooks(lambda t: seen.append("pack") or t,
                                                  lambda t: seen.append("unpack") or t):
            y = Square.apply(x)
        y.sum().backward()
        return seen, repr(x.grad)
    assert run(minigrad) == run(torch)
