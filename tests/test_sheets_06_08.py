"""Exercise sheets 06–08: their reference answers are right, their known wrong answers are
caught, and "by hand" cannot be passed by delegating to autograd or optim.

Each sheet's code cells run here in one namespace, with ``check`` replaced by a recorder of the
values it would send. Expected values come from PyTorch (the same graphs, functions and training
steps built with ``torch``) or from the math, never from the sheet's own output.
"""
import linecache
import pathlib

import nbformat
import numpy as np
import pytest

import minigrad

SHEETS = pathlib.Path(__file__).resolve().parents[1] / "notebooks" / "exercises"
CHECK_IMPORT = "from minigrad.grading.checks import check"


def _cells(name):
    nb = nbformat.read(str(SHEETS / name), as_version=4)
    return nb.cells


def run_sheet(name, replace=None):
    """Run the sheet's code cells; ``replace``: {grade_id: source} for answer cells.
    Returns (namespace, {check name: value sent})."""
    sent = {}

    def check(label, value, **kwargs):
        assert label not in sent, f"two checks named {label!r}"
        sent[label] = value

    namespace = {"__name__": "__sheet__"}
    for cell in _cells(name):
        if cell.cell_type != "code":
            continue
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        source = (replace or {}).get(gid, cell.source)
        source = source.replace(CHECK_IMPORT, "")
        filename = f"<{name}:{gid}:{len(linecache.cache)}>"  # as IPython does: getsource works
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(compile(source, filename, "exec"), namespace)
        if gid == "setup":
            namespace["check"] = check
    return namespace, sent


def wrong_answers(name):
    return [(c.metadata["minigrad"]["wrong_answer"], c.metadata["minigrad"]["hint"], c.source)
            for c in _cells(name) if c.cell_type == "raw" and "minigrad" in c.metadata]


def as_numpy(value):
    if isinstance(value, (list, tuple)):
        return [as_numpy(v) for v in value]
    if hasattr(value, "detach"):
        return value.detach().numpy()
    return value


def same(a, b, rtol=1e-5):
    """The comparison the grader makes: kind, shape, then numbers with isclose."""
    if isinstance(a, (list, tuple)) or isinstance(b, (list, tuple)):
        return (type(a) is type(b) and len(a) == len(b)
                and all(same(x, y, rtol) for x, y in zip(a, b)))
    if hasattr(a, "detach") or hasattr(b, "detach"):
        if not (hasattr(a, "detach") and hasattr(b, "detach")) or tuple(a.shape) != tuple(b.shape):
            return False
        return bool(np.allclose(a.detach().numpy(), b.detach().numpy(), rtol=rtol, atol=1e-8))
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and bool(
            np.isclose(a, b, rtol=rtol, atol=1e-8))
    return a == b


@pytest.fixture(scope="module")
def sheet06():
    return run_sheet("06_build_your_own_engine.ipynb")


@pytest.fixture(scope="module")
def sheet07():
    return run_sheet("07_higher_order_gradients.ipynb")


@pytest.fixture(scope="module")
def sheet08():
    return run_sheet("08_train_a_small_model.ipynb")


# --- the reference answers, against PyTorch and the math ---------------------------------------

def test_sheet06_div_and_exp_follow_the_quotient_and_exponential_rules(sheet06):
    ns, sent = sheet06
    assert sent["div(a, b) at (3, 2): [d/da, d/db]"] == pytest.approx([1 / 2, -3 / 4])
    assert sent["exp(a) at 0.5: d/da"] == pytest.approx([np.exp(0.5)])
    # d/da (a e^{a/b}) = e^{a/b}(1 + a/b); d/db = -a² e^{a/b} / b², at (1, 2)
    e = np.exp(0.5)
    assert sent["exp(a / b) · a at (1, 2): [d/da, d/db]"] == pytest.approx([1.5 * e, -e / 4])


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 10, 11, 12, 13, 14, 21, 35, 58])
def test_sheet06_reference_engine_matches_pytorch_and_minigrad_on_random_graphs(sheet06, seed):
    torch = pytest.importorskip("torch")
    ns, _ = sheet06
    outputs, seeds, inputs = ns["random_graph"](seed, n_ops=14)
    mine = ns["my_grad"](outputs, seeds, inputs)
    assert all(t.grad is None for t in inputs)
    by_minigrad = minigrad.autograd.grad(outputs, inputs, seeds, allow_unused=True)
    # the same graph built with PyTorch: random_graph only uses the module named torch
    ns_torch = dict(ns, torch=torch)
    t_outputs, t_seeds, t_inputs = _in_namespace(ns["random_graph"], ns_torch)(seed, n_ops=14)
    by_torch = torch.autograd.grad(t_outputs, t_inputs, t_seeds, allow_unused=True)
    for m, g, t in zip(mine, by_minigrad, by_torch):
        assert (m is None) == (g is None) == (t is None)
        if m is not None:
            np.testing.assert_allclose(m.numpy(), g.numpy(), rtol=1e-9)
            np.testing.assert_allclose(m.numpy(), t.numpy(), rtol=1e-7, atol=1e-12)


def _in_namespace(fn, namespace):
    """``fn`` with its globals replaced (to run a sheet's helper with PyTorch as ``torch``)."""
    import types
    return types.FunctionType(fn.__code__, namespace, fn.__name__, fn.__defaults__)


def test_sheet06_random_graphs_have_what_the_exercise_promises(sheet06):
    """Across the graded seeds: a detached edge, a broadcast input, an input left unused."""
    ns, _ = sheet06
    kinds = set()
    for seed in (0, 1, 2, 10, 11, 12, 13, 14):
        outputs, seeds, inputs = ns["random_graph"](seed, n_ops=14 if seed >= 10 else 10)
        grads = ns["my_grad"](outputs, seeds, inputs)
        kinds.update(k for k, g in zip("xws", grads) if g is None)
        kinds.add("two outputs" if len(outputs) == 2 else "")
    assert "two outputs" in kinds and kinds & set("xws"), kinds
    src = ns["random_graph"].__code__.co_names
    assert "detach" in src


def test_sheet06_counterexample_breaks_the_broken_engine(sheet06):
    ns, sent = sheet06
    assert sent["counterexample(): [x a leaf requiring grad, out a scalar, broken_grad wrong]"] \
        == [True, True, True]
    out, x = ns["counterexample"]()
    (truth,) = minigrad.autograd.grad(out, x)
    # d/dx [6x + sin(sin(2x))] at 0.5 = 6 + 2 cos(sin 1) cos 1
    assert truth.item() == pytest.approx(6 + 2 * np.cos(np.sin(1.0)) * np.cos(1.0), rel=1e-6)


def test_sheet07_answers_against_pytorch(sheet07):
    torch = pytest.importorskip("torch")
    ns, sent = sheet07

    def second(f, x):
        x = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        (d1,) = torch.autograd.grad(f(x).sum(), x, create_graph=True)
        return torch.autograd.grad(d1.sum(), x)[0].numpy()

    xs = np.linspace(-2, 2, 9)
    g = (lambda t: t * torch.exp(-t ** 2))
    np.testing.assert_allclose(sent["g2 on linspace(-2, 2, 9)"].numpy(), second(g, xs),
                               rtol=1e-9, atol=1e-12)
    xs = np.linspace(-1.5, 1.5, 7)
    np.testing.assert_allclose(sent["second_derivative(torch.tanh, x)"].numpy(),
                               second(torch.tanh, xs), rtol=1e-9, atol=1e-12)
    H = torch.autograd.functional.hessian(
        lambda p: p[0] ** 2 * p[1] + torch.exp(p[0] * p[1]),
        torch.tensor([0.0, 1.0], dtype=torch.float64))
    np.testing.assert_allclose(sent["H_by_hand"], H.numpy())
    np.testing.assert_allclose(sent["hvp(f3, (0, 1), (1, 2))"].numpy(),
                               (H @ torch.tensor([1.0, 2.0], dtype=torch.float64)).numpy())


def _torch_copy(model, torch):
    """A PyTorch Sequential of the same layers with the same weights (Linear and Tanh only)."""
    layers = []
    for m in model:
        if isinstance(m, minigrad.nn.Linear):
            t = torch.nn.Linear(m.in_features, m.out_features)
            with torch.no_grad():
                t.weight.copy_(torch.tensor(m.weight.detach().numpy()))
                t.bias.copy_(torch.tensor(m.bias.detach().numpy()))
            layers.append(t)
        else:
            layers.append(torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def test_sheet08_momentum_step_is_pytorch_sgd_with_momentum(sheet08):
    torch = pytest.importorskip("torch")
    ns, sent = sheet08
    losses, params, leaves = sent["momentum_step: six steps (losses, parameters, leaves)"]
    inputs, targets, model = ns["make_problem"](0)
    t_model = _torch_copy(model, torch)
    t_in, t_tg = torch.tensor(inputs.numpy()), torch.tensor(targets.numpy())
    optimizer = torch.optim.SGD(t_model.parameters(), lr=0.05, momentum=0.9)
    expected = []
    for _ in range(6):
        loss = torch.nn.functional.mse_loss(t_model(t_in), t_tg)
        optimizer.zero_grad()
        loss.backward()
        expected.append(loss.item())
        optimizer.step()
    np.testing.assert_allclose(losses, expected, rtol=1e-5)
    for p, t in zip(params, t_model.parameters()):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)
    assert leaves == [True] * 4


def test_sheet08_accumulation_is_one_step_per_group_on_the_group_mean(sheet08):
    torch = pytest.importorskip("torch")
    ns, sent = sheet08
    _, params = sent["train_accumulating, every=4, 8 micro-batches"]
    inputs, targets, model = ns["make_problem"](1)
    t_model = _torch_copy(model, torch)
    optimizer = torch.optim.SGD(t_model.parameters(), lr=0.1)
    t_in, t_tg = torch.tensor(inputs.numpy()), torch.tensor(targets.numpy())
    for group in range(2):  # 48 rows in 8 micro-batches of 6: two groups of 24 rows
        rows = slice(24 * group, 24 * (group + 1))
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(t_model(t_in[rows]), t_tg[rows]).backward()
        optimizer.step()
    for p, t in zip(params, t_model.parameters()):
        np.testing.assert_allclose(p.numpy(), t.detach().numpy(), rtol=1e-5, atol=1e-6)


def test_sheet08_freezing_and_clipping(sheet08):
    torch = pytest.importorskip("torch")
    ns, sent = sheet08
    requires, count, changed = sent[
        "freeze_all_but_last: [requires_grad], how many to train, [changed by a step]"]
    assert requires == [False] * 4 + [True, True] and count == 2
    assert changed == [False] * 4 + [True, True]
    grads, handles = sent["clip_with_hooks(model, 0.5): gradients, handles"]
    assert handles == 4
    inputs, targets, model = ns["make_problem"](4)
    t_model = _torch_copy(model, torch)
    (torch.nn.functional.mse_loss(t_model(torch.tensor(inputs.numpy())),
                                  torch.tensor(targets.numpy())) * 50).backward()
    for g, t in zip(grads, t_model.parameters()):
        raw = t.grad.numpy()
        scale = min(1.0, 0.5 / np.linalg.norm(raw))
        np.testing.assert_allclose(g.numpy(), raw * scale, rtol=1e-4, atol=1e-7)


# --- the known wrong answers are caught ----------------------------------------------------------

@pytest.mark.parametrize("sheet", ["06_build_your_own_engine.ipynb",
                                   "07_higher_order_gradients.ipynb",
                                   "08_train_a_small_model.ipynb"])
def test_every_known_wrong_answer_fails_a_check(sheet):
    _, reference = run_sheet(sheet)
    answers = wrong_answers(sheet)
    assert len(answers) >= 3
    for gid, hint, source in answers:
        _, got = run_sheet(sheet, {gid: source})
        differ = [k for k in reference if not same(got.get(k), reference[k], rtol=1e-5)]
        assert differ, f"{sheet}: the wrong answer for {gid} ({hint[:40]}...) passes every check"


# --- "by hand" cannot be passed by delegating ---------------------------------------------------

DELEGATING_ENGINE = '''
def my_grad(outputs, seeds, inputs):
    return minigrad_autograd.grad(outputs, inputs, seeds, allow_unused=True)
'''
SNEAKY_ENGINE = '''
def my_grad(outputs, seeds, inputs):
    api = vars(torch)["auto" "grad"]
    return api.__dict__["gr" "ad"](outputs, inputs, seeds, allow_unused=True)
'''
WRAPPED_SGD = '''
def momentum_step(params, buffers, lr, momentum):
    if "opt" not in buffers:
        buffers["opt"] = torch.optim.SGD(params, lr=lr, momentum=momentum)
    buffers["opt"].step()
'''
SNEAKY_SGD = '''
def momentum_step(params, buffers, lr, momentum):
    if "opt" not in buffers:
        buffers["opt"] = vars(torch.optim)["S" "GD"](params, lr=lr, momentum=momentum)
    type(buffers["opt"]).__dict__["st" "ep"](buffers["opt"])
'''
AUTOGRAD_G2 = '''
def g2(x):
    x = x.detach().requires_grad_(True)
    (d1,) = torch.autograd.grad((x * torch.exp(-x ** 2)).sum(), x, create_graph=True)
    return torch.autograd.grad(d1.sum(), x)[0]
'''


@pytest.mark.parametrize("sheet, gid, source, checks", [
    ("06_build_your_own_engine.ipynb", "ex2-engine", DELEGATING_ENGINE,
     ["my_grad on random_graph(0)", "calls in my_grad that delegate"]),
    ("06_build_your_own_engine.ipynb", "ex2-engine", SNEAKY_ENGINE,
     ["my_grad on random_graph(0)", "hidden: a chain 5000 deep"]),
    ("08_train_a_small_model.ipynb", "ex1-momentum", WRAPPED_SGD,
     ["momentum_step: six steps (losses, parameters, leaves)",
      "calls in momentum_step that delegate"]),
    ("08_train_a_small_model.ipynb", "ex1-momentum", SNEAKY_SGD,
     ["momentum_step: six steps (losses, parameters, leaves)"]),
    ("07_higher_order_gradients.ipynb", "ex1-g2", AUTOGRAD_G2,
     ["g2 on linspace(-2, 2, 9)", "calls in g2 that delegate"]),
])
def test_delegating_to_autograd_or_optim_fails(sheet, gid, source, checks):
    _, reference = run_sheet(sheet)
    source = source.replace("minigrad_autograd", "torch.autograd")
    _, got = run_sheet(sheet, {gid: source})
    for name in checks:
        assert not same(got[name], reference[name]), f"{name}: passes with {gid} delegated"


RECURSIVE_ENGINE = '''
def my_grad(outputs, seeds, inputs):
    order, seen = [], set()

    def visit(node):                     # a recursive depth-first sort
        if node in seen:
            return
        seen.add(node)
        for child, _ in node.next_functions:
            if child is not None:
                visit(child)
        order.append(node)

    for o in outputs:
        visit(o.grad_fn)
    buffers = {}
    for o, s in zip(outputs, seeds):
        buffers[o.grad_fn] = buffers[o.grad_fn] + s if o.grad_fn in buffers else s
    found = {}
    for node in reversed(order):
        g = buffers.pop(node, None)
        if g is None:
            continue
        if hasattr(node, "variable"):
            found[id(node.variable)] = g
            continue
        with torch.no_grad():
            grads = node.apply(g)
        for (child, _), gi, shape in zip(node.next_functions, grads, node.input_meta[1]):
            if child is not None and gi is not None:
                gi = unbroadcast(gi, shape)
                buffers[child] = buffers[child] + gi if child in buffers else gi
    return tuple(found.get(id(t)) for t in inputs)
'''


def test_a_recursive_engine_passes_the_random_graphs_but_not_the_deep_chain():
    _, reference = run_sheet("06_build_your_own_engine.ipynb")
    _, got = run_sheet("06_build_your_own_engine.ipynb", {"ex2-engine": RECURSIVE_ENGINE})
    assert same(got["my_grad on random_graph(0)"], reference["my_grad on random_graph(0)"])
    assert got["hidden: a chain 5000 deep"].startswith("raised RecursionError")
