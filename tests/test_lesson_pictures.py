"""Every picture in the lessons is true at every moment.

- No graph, stepper or explorer a lesson shows says that something was freed, is no longer kept
  or is unavailable, neither in the stored notebook nor after Run All, at any step of any
  stepper; unless the lesson marks that view as its point (the cell tag ``shows-freed-graph``).
- After Run All (later cells run ``backward()``, change ``.grad``, re-use the names) each
  stepper still shows the step it showed when it was made, and its ``.grad`` is the one the walk
  has filled at that step: None before the leaf's AccumulateGrad, then the sum of what arrived.
- Source code a lesson prints (``print(inspect.getsource(...))``) is the installed source.
"""
import base64
import inspect
import json
import re
from pathlib import Path

import pytest

import minigrad

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9]*.ipynb")) + ["graph_view.ipynb"]
BANNERS = ("freed", "no longer kept", "unavailable")
THE_POINT = "shows-freed-graph"  # the tag of a cell whose picture is about freed tensors

nbformat = pytest.importorskip("nbformat")


def read(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def shown_text(output):
    """What a display output shows, as text: its SVG, HTML, plain text, and the images
    embedded in the HTML (base64 SVG), decoded. Printed streams are left out: a lesson prints
    PyTorch's error about freed tensors on purpose."""
    if output.get("output_type") not in ("display_data", "execute_result"):
        return ""
    parts = []
    for mime, data in output.get("data", {}).items():
        if not isinstance(data, str):
            continue
        parts.append(data)
        for encoded in re.findall(r"data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)", data):
            parts.append(base64.b64decode(encoded).decode("utf-8", "replace"))
    return "\n".join(parts)


def banners(text):
    return [b for b in BANNERS if b in text]


def marked(cell):
    return THE_POINT in cell.get("metadata", {}).get("tags", [])


# ---- the stored notebooks -------------------------------------------------------------------
@pytest.mark.parametrize("lesson", LESSONS)
def test_stored_pictures_show_no_banner(lesson):
    nb = read(lesson)
    found = []
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code" or marked(cell):
            continue
        for output in cell.outputs:
            if banners(shown_text(output)):
                found.append((i, banners(shown_text(output)), cell.source[:60]))
    assert not found, found
    widgets = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for model in widgets.get("state", {}).values():  # the live widgets' saved state too
        value = model.get("state", {}).get("value")
        if isinstance(value, str):
            assert not banners(value), value[:200]


def test_the_tag_marks_the_one_picture_about_freed_tensors():
    """The test above is not vacuous: the tagged cell does show freed tensors."""
    nb = read("graph_view.ipynb")
    tagged = [c for c in nb.cells if c.cell_type == "code" and marked(c)]
    assert len(tagged) == 1
    assert "freed" in "".join(shown_text(o) for o in tagged[0].outputs)


GETSOURCE = re.compile(r"^print\(inspect\.getsource\((?P<expr>[\w.]+)\)\)\s*$")


def printed_sources():
    for lesson in LESSONS:
        for i, cell in enumerate(read(lesson).cells):
            m = GETSOURCE.match(cell.source.strip()) if cell.cell_type == "code" else None
            if m:
                yield pytest.param(lesson, i, m["expr"], id=f"{lesson}:{m['expr']}")


@pytest.mark.parametrize("lesson, index, expr", list(printed_sources()))
def test_printed_source_is_the_installed_source(lesson, index, expr):
    cell = read(lesson).cells[index]
    # the lessons import minigrad as torch
    obj = eval(expr, {"torch": minigrad, "minigrad": minigrad})  # noqa: S307  (a dotted name)
    printed = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
    assert printed == inspect.getsource(obj) + "\n", (
        f"{lesson} prints an older source of {expr}: re-execute the lesson")


def test_lesson_5_prints_the_engine():
    assert any("backward_steps" in p.values[2] for p in printed_sources())


# ---- after Run All --------------------------------------------------------------------------
# Run in the lesson's kernel once every cell has run: every stepper and explorer the lesson
# displayed (IPython's Out), driven through its controls; what each shows, as JSON.
DRIVE = r'''
import json as _json
from widgets import BackwardStepper as _Stepper, Explorer as _Explorer
from widgets.stepper import _filled_tensor as _filled

def _grads_right(stepper, k):
    # each named tensor's .grad shown at step k: what it had before the walk, plus every
    # gradient the walk has brought to its node in steps 0..k (None while there is none)
    for node, before in stepper.before.items():
        name = next((n for n, t in stepper.names.items() if t is _filled(node)), None)
        if name is None:
            continue
        want = before
        for step in stepper.steps[:k + 1]:
            if step.node is node:
                g = step.grad_output.detach()
                want = g if want is None else want + g
        shown = stepper.view.grads.get(name)
        if (shown is None) != (want is None):
            return False
        if want is not None and not bool((shown == want).all()):
            return False
    return True

_report = []
for _n, _obj in sorted(Out.items()):
    if isinstance(_obj, _Stepper):
        for _k in range(len(_obj.steps)):
            _obj.slider.value = _k
            _report.append({"count": _n, "kind": "stepper", "step": _k, "text": _obj.text,
                            "source": _obj.view.graph.source,
                            "grads_right": _grads_right(_obj, _k)})
    elif isinstance(_obj, _Explorer):
        for _sliders in _obj.sliders.values():
            for _s in _sliders:
                for _v in (_s.min, _s.max, (_s.min + _s.max) / 2):
                    _s.value = _v
                    _report.append({"count": _n, "kind": "explorer", "step": _v,
                                    "text": _obj.text, "source": _obj.view.graph.source})
print(_json.dumps(_report))
'''


@pytest.mark.parametrize("lesson", LESSONS)
def test_views_after_run_all(lesson, tmp_path):
    nbclient = pytest.importorskip("nbclient")
    nb = read(lesson)
    nb.cells.append(nbformat.v4.new_code_cell(DRIVE))
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    cells = {c.get("execution_count"): c for c in nb.cells if c.cell_type == "code"}
    for cell in nb.cells[:-1]:  # every picture as Run All leaves it
        if cell.cell_type == "code" and not marked(cell):
            for output in cell.outputs:
                assert not banners(shown_text(output)), (lesson, cell.source[:60])
    report = json.loads("".join(o.get("text", "") for o in nb.cells[-1].outputs
                                if o.get("output_type") == "stream"))
    steppers = [r for r in report if r["kind"] == "stepper"]
    if any("BackwardStepper(" in c.source for c in nb.cells[:-1] if c.cell_type == "code"):
        assert steppers, "the lesson shows a stepper: it must have been driven"
    for r in report:
        cell = cells[r["count"]]
        if marked(cell):
            continue
        assert not banners(r["text"]) and not banners(r["source"]), (lesson, r["text"])
        if r["kind"] == "stepper":
            assert r["grads_right"], (lesson, r["text"])
            if r["step"] == 0:  # the first step is what the cell showed when it ran
                shown = [o for o in cell.outputs if o.get("output_type") == "execute_result"]
                assert shown and shown[0]["data"]["text/plain"] == r["text"]
