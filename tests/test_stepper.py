"""The backward stepper: its steps are the ones backward() runs (same order, same gradients, as
seen by hooks during a real backward, and as PyTorch runs them), and the widget is driven
headless through its controls, asserting on its state and on what it shows.

Expected values come from the math of the seed lessons (out = mean(3(x+2)²): ∂out/∂x =
6(x+2)/4; y = x·2¹¹ with v: x.grad = 2048·v) or from PyTorch when it is installed.
"""
import re

import numpy as np
import pytest

import minigrad
from widgets import BackwardStepper, panel
from widgets import stepper as stepper_module
from widgets.walk import topological

SEED_GRAD = np.array([[4.5, 6.0], [7.5, 9.0]])  # 6 (x + 2) / 4 at x = [[1, 2], [3, 4]]


def seed_mean(L):
    """The seed lesson: x=[[1,2],[3,4]]; y=x+2; z=y*y*3; out=z.mean()."""
    x = L.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return {"x": x, "y": y, "z": z, "out": out}, out, None


def seed_vjp(L):
    """The seed lesson: y = x * 2 doubled ten more times, backward(v)."""
    x = L.tensor([0.3164, -1.1508, 1.5400], requires_grad=True)
    y = x * 2
    for _ in range(10):
        y = y * 2
    return {"x": x, "y": y}, y, L.tensor([0.1, 1.0, 0.0001])


def shared_nodes(L):
    """a feeds three consumers (one of them twice), x is used twice: gradients add up."""
    x = L.tensor([0.5, -1.0, 2.0], requires_grad=True)
    w = L.tensor([1.5, 2.0, -0.5], requires_grad=True)
    a = x * w
    b = a.sin()
    c = a * a
    d = (b + c) * x
    out = d.sum() + (a * 2).mean()
    return {"x": x, "w": w, "a": a, "b": b, "c": c, "d": d, "out": out}, out, None


GRAPHS = {"seed_mean": seed_mean, "seed_vjp": seed_vjp, "shared_nodes": shared_nodes}


def node_name(node):
    return node.name()


def run_with_hooks(out, gradient, leaves):
    """(name, gradient arriving) of every node, in the order a real backward() runs them: a
    pre-hook on every op node, a tensor hook on every leaf (it runs at its AccumulateGrad)."""
    seen, handles = [], []
    for node in topological([out.grad_fn]):
        if not hasattr(node, "variable"):
            handles.append(node.register_prehook(
                lambda g, node=node: seen.append((node_name(node), g[0].detach().clone()))))
    for leaf in leaves:
        handles.append(leaf.register_hook(
            lambda g: seen.append(("torch::autograd::AccumulateGrad", g.detach().clone()))))
    out.backward(gradient, retain_graph=True)
    for h in handles:
        h.remove()
    return seen


def leaves_of(names):
    return [t for t in names.values() if t.is_leaf and t.requires_grad]


def seq(stepper):
    return [(s.node.name(), s.grad_output) for s in stepper.steps]


def same(a, b):
    assert [n for n, _ in a] == [n for n, _ in b]
    for (n, ga), (_, gb) in zip(a, b):
        np.testing.assert_allclose(np.asarray(ga.detach().numpy()),
                                   np.asarray(gb.detach().numpy()), rtol=1e-6, err_msg=n)


# ---- the steps are backward()'s ---------------------------------------------------------------
@pytest.mark.parametrize("graph", list(GRAPHS))
def test_steps_are_what_backward_runs(graph):
    names, out, v = GRAPHS[graph](minigrad)
    stepper = BackwardStepper(out, gradient=v, names=names, backend="source")
    recorded = run_with_hooks(out, v, leaves_of(names))  # the real backward, after the stepper
    same(seq(stepper), recorded)


@pytest.mark.parametrize("graph", list(GRAPHS))
def test_steps_match_pytorch(graph):
    torch = pytest.importorskip("torch")
    names, out, v = GRAPHS[graph](minigrad)
    stepper = BackwardStepper(out, gradient=v, names=names, backend="source")
    t_names, t_out, t_v = GRAPHS[graph](torch)
    seen = []
    for node in topological([t_out.grad_fn]):
        node.register_prehook(lambda g, node=node: seen.append((node.name(), g[0].clone())))
    t_out.backward(t_v)
    same(seq(stepper), seen)
    # and the .grad shown at the last step is PyTorch's
    stepper.slider.value = stepper.slider.max
    for name, t in t_names.items():
        if t.is_leaf:
            np.testing.assert_allclose(stepper.view.grads[name].numpy(), t.grad.numpy(),
                                       rtol=1e-6)


def test_seed_steps_from_the_math():
    names, out, _ = seed_mean(minigrad)
    stepper = BackwardStepper(out, names=names, backend="source")
    assert [s.node.name() for s in stepper.steps] == [
        "MeanBackward0", "MulBackward0", "MulBackward0", "AddBackward0",
        "torch::autograd::AccumulateGrad"]
    np.testing.assert_allclose(stepper.steps[-1].grad_output.numpy(), SEED_GRAD)
    names, y, v = seed_vjp(minigrad)
    stepper = BackwardStepper(y, gradient=v, names=names, backend="source")
    assert len(stepper.steps) == 12  # 11 multiplications, then x's AccumulateGrad
    stepper.slider.value = 11
    np.testing.assert_allclose(stepper.view.grads["x"].numpy(), [204.8, 2048.0, 0.2048],
                               rtol=1e-6)


def test_reached_twice_shows_the_sum():
    names, out, _ = shared_nodes(minigrad)
    stepper = BackwardStepper(out, names=names, backend="source")
    plus = 0
    arrived = {s.node: s.grad_output for s in stepper.steps}
    last_total = {}
    for k in range(len(stepper.steps)):
        stepper.slider.value = k
        for (child, _), sent in zip(stepper.steps[k].node.next_functions, stepper.view.sent):
            if sent.total is not None:
                plus += 1
                np.testing.assert_allclose(sent.total.numpy(),
                                           (sent.earlier + sent.grad).numpy())
                assert "+=" in stepper.view.text and "+=" in stepper.info.value
            if sent.grad is not None:
                last_total[child] = sent.total if sent.total is not None else sent.grad
    assert plus >= 3  # a: three consumers, one of them twice; x: used twice
    for child, total in last_total.items():  # what was summed is what arrived
        np.testing.assert_allclose(total.numpy(), arrived[child].numpy(), rtol=1e-6)


# ---- the user's tensors ---------------------------------------------------------------------
def test_dry_run_leaves_grad_untouched_and_graph_reusable():
    names, out, _ = seed_mean(minigrad)
    x = names["x"]
    calls = []
    x.register_hook(lambda g: calls.append(1))
    stepper = BackwardStepper(out, names=names, backend="source")
    for _ in range(len(stepper.steps)):
        stepper.next()
    assert x.grad is None and calls == []  # no .grad filled, no hook run
    assert stepper.view.grads["x"] is not None  # but shown from the recorded steps
    out.backward()  # retain_graph=True while recording: the graph is still there
    np.testing.assert_allclose(x.grad.numpy(), SEED_GRAD)  # one backward's worth, not two
    assert calls == [1]


def test_accumulate_true_is_one_real_backward():
    names, out, _ = seed_mean(minigrad)
    x = names["x"]
    x.grad = minigrad.ones(2, 2)  # an earlier backward left this
    calls = []
    x.register_hook(lambda g: calls.append(1))
    stepper = BackwardStepper(out, names=names, accumulate=True, backend="source")
    np.testing.assert_allclose(x.grad.numpy(), 1 + SEED_GRAD)
    assert calls == [1]
    stepper.slider.value = 0
    assert stepper.view.grads["x"].numpy().tolist() == [[1.0, 1.0], [1.0, 1.0]]  # before
    stepper.slider.value = len(stepper.steps) - 1
    np.testing.assert_allclose(stepper.view.grads["x"].numpy(), 1 + SEED_GRAD)
    assert "x.grad += g" in stepper.view.text
    for _ in range(3):  # stepping back and forth changes nothing more
        stepper.previous()
        stepper.next()
    np.testing.assert_allclose(x.grad.numpy(), 1 + SEED_GRAD)
    assert calls == [1]


def test_leaf_grad_fills_in_on_the_graph():
    names, out, _ = seed_mean(minigrad)
    stepper = BackwardStepper(out, names=names, backend="source")
    leaf_line = re.compile(r'^\s*n0 \[label="x\\l(.*?)" class', re.M)
    stepper.slider.value = 3  # AddBackward0: x's gradient is on its way
    assert stepper.view.grads == {"x": None}
    label = leaf_line.search(stepper.view.graph.source)[1]
    assert ".grad" not in label and "∂out/∂x" not in label  # nothing has arrived at x yet
    stepper.slider.value = 4  # AccumulateGrad: x.grad is filled
    label = leaf_line.search(stepper.view.graph.source)[1]
    assert ".grad:\\l[[4.5, 6.0],\\l [7.5, 9.0]]" in label
    assert names["x"].grad is None  # shown, not set


def test_non_scalar_needs_a_gradient_like_backward():
    names, y, _ = seed_vjp(minigrad)
    with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar "
                                           "outputs"):
        BackwardStepper(y, names=names)
    with pytest.raises(RuntimeError, match="does not require grad"):
        BackwardStepper(minigrad.ones(2).sum())


# ---- driving the widget ---------------------------------------------------------------------
def current(source):
    """(id, first label line) of the items marked current in the DOT text."""
    found = []
    for line in source.splitlines():
        m = re.match(r'^\s*(n\d+) \[label="([^"]*?)(?:\\[nl]|")', line)
        if m and "current" in line:
            found.append((m[1], m[2], re.search(r'class="(\w+) current"', line)[1]))
    return found


def test_controls_move_the_step_and_highlight_the_node():
    names, out, _ = seed_mean(minigrad)
    stepper = BackwardStepper(out, names=names)
    assert stepper.slider.value == 0 and stepper.slider.max == 4
    assert current(stepper.view.graph.source) == [("n9", "MeanBackward0", "op"),
                                                  ("n10", "out", "output")]
    stepper.next_button.click()
    assert stepper.slider.value == 1 and stepper.view.node is stepper.steps[1].node
    stepper.next()
    hits = current(stepper.view.graph.source)
    assert [h[1:] for h in hits] == [("MulBackward0", "op"), ("u", "tensor")]
    assert 'label="step 3/5: u (MulBackward0)"' in stepper.view.graph.source
    assert "legend\\lorange: the node that runs at this step" in stepper.view.graph.source
    edges = [line for line in stepper.view.graph.source.splitlines()
             if "-> n4 [" in line and "penwidth=2.5" in line]
    assert len(edges) == 2  # the two edges along which it sends (x̄ and ȳ, both to y)
    stepper.play.value = 4  # the play control drives the slider
    assert stepper.slider.value == 4
    assert current(stepper.view.graph.source) == [("n0", "x", "leaf")]
    stepper.next()  # stays on the last
    assert stepper.slider.value == 4
    stepper.slider.value = 0
    stepper.previous_button.click()
    assert stepper.slider.value == 0
    assert stepper.counter.value == "1 / 5"


def test_shown_content_upstream_rule_and_sent():
    names, out, _ = seed_mean(minigrad)
    stepper = BackwardStepper(out, names=names)
    stepper.slider.value = 2
    view = stepper.view
    assert view.title == "u (MulBackward0)"  # y·y, unnamed: its box is called u
    assert view.rule == "u = y·y;  ȳ = ū·y,  ȳ = ū·y"  # the rule in the graph's names
    np.testing.assert_allclose(view.grad_output.numpy(), np.full((2, 2), 0.75))  # 3 · 1/4
    assert [s.target for s in view.sent] == ["y (AddBackward0)"] * 2
    np.testing.assert_allclose(view.sent[1].total.numpy(), SEED_GRAD)  # 2 · 0.75 · y
    assert stepper.text.splitlines()[0] == "BackwardStepper: step 3/5 — u (MulBackward0)"
    assert "upstream gradient: [[0.75, 0.75], [0.75, 0.75]]" in stepper.text
    assert "[[4.5, 6.0], [7.5, 9.0]]" in stepper.info.value
    (record,) = stepper.picture.outputs
    assert record["output_type"] == "display_data"
    assert "<svg" in record["data"]["image/svg+xml"]  # the picture, rendered
    assert "current" in record["data"]["image/svg+xml"]  # with its highlighted node


def test_static_fallback_is_deterministic():
    bundles = []
    for _ in range(2):
        names, out, _ = seed_mean(minigrad)
        stepper = BackwardStepper(out, names=names)
        stepper.slider.value = 2
        bundles.append(stepper._repr_mimebundle_())
    a, b = bundles
    assert a["text/plain"] == b["text/plain"] and a["text/html"] == b["text/html"]
    assert a["text/plain"].startswith("BackwardStepper: step 3/5 — u (MulBackward0)")
    assert "0x" not in a["text/plain"] and "Generated by" not in a["text/html"]
    assert "application/vnd.jupyter.widget-view+json" in a  # the live widget, with a kernel
    assert '<img src="data:image/svg+xml;base64,' in a["text/html"]
    assert repr(stepper) == "BackwardStepper: step 3/5 — u (MulBackward0)"


def test_renderer_errors_are_shown_not_raised(capsys):
    names, out, _ = seed_mean(minigrad)

    def failing(steps, k, out, **kwargs):
        if k == 2:
            raise ZeroDivisionError("the renderer broke at step 3")
        return stepper_module.step_view(steps, k, out, **kwargs)

    stepper = BackwardStepper(out, names=names, renderer=failing, backend="source")
    stepper.slider.value = 2  # the callback fails: shown in the widget
    assert "ZeroDivisionError: the renderer broke at step 3" in stepper.error_box.value
    assert "minigrad-error" in stepper.error_box.value and stepper.info.value == ""
    assert stepper.picture.outputs == ()
    assert stepper.text.startswith("BackwardStepper: step 3/5 — error\nZeroDivisionError")
    assert "ZeroDivisionError" in stepper._repr_mimebundle_()["text/html"]
    stepper.slider.value = 1  # and the widget recovers
    assert stepper.error_box.value == "" and stepper.error is None
    assert stepper.text.startswith("BackwardStepper: step 2/5")
    assert capsys.readouterr() == ("", "")  # nothing printed: no stray stdout under nbval


def test_error_messages_are_escaped():
    names, out, _ = seed_mean(minigrad)

    def failing(*args, **kwargs):
        raise ValueError("<script>alert(1)</script>")

    stepper = BackwardStepper(out, names=names, renderer=failing, backend="source")
    assert "<script>" not in stepper.error_box.value
    assert "&lt;script&gt;" in stepper.error_box.value


def test_output_goes_through_append_display_data_in_a_kernel(monkeypatch):
    """In a kernel the picture is appended by ``Output.append_display_data`` (IPython's
    formatter), never printed."""
    from IPython.core.interactiveshell import InteractiveShell

    formatted = []

    class Formatter:
        def format(self, obj):
            formatted.append(obj)
            return {"text/plain": repr(obj)}, {}

    class Shell:
        display_formatter = Formatter()

    monkeypatch.setattr(InteractiveShell, "initialized", classmethod(lambda cls: True))
    monkeypatch.setattr(InteractiveShell, "instance", classmethod(lambda cls, *a, **k: Shell()))
    names, out, _ = seed_mean(minigrad)
    stepper = BackwardStepper(out, names=names, backend="source")
    assert formatted == [stepper.view.graph]
    (record,) = stepper.picture.outputs
    assert record["output_type"] == "display_data"
    assert record["data"]["text/plain"].startswith("GraphView(out: backward view")


def test_mimebundle_helper_and_names_from_the_caller():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    total = (x * x).sum()
    stepper = BackwardStepper(total, backend="source")  # names: the caller's variables
    assert stepper.text.splitlines()[0] == "BackwardStepper: step 1/3 — total (SumBackward0)"
    assert panel.mimebundle(object())["text/plain"].startswith("<object object")


# ---- in a real kernel, and exported without one ---------------------------------------------
KERNEL_CELLS = [
    "import minigrad\nfrom widgets import BackwardStepper, Explorer, jacobian_figure",
    "x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)\n"
    "y = x + 2\nz = y * y * 3\nout = z.mean()\nstepper = BackwardStepper(out)\n"
    "stepper.next()\nstepper.next()\nstepper",
    "stepper.picture.outputs",
    "Explorer(lambda x: (3 * (x + 2) ** 2).mean(), x=x)",
    "jacobian_figure(lambda t: t * 2048, minigrad.tensor([1.0, 2.0, 3.0]), [0.1, 1.0, 0.0001])",
]


def test_in_a_kernel_and_exported_without_one(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nbconvert = pytest.importorskip("nbconvert")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in KERNEL_CELLS])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(tmp_path)}}).execute()
    outputs = [cell.outputs for cell in nb.cells]
    assert all(o["output_type"] != "stream" for cell in outputs for o in cell)  # nothing printed
    (shown,) = outputs[1]
    assert shown["data"]["text/plain"].startswith("BackwardStepper: step 3/5 — u (MulBackward0)")
    assert "application/vnd.jupyter.widget-view+json" in shown["data"]
    assert "minigrad-step" in shown["data"]["text/html"]
    # in a kernel the picture went through Output.append_display_data: the SVG, highlighted
    (picture,) = outputs[2]
    assert "'image/svg+xml'" in picture["data"]["text/plain"] and "current" in \
        picture["data"]["text/plain"]
    (explorer,) = outputs[3]
    assert explorer["data"]["text/plain"].startswith("Explorer: out = 64.5")
    (figure,) = outputs[4]  # shown once, as a PNG, with no pyplot in the notebook
    assert figure["data"]["image/png"] and figure["data"]["text/plain"].startswith("<Figure")
    # exported to HTML with no widget state saved: the static step and explorer are shown
    nb.metadata.pop("widgets", None)
    body, _ = nbconvert.HTMLExporter().from_notebook_node(nb)
    assert "minigrad-step" in body and "minigrad-explorer" in body
    assert "u (MulBackward0)</b>" in body and "[[4.5, 6.0], [7.5, 9.0]]" in body


def detached_graph(L):
    """A named tensor outside the graph (w) that a constant of the graph was detached from."""
    x = L.tensor([1.0, -2.0], requires_grad=True)
    w = x * 3
    c = w.detach()
    out = (x * c + x).sum()
    return {"x": x, "w": w, "c": c, "out": out}, out, None


@pytest.mark.parametrize("graph", ["shared_nodes", "seed_vjp", "detached"])
def test_every_step_highlights_its_own_node(graph):
    make = detached_graph if graph == "detached" else GRAPHS[graph]
    names, out, v = make(minigrad)
    stepper = BackwardStepper(out, gradient=v, names=names, backend="source")
    for k, step in enumerate(stepper.steps):
        stepper.slider.value = k
        hits = current(stepper.view.graph.source)
        if hasattr(step.node, "variable"):  # a leaf: its tensor box, labelled by its name
            leaf = [n for n, t in names.items() if t is step.node.variable][0]
            assert [(h[1], h[2]) for h in hits] == [(leaf, "leaf")]
        else:
            assert hits[0][1:] == (step.node.name(), "op"), (k, hits)
            assert len(hits) == 2


def test_a_wrong_numbering_highlights_nothing():
    names, out, _ = seed_mean(minigrad)
    view = stepper_module.step_view(
        BackwardStepper(out, names=names, backend="source").steps, 1, out, names=names)
    digraph = view.graph.graph
    body = list(digraph.body)
    node = out.grad_fn  # MeanBackward0, deliberately given the id of another op
    assert not stepper_module._highlight(digraph, node, {node: ("n4", "n5")})
    assert digraph.body == body
    assert stepper_module._highlight(digraph, node, {node: ("n9", "n10")})  # its own id
    assert digraph.body != body


# ---- true at every moment -------------------------------------------------------------------
def test_steps_show_the_graph_as_it_was_when_the_stepper_was_made():
    """Lesson 1 after Run All: the cell after the stepper runs out.backward() (freeing the
    saved tensors and filling x.grad), later cells change x.grad in place and give the names
    to other tensors. Every click still shows the pass as the stepper recorded it."""
    names, out, _ = seed_mean(minigrad)
    x = names["x"]
    stepper = BackwardStepper(out, names=names, backend="source")
    fresh = [stepper_module.step_view(stepper.steps, k, out, names=names, backend="source")
             for k in range(len(stepper.steps))]
    out.backward()  # frees what the nodes saved
    x.grad.mul_(100)  # and .grad changed in place afterwards
    with minigrad.no_grad():
        x.add_(10)  # and the leaf's values
    names.clear()
    del out
    for k, want in enumerate(fresh):
        stepper.slider.value = k
        assert stepper.view.text == want.text and stepper.view.graph.source == want.graph.source
        source = stepper.view.graph.source
        for banner in ("freed", "no longer kept", "unavailable"):
            assert banner not in source and banner not in stepper.text
        assert "[[1., 2.],\\l [3., 4.]]" in source  # x as it was
        shown = stepper.view.grads["x"]
        if k < len(stepper.steps) - 1:  # AccumulateGrad into x is the last step
            assert shown is None and "x = None" in stepper.text
        else:
            np.testing.assert_allclose(shown.numpy(), SEED_GRAD)  # one pass: not 100 times
            assert "x = [[4.5, 6.0], [7.5, 9.0]]" in stepper.text


def test_the_state_is_read_once_and_kept():
    """snapshot.frozen reads what a drawing needs once; a live State reads the graph as it is
    at each drawing (draw_graph's default)."""
    from widgets import draw_graph, snapshot
    names, out, _ = seed_mean(minigrad)
    kept = snapshot.frozen([out], names)
    out.backward()
    now = draw_graph(out, names=names, backend="source").source
    then = draw_graph(out, names=names, backend="source", state=kept).source
    assert "saved tensors freed" in now and "freed" not in then
    assert ".grad:" in now and ".grad: None" in then  # x.grad filled by now, not then
