"""The computation-graph view: DOT structure, labels, styles, escaping, and every renderer.

Expected gradients come from the math of the seed lesson (out = mean(3 (x + 2)²), so
d out/dx = 6 (x + 2) / 4) or from PyTorch when it is installed; structures are compared with
PyTorch's own graph of the same code.
"""
import re
import shutil
import subprocess
import sys
import warnings

import numpy as np
import pytest

import minigrad
from minigrad.ops import OPS
from widgets import GraphView, draw_graph, render, side_by_side

NODE = re.compile(r'^\s*(n\d+|more) \[(.*)\]$')
EDGE = re.compile(r'^\s*(n\d+|more) -> (n\d+)(?: \[(.*)\])?$')
LABEL = re.compile(r'label=(?:"((?:[^"\\]|\\.)*)"|(\S+))')


def parse(source):
    """({id: (label lines, attrs text)}, [(src, dst, label lines, attrs text)]) of DOT text."""
    nodes, edges = {}, []
    for line in source.splitlines():
        m = EDGE.match(line)
        if m:
            edges.append((m[1], m[2], _lines(m[3] or ""), m[3] or ""))
            continue
        m = NODE.match(line)
        if m:
            nodes[m[1]] = (_lines(m[2]), m[2])
    return nodes, edges


def _lines(attrs):
    m = LABEL.search(attrs)
    if not m:
        return []
    text = m[1] if m[1] is not None else m[2]
    return [s for s in re.split(r"\\[nl]", text) if s]


def kind(attrs):
    return re.search(r"class=(\w+)", attrs)[1]


def seed():
    """The seed lesson: x=[[1,2],[3,4]]; y=x+2; z=y*y*3; out=z.mean()."""
    x = minigrad.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    y = x + 2
    z = y * y * 3
    out = z.mean()
    return x, y, z, out


def find(nodes, first_line):
    hits = [i for i, (lines, _) in nodes.items() if lines and lines[0] == first_line]
    assert len(hits) == 1, (first_line, hits)
    return hits[0]


def value_text(a):
    """How the labels print an array (to compare with values computed here)."""
    return np.array2string(np.asarray(a, dtype=np.float32), precision=4, separator=", ",
                           suppress_small=True, floatmode="maxprec_equal").splitlines()


# ---- structure --------------------------------------------------------------------------------
def test_seed_graph_structure_labels_and_styles():
    x, y, z, out = seed()
    view = draw_graph(out, names={"x": x, "y": y, "z": z, "out": out})
    nodes, edges = parse(view.source)
    # ids are n0..n10 in topological order: leaf first, output last
    assert list(nodes) == [f"n{i}" for i in range(11)]
    assert all(int(s[1:]) < int(d[1:]) for s, d, _, _ in edges)
    ops = [lines[0] for lines, attrs in nodes.values() if kind(attrs) == "op"]
    assert ops == ["AddBackward0", "MulBackward0", "MulBackward0", "MeanBackward0"]
    kinds = [kind(attrs) for _, attrs in nodes.values()]
    assert kinds == ["leaf", "constant", "op", "tensor", "op", "tensor", "constant", "op",
                     "tensor", "op", "output"]
    xl = nodes[find(nodes, "x")][0]
    assert xl[1] == "[2, 2]" and xl[2:4] == value_text([[1, 2], [3, 4]])
    assert ".grad: None" in xl and xl[-1] == "leaf · requires_grad"
    assert nodes[find(nodes, "y")][0][2:4] == value_text([[3, 4], [5, 6]])
    assert nodes[find(nodes, "out")][0][:3] == ["out", "scalar", "64.5"]
    # the rules speak in the graph's names: y = x + 2, the unnamed y·y is u, z = u·3
    assert nodes["n2"][0] == ["AddBackward0", "y = x + 2", "x̄ = ȳ"]
    assert nodes["n4"][0] == ["MulBackward0", "u = y·y", "ȳ = ū·y,  ȳ = ū·y"]
    assert nodes["n5"][0][0] == "u"  # the box the rules call u
    assert nodes["n7"][0] == ["MulBackward0", "z = u·3", "ū = z̄·3"]  # 3 needs no gradient
    assert nodes["n9"][0] == ["MeanBackward0", "out = (1/n) Σᵢ zᵢ", "z̄ᵢ = ōūt̄ / n"]
    assert "x̄ = z̄·y" in OPS["mul"].math  # the registry's own letters, renamed in the picture
    # y*y: two edges, in argument order; the constant 3 is an input of the second mul
    assert [(s, d, lab) for s, d, lab, _ in edges if d == "n4"] == [("n3", "n4", ["y"]),
                                                                   ("n3", "n4", ["y"])]
    assert [(s, lab) for s, d, lab, _ in edges if d == "n7"] == [("n5", ["u"]), ("n6", ["3"])]
    assert nodes["n6"][0][:3] == ["scalar", "3", "constant"]  # a number: its value shows
    assert nodes["n1"][0][:3] == ["scalar", "2", "constant"]  # though AddBackward0 saves nothing
    # distinct styles: leaf, constant, output, op
    styles = {kind(a): re.search(r'style="?([\w,]+)', a)[1] for _, a in nodes.values()}
    assert len({styles[k] + k for k in ("leaf", "constant", "output", "op")}) == 4
    assert "peripheries=2" in nodes["n10"][1] and "dashed" in styles["constant"]


def test_x_plus_x_has_two_edges_and_matches_pytorch():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x + x) * x
    _, edges = parse(draw_graph(y, names={}).source)
    into_add = [e for e in edges if e[1] == "n1"]
    leaf = parse(draw_graph(y, names={}).source)[0]["n0"][0][0]
    assert leaf == "u"  # unnamed: the first free letter, the name its rules use
    assert [(s, lab) for s, _, lab, _ in into_add] == [("n0", [leaf]), ("n0", [leaf])]
    torch = pytest.importorskip("torch")
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    ty = (tx + tx) * tx
    _, tedges = parse(draw_graph(ty, names={}).source)
    assert [(s, d) for s, d, _, _ in tedges] == [(s, d) for s, d, _, _ in edges]


def test_same_graph_same_dot_text_and_no_addresses():
    texts = set()
    for _ in range(3):
        x, y, z, out = seed()
        view = draw_graph(out)
        texts.add(view.source)
        assert "0x" not in view.source and "0x" not in repr(view)
    assert len(texts) == 1
    assert repr(view) == "GraphView(out: forward view, 11 nodes, 11 edges)"


def test_names_come_from_the_calling_frame_and_skip_underscored():
    def lesson():
        a = minigrad.tensor([1.0], requires_grad=True)
        _hidden = a * 2
        b = _hidden.exp()
        return draw_graph(b)
    nodes, _ = parse(lesson().source)
    firsts = [lines[0] for lines, _ in nodes.values()]
    assert "a" in firsts and "b" in firsts and "_hidden" not in firsts


def test_dtype_shown_unless_float32_and_large_values_summarised():
    a = minigrad.arange(100, dtype=minigrad.float64).reshape(10, 10).requires_grad_()
    b = minigrad.ones(3, requires_grad=True)
    c = a.sum() + b.sum()
    nodes, _ = parse(draw_graph(c, names={"a": a, "b": b}).source)
    al = nodes[find(nodes, "a")][0]
    data = np.arange(100.0)
    assert al[1] == "[10, 10] float64"
    std = np.format_float_positional(data.std(), 4, fractional=False)
    assert al[2] == f"mean {data.mean():g}  std {std}"
    assert al[3] == f"min {data.min():g}  max {data.max():g}"
    assert nodes[find(nodes, "b")][0][1] == "[3]"  # float32: no dtype


def test_after_backward_grads_show_and_freed_saved_tensors_are_styled():
    x, y, z, out = seed()
    y.retain_grad()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # reading .grad of a non-leaf would warn
        nodes, _ = parse(draw_graph(out).source)
    assert ".grad: None" in nodes[find(nodes, "y")][0]
    assert "retains_grad" in nodes[find(nodes, "y")][0][-1]
    out.backward()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nodes, _ = parse(draw_graph(out).source)
    xl = nodes[find(nodes, "x")][0]
    expected = 6 * (np.array([[1, 2], [3, 4]]) + 2) / 4  # d/dx mean(3 (x+2)²)
    i = xl.index(".grad:")
    assert xl[i + 1:i + 3] == value_text(expected)
    assert "grad:" not in " ".join(nodes[find(nodes, "z")][0])  # a non-leaf without retain_grad
    freed = [lines[0] for lines, attrs in nodes.values() if kind(attrs) == "op_freed"]
    assert freed == ["MulBackward0", "MulBackward0"]  # Add and Mean save no tensor
    assert all("saved tensors freed" in lines for lines, a in nodes.values()
               if kind(a) == "op_freed")
    assert nodes["n6"][0][:3] == ["scalar", "3", "constant"]  # a number outlives the freeing
    k = minigrad.tensor(3.0)  # a tensor constant is only known through what the op saved
    out = (x * k).sum()
    out.backward()
    nodes, _ = parse(draw_graph(out, names={}).source)
    assert nodes["n1"][0] == ["k", "constant", "(saved value freed)"]


def test_retain_graph_keeps_saved_tensors():
    x, y, z, out = seed()
    out.backward(retain_graph=True)
    nodes, _ = parse(draw_graph(out).source)
    assert not [a for _, a in nodes.values() if kind(a) == "op_freed"]


def test_detach_cut_has_its_own_style_and_edge():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    w = d * x
    nodes, edges = parse(draw_graph(w).source)
    cut = [i for i, (_, a) in nodes.items() if kind(a) == "detach"]
    assert len(cut) == 1 and nodes[cut[0]][0][0] == "d"
    assert "detach(): no gradient flows back" in nodes[cut[0]][0]
    dotted = [(s, d_, lab) for s, d_, lab, a in edges if "dotted" in a]
    assert dotted == [(find(nodes, "y"), cut[0], ["detach()"])]
    # a plain constant is not a cut
    k = minigrad.tensor([5.0, 6.0])
    nodes, _ = parse(draw_graph(k * x).source)
    assert [kind(a) for _, a in nodes.values()].count("detach") == 0


def test_hook_badge_on_pytorch_tensors():
    torch = pytest.importorskip("torch")
    x = torch.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g)
    out = y.sum()
    nodes, _ = parse(draw_graph(out).source)
    assert nodes[find(nodes, "y")][0][-1] == "requires_grad · hooks: 1"


# ---- safe labels ------------------------------------------------------------------------------
NASTY = {"<script>": "&lt;script&gt;", "a & b": "a &amp; b", "&lt;b&gt;": "&amp;lt;b&amp;gt;"}


def test_user_names_are_escaped_in_dot():
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x * 2
    view = draw_graph(y, names={"<script>": x, "a & b": y})
    assert 'label="<script>\\l' in view.source  # a quoted string, never an HTML-like <label>
    assert "a &amp; b" in view.source  # so Graphviz shows '&', not an entity
    back = draw_graph(y, names={"back\\slash \"q\"": x})
    assert 'back\\\\slash \\"q\\"' in back.source


@pytest.mark.parametrize("backend", render.BACKENDS)
def test_user_names_render_as_text_in_svg(backend):
    if render.find_renderer(backend) is None:
        pytest.skip(f"{backend} is not installed on this machine")
    x = minigrad.tensor([1.0], requires_grad=True)
    y = x * 2
    z = y + 1
    svg = draw_graph(z, names={"<script>": x, "a & b": y, "&lt;b&gt;": z},
                     backend=backend).render("svg").data.decode()
    assert "<script>" not in svg
    for escaped in NASTY.values():
        assert f">{escaped}</text>" in svg


def test_fallback_html_escapes_the_source(monkeypatch):
    monkeypatch.setattr(render, "find_renderer", lambda backend: None)
    x = minigrad.tensor([1.0], requires_grad=True)
    bundle = draw_graph(x * 2, names={"<script>": x})._repr_mimebundle_()
    assert "<script>" not in bundle["text/html"] and "&lt;script&gt;" in bundle["text/html"]


# ---- backward view ----------------------------------------------------------------------------
def test_backward_view_labels_edges_with_the_gradient_flow_and_leaves_grad_alone():
    x, y, z, out = seed()
    y.retain_grad()
    nodes, edges = parse(draw_graph(out, view="backward").source)
    assert x.grad is None and y.grad is None  # drawing never changes .grad
    yv = np.array([[3.0, 4.0], [5.0, 6.0]])
    # out = mean(3 y·y): each of the two edges from y carries (3/4)·y, together 6y/4
    share = value_text(0.75 * yv)
    into_mul = [(lab, a) for s, d, lab, a in edges if d == "n4"]
    assert [lab for lab, _ in into_mul] == [["ȳ"] + share, ["ȳ"] + share]  # both y's
    assert all("dir=back" in a for _, a in into_mul)
    yl = nodes[find(nodes, "y")][0]
    i = yl.index("∂out/∂y =")
    assert yl[i + 1:i + 3] == value_text(1.5 * yv)
    assert "∂out/∂out = 1" in nodes[find(nodes, "out")][0]
    out.backward()  # the user's backward still gives the right .grad
    np.testing.assert_allclose(x.grad.numpy(), 1.5 * yv)


def test_backward_view_calls_no_hook():
    x, y, z, out = seed()
    calls = []
    y.register_hook(lambda g: calls.append(g))
    draw_graph(out, view="backward")
    assert calls == []
    out.backward()
    assert len(calls) == 1  # the user's backward runs it


def test_backward_view_matches_pytorch():
    torch = pytest.importorskip("torch")
    views = []
    for lib in (minigrad, torch):
        x = lib.tensor([[1.0, -2.0], [0.5, 4.0]], requires_grad=True)
        w = lib.tensor([0.3, -0.7], requires_grad=True)
        y = (x * w).tanh()
        out = (y.exp() / (y + 3)).sum()
        views.append(draw_graph(out, view="backward", names={"x": x, "w": w, "y": y}))
        assert x.grad is None and w.grad is None
    (mn, me), (tn, te) = (parse(v.source) for v in views)
    assert [(s, d) for s, d, _, _ in me] == [(s, d) for s, d, _, _ in te]
    for (s, _, ml, _), (_, _, tl, _) in zip(me, te):
        if kind(mn[s][1]) != "constant":  # PyTorch keeps no number it does not need (the 3)
            assert ml == tl
    for name in ("x", "w", "y"):  # values, .grad and the gradient flowing in
        assert mn[find(mn, name)][0] == tn[find(tn, name)][0]
    assert [mn[i][0][0] for i in mn if kind(mn[i][1]) == "op"] == [
        tn[i][0][0] for i in tn if kind(tn[i][1]) == "op"]


def test_backward_view_after_backward_gives_a_note_not_an_error():
    x, y, z, out = seed()
    out.backward()
    view = draw_graph(out, view="backward")
    assert "gradient flow unavailable" in view.source and "retain_graph=True" in view.source
    assert "image/svg+xml" in view._repr_mimebundle_() or "text/plain" in view._repr_mimebundle_()


def test_backward_view_from_recorded_steps():
    x, y, z, out = seed()
    steps = list(minigrad.autograd.backward_steps([out.grad_fn], [minigrad.ones_like(out)]))
    nodes, _ = parse(draw_graph(out, view="backward", steps=steps).source)
    xl = nodes[find(nodes, "x")][0]
    expected = value_text(6 * (np.array([[1, 2], [3, 4]]) + 2) / 4)
    i = xl.index("∂out/∂x =")
    assert xl[i + 1:i + 3] == expected
    assert xl[xl.index(".grad:") + 1:xl.index(".grad:") + 3] == expected  # that backward ran


# ---- large graphs ------------------------------------------------------------------------------
def chain(n):
    x = minigrad.tensor([0.5, 1.0, 1.5], requires_grad=True)
    y = x
    for _ in range(n):
        y = y.sin()
    return x, y.sum()


def test_ten_thousand_node_graph_is_summarised():
    x, out = chain(10_000)
    view = draw_graph(out, max_nodes=100)
    done = view.render("svg")
    nodes, edges = parse(view.source)
    total = 1 + 2 * 10_000 + 2  # x, (op + tensor) per sin, the sum and its output
    assert len(nodes) - 1 <= 100
    assert nodes["more"][0] == [f"… {total - (len(nodes) - 1)} more nodes"]
    assert [s for s, _, _, _ in edges].count("more") == 1
    assert done.backend in ("dot", "graphviz-pure") and b"<svg" in done.data, done.error


def test_wide_graph_merges_hidden_inputs_into_one_edge():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    out = minigrad.stack([x * float(i) for i in range(2_000)]).sum()
    view = draw_graph(out, max_nodes=60, backend="source")
    nodes, edges = parse(view.source)
    stack = find(nodes, "StackBackward0")
    into_stack = [(s, lab) for s, d, lab, _ in edges if d == stack]
    drawn = [s for s, _ in into_stack if s != "more"]
    assert into_stack[-1] == ("more", [f"{2_000 - len(drawn)} inputs"])
    assert len(into_stack) == len(drawn) + 1


def test_deep_chain_does_not_recurse():
    x, out = chain(30_000)  # thirty times Python's recursion limit
    view = draw_graph(out, max_nodes=10, backend="source")
    assert view.summary.hidden == 1 + 2 * 30_000 + 2 - view.summary.nodes + 1


def test_focus_draws_only_the_neighbourhood():
    x, y, z, out = seed()
    nodes, _ = parse(draw_graph(out, focus=y, radius=1).source)
    ops = sorted(lines[0] for lines, a in nodes.values() if kind(a) == "op")
    assert ops == ["AddBackward0", "MulBackward0"]  # y's producer and its consumer
    assert "more" in nodes
    with pytest.raises(ValueError):
        draw_graph(out, focus=minigrad.ones(2))


class Linear:
    """A module-like object (named_parameters / named_modules), as nn.Module has."""

    def __init__(self, n_in, n_out):
        self.weight = minigrad.randn(n_out, n_in, requires_grad=True)
        self.bias = minigrad.zeros(n_out, requires_grad=True)

    def __call__(self, x):
        return x @ self.weight.t() + self.bias


class MLP:
    def __init__(self):
        self.fc1, self.fc2 = Linear(3, 4), Linear(4, 1)

    def named_parameters(self):
        for name in ("fc1", "fc2"):
            layer = getattr(self, name)
            yield f"{name}.weight", layer.weight
            yield f"{name}.bias", layer.bias

    def named_modules(self):
        return [("", self), ("fc1", self.fc1), ("fc2", self.fc2)]

    def __call__(self, x):
        return self.fc2(self.fc1(x).relu())


def test_module_ops_are_clustered_with_module_names():
    minigrad.manual_seed(0)
    model = MLP()
    loss = model(minigrad.randn(2, 3)).pow(2).mean()
    source = draw_graph(loss, modules=model).source
    clusters = re.findall(r"subgraph (cluster_\d+) \{\n\s*color=\S+ label=\"([^\"]+)\"", source)
    assert [label for _, label in clusters] == ["fc1 (Linear)", "fc2 (Linear)"]
    blocks = re.split(r"subgraph cluster_\d+", source)
    top, fc1, fc2 = blocks[0], blocks[1], blocks[2]
    assert "fc1.weight" in fc1 and "fc1.bias" in fc1 and "MmBackward0" in fc1
    assert "fc2.weight" in fc2 and "MmBackward0" in fc2
    assert "ReluBackward0" in top and "MeanBackward0" in top  # between and after the modules


def test_pytorch_modules_are_clustered():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    loss = model(torch.randn(2, 3)).pow(2).mean()
    source = draw_graph(loss, modules=model).source
    assert re.findall(r'label="(\d \(Linear\))"', source) == ["0 (Linear)", "2 (Linear)"]


def test_drawing_minigrad_never_imports_torch():
    code = ("import sys, minigrad; from widgets import draw_graph; "
            "x = minigrad.ones(2, requires_grad=True); v = draw_graph((x * 2).sum()); "
            "v._repr_mimebundle_(); v.source; print('torch' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_draw_graph_rejects_what_is_not_a_tensor():
    with pytest.raises(TypeError, match="expects a tensor"):
        draw_graph([1, 2])
    with pytest.raises(ValueError, match="backend"):
        draw_graph(minigrad.ones(1), backend="cairo")


# ---- rendering: each backend, and neither -------------------------------------------------------
def need(backend):
    if render.find_renderer(backend) is None:
        pytest.skip(f"{backend} is not installed on this machine")


@pytest.mark.parametrize("backend", render.BACKENDS)
def test_each_backend_renders_svg_and_png(backend, tmp_path, capfd):
    need(backend)
    x, y, z, out = seed()
    view = draw_graph(out, backend=backend)
    done = view.render("svg")
    assert done.backend == backend and done.error == ""
    svg = done.data.decode()
    assert "<svg" in svg and svg.count('class="node') >= 11 and ">MulBackward0</text>" in svg
    bundle = view._repr_mimebundle_()
    assert bundle["image/svg+xml"] == svg and bundle["text/plain"] == repr(view)
    assert view.save(tmp_path / "g.svg") == str(tmp_path / "g.svg")
    assert (tmp_path / "g.svg").read_bytes() == done.data
    view.save(tmp_path / "g.png")
    assert (tmp_path / "g.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    view.save(tmp_path / "g.gv")
    assert (tmp_path / "g.gv").read_text() == view.source
    assert capfd.readouterr().err == ""  # renderer warnings are captured, never printed


def test_graphviz_pure_warnings_are_captured():
    need("graphviz-pure")
    x, y, z, out = seed()
    done = draw_graph(out, backend="graphviz-pure").render("svg")
    assert done.data and "non-ASCII" in done.stderr


def test_pip_only_machine_uses_graphviz_pure(monkeypatch):
    need("graphviz-pure")
    real = render.find_renderer
    monkeypatch.setattr(render, "find_renderer",
                        lambda b: None if b == "dot" else real(b))
    x, y, z, out = seed()
    done = draw_graph(out).render("svg")
    assert done.backend == "graphviz-pure" and b"<svg" in done.data


def test_graphviz_pure_found_beside_python_when_not_on_path(monkeypatch):
    need("graphviz-pure")
    path = render.find_renderer("graphviz-pure")
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.setattr(render.sysconfig, "get_path", lambda name: str(
        __import__("pathlib").Path(path).resolve().parent))
    assert render.find_renderer("graphviz-pure") is not None
    assert render.find_renderer("dot") is None


def test_no_renderer_shows_the_source_with_a_hint(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "find_renderer", lambda backend: None)
    x, y, z, out = seed()
    view = draw_graph(out)
    bundle = view._repr_mimebundle_()  # what Jupyter calls: no exception
    assert "image/svg+xml" not in bundle
    assert bundle["text/plain"] == f"{view!r}\n{render.INSTALL_HINT}\n{view.source}"
    assert "pip install graphviz-pure" in bundle["text/html"]
    with pytest.warns(RuntimeWarning, match="pip install graphviz-pure"):
        written = view.save(tmp_path / "g.svg")
    assert written == str(tmp_path / "g.gv") and not (tmp_path / "g.svg").exists()
    assert (tmp_path / "g.gv").read_text() == view.source


def test_backend_source_never_runs_a_renderer(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("no renderer may run")
    monkeypatch.setattr(subprocess, "run", refuse)
    x, y, z, out = seed()
    bundle = draw_graph(out, backend="source")._repr_mimebundle_()
    assert "digraph" in bundle["text/plain"]


def test_a_failing_renderer_falls_back(monkeypatch):
    false = shutil.which("false")
    if false is None:
        pytest.skip("no `false` program on this machine")
    monkeypatch.setattr(render, "find_renderer", lambda backend: false)
    done = render.render("digraph { a -> b }", "svg")
    assert done.data is None and "dot: exit status 1" in done.error
    x, y, z, out = seed()
    assert "text/html" in draw_graph(out)._repr_mimebundle_()


def test_display_never_raises(monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("renderer vanished")
    monkeypatch.setattr(render, "render", broken)
    x, y, z, out = seed()
    view = draw_graph(out)
    bundle = view._repr_mimebundle_()
    assert "digraph" in bundle["text/plain"]
    assert isinstance(view, GraphView)


def test_side_by_side_shows_both_graphs_with_escaped_titles():
    x, y, z, out = seed()
    a, b = draw_graph(out, backend="source"), draw_graph(z, backend="source")
    page = side_by_side(a, b, titles=["minigrad", "<b>PyTorch</b>"])._repr_html_()
    assert page.count("<figure") == 2 and "&lt;b&gt;PyTorch&lt;/b&gt;" in page
    assert "<b>PyTorch</b>" not in page
    if any(render.find_renderer(name) for name in render.BACKENDS):
        page = side_by_side(draw_graph(out), draw_graph(z))._repr_html_()
        assert page.count('<img src="data:image/svg+xml;base64,') == 2


def test_rules_speak_in_the_graph_names_and_never_take_a_variable_name():
    """The registry's letters (z = x·y) are renamed on each node to the names of its boxes; an
    unnamed box gets a letter no tensor of the calling code has (u is taken here, so v)."""
    u = minigrad.tensor([1.0, 2.0], requires_grad=True)
    z = (u * u).exp() / 4
    nodes, _ = parse(draw_graph(z, names={"u": u, "z": z}).source)
    assert nodes["n1"][0] == ["MulBackward0", "v = u·u", "ū = v̄·u,  ū = v̄·u"]
    assert nodes["n2"][0][0] == "v"
    assert nodes["n3"][0] == ["ExpBackward0", "s = eᵛ", "v̄ = s̄·s"]
    assert nodes["n6"][0] == ["DivBackward0", "z = s / 4", "s̄ = z̄ / 4"]  # 4 needs no gradient


def test_scalar_constants_show_their_value_and_longer_names_their_bars():
    from widgets import rules
    assert rules.bar("x") == "x̄" and rules.bar("out") == "ōūt̄" and rules.bar("w1") == "w̄1"
    loss = minigrad.tensor(2.0, requires_grad=True)
    out = 3 - loss * 0.5
    nodes, _ = parse(draw_graph(out, names={"loss": loss, "out": out}).source)
    assert nodes["n0"][0][:3] == ["loss", "scalar", "2"]
    assert nodes["n1"][0][:3] == ["scalar", "0.5", "constant"]
    assert nodes["n2"][0][1:] == ["u = loss·0.5", "l̄ōs̄s̄ = ū·0.5"]
    assert nodes["n4"][0][1:] == ["out = c − u  (c = 3)", "ū = −ōūt̄"]  # rsub: 3 an attribute


def test_legend_says_what_each_style_used_means():
    from widgets.graph import EDGE_MEANINGS, NODE_MEANINGS
    x, y, z, out = seed()
    source = draw_graph(out).source
    legend = [line for line in source.splitlines() if line.lstrip().startswith("legend [")]
    assert len(legend) == 1 and "class=legend" in legend[0] and "shape=note" in legend[0]
    for kind_ in ("leaf", "tensor", "output", "constant", "op"):
        assert NODE_MEANINGS[kind_] in legend[0]
    assert "freed" not in legend[0] and "detach" not in legend[0]  # not in this drawing
    assert EDGE_MEANINGS["forward"] in legend[0] and EDGE_MEANINGS["backward"] not in legend[0]
    out.backward()
    legend = [line for line in draw_graph(out).source.splitlines() if "legend [" in line]
    assert NODE_MEANINGS["op_freed"] in legend[0]  # the dashed red ellipse, once it is there
    assert "red dashed ellipse" in NODE_MEANINGS["op_freed"]


def test_a_value_the_graph_does_not_keep_says_why():
    """Lesson 2 re-uses the name z: the mean's gradient needs only the first z's shape, so the
    graph does not keep its value (as PyTorch's does not), and the box says so, truly."""
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = x + 2
    z = y * y * 3
    z = z.mean()
    nodes, _ = parse(draw_graph(z, names={"x": x, "y": y, "z": z}).source)
    first_z = nodes["n8"][0]
    assert first_z == ["v", "(value not kept: backward does not need it)"]
    assert nodes["n9"][0][1] == "z = (1/n) Σᵢ vᵢ"
    assert nodes["n5"][0][:2] == ["u", "[2]"]  # y·y is kept: the next product needs it
    torch = pytest.importorskip("torch")
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    tz = ((tx + 2) * (tx + 2) * 3).mean()
    tnodes, _ = parse(draw_graph(tz, names={"x": tx, "z": tz}).source)
    assert "(value not shown: PyTorch's graph does not expose it)" in [
        line for lines, _ in tnodes.values() for line in lines]


def test_number_attributes_are_said_beside_the_rule():
    x = minigrad.tensor([1.0, 2.0], requires_grad=True)
    y = (x ** 2).sum()
    nodes, _ = parse(draw_graph(y, names={"x": x, "y": y}).source)
    assert nodes["n1"][0] == ["PowBackward0", "u = xᵖ  (p = 2)", "x̄ = ū·p·xᵖ⁻¹"]
    torch = pytest.importorskip("torch")
    tx = torch.tensor([1.0, 2.0], requires_grad=True)
    ty = (tx ** 2).sum()
    tnodes, _ = parse(draw_graph(ty, names={"x": tx, "y": ty}).source)
    assert tnodes["n1"][0] == nodes["n1"][0]  # read from PyTorch's node alike
