"""The lessons in a real browser: each notebook is opened in JupyterLab, run with Run All Cells,
and must show no error, its graphs and figures, and widgets that answer: the stepper's "next"
moves the highlighted node and the numbers, an explorer slider changes the output value.

The checks are tried on known-bad cases too (a "next" that raises, an explorer whose update
raises, a stepper whose steps say "freed"): they must fail, naming the lesson and the widget.
"""
import os
import pathlib
import shutil

import pytest

from notebook_page import (check_explorer, check_outputs, check_stepper, features,
                           hide_left_sidebar, open_notebook, run_all, run_code, screenshot_cell,
                           screenshot_notebook)

pytestmark = pytest.mark.browser

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

LESSONS = sorted(p.name for p in NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
SEED_LESSON = LESSONS[0] if LESSONS else None  # mean(3(x+2)^2): the graph every lesson starts from
DOCS_PICTURES = {"graph": ROOT / "docs" / "screenshot_graph.png",
                 "stepper": ROOT / "docs" / "screenshot_stepper.png"}
DOCS_MAX_BYTES = 300_000
DOCS_VIEWPORT = {"width": 1000, "height": 900}


def _lesson_with(feature):
    """The last lesson whose code uses ``feature`` (the later lessons use the most)."""
    found = [name for name in LESSONS if feature in features(NOTEBOOKS / name)]
    if not found:
        pytest.fail(f"no lesson in {NOTEBOOKS} uses the {feature}: nothing to check it on")
    return found[-1]


def _run_and_check(page, lab, kernel_log, name, ui, picture):
    """Open ``name`` in ``ui``, Run All Cells, check the outputs, save ``picture``, then click
    through every stepper and explorer."""
    open_notebook(page, lab, name, ui)
    run_all(page, name, kernel_log)
    check_outputs(page, name, features(NOTEBOOKS / name))
    screenshot_notebook(page, picture)
    for i in range(page.locator(".minigrad-stepper-widget").count()):
        check_stepper(page, name, kernel_log, i)
    for i in range(page.locator(".minigrad-explorer-widget").count()):
        check_explorer(page, name, kernel_log, i)


@pytest.mark.parametrize("name", LESSONS + ["graph_view.ipynb"])
def test_notebook_runs_in_jupyterlab(name, lab, page, kernel_log, screenshots):
    _run_and_check(page, lab, kernel_log, name, "lab", screenshots / name.replace(".ipynb", ".png"))


def test_a_lesson_runs_in_notebook_7(lab, page, kernel_log, screenshots):
    name = _lesson_with("stepper")
    _run_and_check(page, lab, kernel_log, name, "notebook",
                   screenshots / f"notebook7-{name.replace('.ipynb', '.png')}")


BREAK_NEXT = '''import widgets.stepper

_working_next = widgets.stepper.BackwardStepper.next

def _broken_next(self):
    raise RuntimeError("next broken on purpose")

widgets.stepper.BackwardStepper.next = _broken_next'''

# (the steps are drawn when the stepper is made: what can still break on a click is showing one)
BREAK_DRAWING = '''import widgets.panel

widgets.stepper.BackwardStepper.next = _working_next

def _broken_drawing(*args, **kwargs):
    raise RuntimeError("drawing broken on purpose")

widgets.panel.show = _broken_drawing'''


def test_a_stepper_whose_next_raises_fails_the_check(lab, page, kernel_log):
    name = _lesson_with("stepper")
    open_notebook(page, lab, name)
    run_all(page, name, kernel_log)
    run_code(page, name, BREAK_NEXT)
    with pytest.raises(AssertionError) as raised:
        check_stepper(page, name, kernel_log)
    message = str(raised.value)
    assert message.startswith(f"lesson {name}: BackwardStepper 'next' did not advance"), message
    assert "RuntimeError: next broken on purpose" in message, message

    # "next" works again, but showing the step raises: the widget shows the error
    run_code(page, name, BREAK_DRAWING)
    with pytest.raises(AssertionError) as raised:
        check_stepper(page, name, kernel_log)
    message = str(raised.value)
    assert message.startswith(f"lesson {name}: BackwardStepper 'next' went to step"), message
    assert "shows an error: RuntimeError: drawing broken on purpose" in message, message


# The stepper of lesson 1 made to draw from the graph as it is now (not as it was when it was
# made): after Run All has run the next cell's out.backward(), its steps say "freed"
DRAW_AFTER_BACKWARD = '''from widgets import BackwardStepper
from widgets.snapshot import State

_s = [o for o in Out.values() if isinstance(o, BackwardStepper)][0]
_s.state = State()'''


def test_a_stepper_that_shows_freed_tensors_fails_the_check(lab, page, kernel_log):
    name = SEED_LESSON
    open_notebook(page, lab, name)
    run_all(page, name, kernel_log)
    run_code(page, name, DRAW_AFTER_BACKWARD)
    with pytest.raises(AssertionError) as raised:
        check_stepper(page, name, kernel_log)
    message = str(raised.value)
    assert message.startswith(f"lesson {name}: BackwardStepper 'next' went to step"), message
    assert "which says 'freed'" in message, message


BREAK_EXPLORER = '''import widgets.explorer

def _broken_show(self):
    raise RuntimeError("explorer broken on purpose")

widgets.explorer.Explorer._show = _broken_show'''


def test_an_explorer_whose_update_raises_fails_the_check(lab, page, kernel_log):
    name = _lesson_with("explorer")
    open_notebook(page, lab, name)
    run_all(page, name, kernel_log)
    run_code(page, name, BREAK_EXPLORER)
    with pytest.raises(AssertionError) as raised:
        check_explorer(page, name, kernel_log)
    message = str(raised.value)
    assert message.startswith(f"lesson {name}: Explorer slider "), message
    assert "but the output value stays at" in message, message
    assert "RuntimeError: explorer broken on purpose" in message, message


def test_seed_lesson_pictures(lab, page, kernel_log, screenshots):
    """The seed lesson's graph, and its stepper half-way through the backward pass; with
    MINIGRAD_UPDATE_DOCS_SCREENSHOTS=1 they replace the pictures in docs/."""
    name = SEED_LESSON
    page.set_viewport_size(DOCS_VIEWPORT)  # narrower cells: pictures that fit a README
    open_notebook(page, lab, name)
    hide_left_sidebar(page)
    run_all(page, name, kernel_log)
    check_outputs(page, name, {"graph", "stepper"})
    graph_cell = page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".jp-OutputArea-output[data-mime-type='image/svg+xml']"),
        has_not=page.locator(".jupyter-widgets")).first
    stepper_cell = page.locator(".jp-Notebook .jp-CodeCell").filter(
        has=page.locator(".minigrad-stepper-widget")).first
    count = int(stepper_cell.locator(".minigrad-stepper-counter").inner_text().split(" / ")[1])
    for _ in range(count // 2):
        _, after = check_stepper(page, name, kernel_log)
    # Run All has run the next cell's out.backward(): x.grad is filled in the kernel and the
    # graph's saved tensors are freed, but the stepper shows its own walk (check_stepper
    # checks that no step says "freed"): half-way, nothing has reached x.grad yet
    assert ".grad at this step" in after["info"] and "x = None" in after["info"], after["info"]
    pictures = {"graph": screenshots / "seed-graph.png",
                "stepper": screenshots / "seed-stepper.png"}
    screenshot_cell(page, graph_cell, pictures["graph"])
    screenshot_cell(page, stepper_cell, pictures["stepper"])
    for _ in range(count - 1 - count // 2):  # on to the last step, AccumulateGrad into x
        _, after = check_stepper(page, name, kernel_log)
    assert after["counter"] == f"{count} / {count}", after["counter"]
    # ∂out/∂x = 3/2 (x + 2) at x = 1, 2, 3, 4, once: not the None nor the sum of two passes
    assert "x = [[4.5, 6.0], [7.5, 9.0]]" in after["info"], after["info"]
    if os.environ.get("MINIGRAD_UPDATE_DOCS_SCREENSHOTS") == "1":
        for key, path in pictures.items():
            size = path.stat().st_size
            assert size < DOCS_MAX_BYTES, f"{path.name}: {size} bytes, over {DOCS_MAX_BYTES}"
            shutil.copyfile(path, DOCS_PICTURES[key])
