"""Driving a notebook in JupyterLab (or Notebook 7) as a reader does, and checking what it shows.

Each check raises AssertionError with a message that starts with ``lesson <notebook>:`` and
names the widget (``BackwardStepper 'next'``, ``Explorer slider 'a'``) and what went wrong, with
the error the widget or the kernel reported. Widgets are found by the stable CSS classes they
carry (``minigrad-stepper-*``, ``minigrad-explorer-*``), never by the lessons' wording.
"""
import base64
import json
import re
import time
import urllib.parse

OPEN_TIMEOUT = 90  # s: page, extensions and a kernel start (5 s here, more on a busy machine)
RUN_TIMEOUT = 180  # s: every lesson runs in under 30 s on a fresh kernel
WIDGET_TIMEOUT = 20  # s: a widget answers a click in well under a second
# what a stepper's step must never say: it shows the graph as it was when it was made, even
# after later cells ran backward() (which frees the saved tensors)
BANNERS = ("freed", "no longer kept", "unavailable")

CODE_PROMPTS = ".jp-Notebook .jp-CodeCell .jp-InputArea-prompt"
# JupyterLab shows an error as stderr text: IPython's traceback, or a SyntaxError's "Cell In[n]"
STDERR = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
ERROR_TEXT = re.compile(r"Traceback \(most recent call last\)|^\s*Cell In\[\d+\], line \d+",
                        re.M)
# (the names of the features a lesson's code uses, the patterns that show it uses them)
FEATURES = {
    "graph": re.compile(r"\b(draw_graph|side_by_side)\("),
    "figure": re.compile(r"\b(jacobian_figure|jvp_figure|broadcast_figure)\(|\bplt\."),
    "stepper": re.compile(r"\bBackwardStepper\("),
    "explorer": re.compile(r"\bExplorer\("),
}


def features(path):
    """The features (``FEATURES``' names) that the code cells of the notebook at ``path`` use,
    comments left out."""
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    code = re.sub(r"#[^\n]*", "", code)
    return {name for name, pattern in FEATURES.items() if pattern.search(code)}


def _wait(page, condition, timeout, interval=0.2):
    """Poll ``condition()`` (letting the page's events run in between) until it is truthy;
    return its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() > deadline:
            return value
        page.wait_for_timeout(interval * 1000)


def _prompts(page):
    return page.eval_on_selector_all(CODE_PROMPTS, "ps => ps.map(p => p.textContent.trim())")


def _kernel_idle(page):
    """True when every kernel indicator of the page (toolbar, status bar) says idle."""
    return page.eval_on_selector_all(
        ".jp-Notebook-ExecutionIndicator",
        "es => es.length > 0 && es.every(e => e.dataset.status === 'idle')")


def _kernel_connected(server, lesson):
    """True when the server has a session for ``lesson`` whose kernel is idle with the page
    connected to it."""
    for session in server.api("GET", "/api/sessions") or ():
        kernel = session.get("kernel") or {}
        if (session.get("path") == lesson and kernel.get("execution_state") == "idle"
                and kernel.get("connections", 0) >= 1):
            return True
    return False


def _dialog(page):
    """The text of an open dialog (a kernel choice, an error), or ''."""
    dialogs = page.locator(".jp-Dialog")
    return dialogs.first.inner_text().strip() if dialogs.count() else ""


def open_notebook(page, server, lesson, ui="lab"):
    """Open ``lesson`` in the interface ``ui`` and wait for its cells and an idle kernel that
    the page is connected to (the page's kernel indicator says idle before a kernel even
    exists: it alone is not enough)."""
    page.goto(server.page_url(lesson, ui), timeout=OPEN_TIMEOUT * 1000)
    page.wait_for_selector(CODE_PROMPTS, timeout=OPEN_TIMEOUT * 1000)
    ready = _wait(page, lambda: _dialog(page) or (_kernel_connected(server, lesson)
                                                  and _kernel_idle(page)), OPEN_TIMEOUT)
    if not ready:
        raise AssertionError(f"lesson {lesson}: no idle kernel connected to the page "
                             f"{OPEN_TIMEOUT} s after the notebook opened; the server's log:\n"
                             f"{server.log(2000)}")
    if _dialog(page):
        raise AssertionError(f"lesson {lesson}: a dialog opened with the notebook: "
                             f"{_dialog(page)!r}")


def _menu(page, *path):
    """Click ``menu`` > ``item`` (> ``subitem``...) in the menu bar."""
    for name in path:  # by label: a submenu's item has no menuitem role
        page.locator(".lm-MenuBar-itemLabel, .lm-Menu-itemLabel").filter(
            has_text=re.compile(rf"^{re.escape(name)}$")).first.click()


def hide_left_sidebar(page):
    """View > Appearance > Show Left Sidebar (a toggle: it is shown when a page opens)."""
    _menu(page, "View", "Appearance", "Show Left Sidebar")


def _errors_shown(page):
    """The texts of the error outputs (tracebacks) in the notebook."""
    return [t for t in page.locator(STDERR).all_inner_texts() if ERROR_TEXT.search(t)]


def run_all(page, lesson, log):
    """Edit > Clear Outputs of All Cells, then Run > Run All Cells; wait until every code cell
    has an execution count and the kernel is idle (AssertionError, with the error shown, when
    a cell raises and the run stops there)."""
    _menu(page, "Edit", "Clear Outputs of All Cells")

    def stale():
        return [p for p in _prompts(page) if p != "[ ]:"]

    if not _wait(page, lambda: not stale(), WIDGET_TIMEOUT):
        raise AssertionError(f"lesson {lesson}: clearing the outputs left the prompts "
                             f"{stale()[:5]}")
    mark = log.mark()
    _menu(page, "Run", "Run All Cells")

    def over():
        """True once the run has ended: some cell has run, none is queued or running, and the
        kernel is idle (a cell that raises stops the run: the cells after it keep "[ ]:")."""
        prompts = _prompts(page)
        ran = any(re.fullmatch(r"\[\d+\]:", p) for p in prompts)
        return _dialog(page) or (ran and "[*]:" not in prompts and _kernel_idle(page))

    _wait(page, over, RUN_TIMEOUT, interval=0.25)
    if _dialog(page):
        raise AssertionError(f"lesson {lesson}: a dialog opened during Run All Cells: "
                             f"{_dialog(page)!r}")
    prompts = _prompts(page)
    waiting = [i + 1 for i, p in enumerate(prompts) if not re.fullmatch(r"\[\d+\]:", p)]
    if waiting and not over():
        raise AssertionError(f"lesson {lesson}: Run All Cells did not finish within "
                             f"{RUN_TIMEOUT} s: code cells {waiting[:10]} show "
                             f"{[prompts[i - 1] for i in waiting[:10]]}")
    raised = log.since(mark, "a cell")
    shown = _errors_shown(page)
    if waiting or raised or shown:
        where = (f"stopped before code cell {waiting[0]} of {len(prompts)}" if waiting
                 else "ran, but a cell raised")
        raise AssertionError(f"lesson {lesson}: Run All Cells {where}: "
                             f"{'; '.join(raised) or 'no error reported by the kernel'}"
                             + (f"; the traceback shown:\n{shown[0][-1500:]}" if shown else ""))
    return len(prompts)


def run_code(page, lesson, code):
    """Add a code cell holding ``code`` at the end of the notebook and run it."""
    page.locator(".jp-Notebook .jp-Cell").last.locator(".jp-InputPrompt").click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")  # command mode: insert a cell below, and select it
    page.keyboard.press("Enter")  # edit it
    page.keyboard.insert_text(code)  # as a paste: no auto-indent or auto-closed brackets
    page.keyboard.press("Control+Enter")  # run it, adding no cell after it

    def finished():
        return re.fullmatch(r"\[\d+\]:", _prompts(page)[-1]) and _kernel_idle(page)

    if not _wait(page, finished, WIDGET_TIMEOUT):
        raise AssertionError(f"lesson {lesson}: the added cell did not run within "
                             f"{WIDGET_TIMEOUT} s")


def check_outputs(page, lesson, expected):
    """No error output (a traceback), no widget that failed to display; and, for each
    of ``expected`` ("graph", "figure", "stepper", "explorer"), at least one rendered."""
    errors = _errors_shown(page)
    if errors:
        raise AssertionError(f"lesson {lesson}: {len(errors)} output(s) show an error; the "
                             f"first:\n{errors[0][-1500:]}")
    broken = page.get_by_text("Error displaying widget")
    if broken.count():
        raise AssertionError(f"lesson {lesson}: a widget did not display: "
                             f"{broken.first.inner_text()[:500]}")
    what = {"graph": "a graph SVG (draw_graph)", "figure": "a matplotlib figure",
            "stepper": "a BackwardStepper", "explorer": "an Explorer"}

    def shown():
        """{feature: how many are shown (for pictures: rendered, a non-empty image)}."""
        images = page.eval_on_selector_all(
            ".jp-Notebook .jp-Cell-outputArea img",
            """imgs => imgs.filter(i => !i.closest('.jupyter-widgets')).map(i => {
                   const src = i.getAttribute('src') || '';
                   return {kind: src.startsWith('data:image/svg+xml') ? 'graph'
                                 : src.startsWith('data:image/png') ? 'figure' : '',
                           ok: i.complete && i.naturalWidth > 0}; })""")
        found = {name: sum(1 for i in images if i["kind"] == name and i["ok"])
                 for name in ("graph", "figure")}
        found["stepper"] = page.locator(".minigrad-stepper-widget").count()
        found["explorer"] = page.locator(".minigrad-explorer-widget").count()
        return found

    def complete():
        found = shown()
        return found if all(found[name] for name in expected) else None

    # widgets and images render a moment after the kernel has sent them
    found = _wait(page, complete, WIDGET_TIMEOUT) or shown()
    missing = [what[name] for name in sorted(expected) if not found[name]]
    if missing:
        raise AssertionError(f"lesson {lesson}: its code makes {' and '.join(missing)} but "
                             f"none is shown (rendered: {found})")
    return found


def _svg_of(img_src):
    """The SVG text of a ``data:image/svg+xml`` address (percent- or base64-encoded)."""
    head, _, data = img_src.partition(",")
    if head.endswith(";base64"):
        return base64.b64decode(data).decode("utf-8", "replace")
    return urllib.parse.unquote(data)


def highlighted_node(svg):
    """The node drawn as current (graphviz class ``current``) as ``<id>: <first label line>``,
    or None."""
    found = re.search(r'<g id="[^"]*" class="node[^"]*\bcurrent\b[^"]*">(.*?)</g>', svg, re.S)
    if found is None:
        return None
    title = re.search(r"<title>(.*?)</title>", found.group(1), re.S)
    texts = re.findall(r"<text[^>]*>(.*?)</text>", found.group(1), re.S)
    return f"{title.group(1) if title else '?'}: {texts[0] if texts else ''}"


def _widget_state(widget, kind):
    """What a stepper or explorer shows: counter, info text, error box, highlighted node."""
    state = widget.evaluate(
        """(w, kind) => {
            const text = part => {
                const e = w.querySelector(`.minigrad-${kind}-${part}`);
                return e ? e.innerText.trim() : '';
            };
            const img = w.querySelector(`.minigrad-${kind}-picture img`);
            return {counter: text('counter'), info: text('info'), error: text('error'),
                    svg: img ? img.getAttribute('src') : null};
        }""", kind)
    state["node"] = highlighted_node(_svg_of(state["svg"])) if state["svg"] else None
    return state


def _why(state, log, mark):
    """The error to quote in a failure: the widget's own error box, else the kernel's."""
    if state["error"]:
        return f"the widget shows: {state['error']}"
    kernel = log.since(mark)
    if kernel:
        return "the kernel reported: " + "; ".join(kernel)
    return "no error was shown in the widget or reported by the kernel"


def check_stepper(page, lesson, log, index=0):
    """Click the ``index``-th stepper's "next": the counter, the highlighted node and the
    numbers shown must all change, with no error in the widget or the kernel."""
    widget = page.locator(".minigrad-stepper-widget").nth(index)
    widget.scroll_into_view_if_needed()
    name = f"lesson {lesson}: BackwardStepper 'next'"
    before = _widget_state(widget, "stepper")
    if before["error"]:
        raise AssertionError(f"lesson {lesson}: BackwardStepper shows an error before any "
                             f"click: {before['error']}")
    if before["node"] is None:
        raise AssertionError(f"lesson {lesson}: BackwardStepper's graph shows no highlighted "
                             f"node (counter {before['counter']!r})")
    step, _, count = before["counter"].partition(" / ")
    if not count or int(count) < 2:
        raise AssertionError(f"lesson {lesson}: BackwardStepper has no next step to show "
                             f"(counter {before['counter']!r})")
    if int(step) == int(count):  # the lesson left it on the last step: one step back first
        last = before
        widget.locator(".minigrad-stepper-previous").click()

        def back():
            now = _widget_state(widget, "stepper")
            moved = now["counter"] != last["counter"] and now["node"] not in (None, last["node"])
            return now if moved else None

        before = _wait(page, back, WIDGET_TIMEOUT)
        if not before:
            raise AssertionError(f"lesson {lesson}: BackwardStepper 'previous' did not go "
                                 f"back from the last step {last['counter']!r}")
    mark = log.mark()
    widget.locator(".minigrad-stepper-next").click()

    def moved():
        now = _widget_state(widget, "stepper")
        changed = (now["counter"] != before["counter"] and now["info"] != before["info"]
                   and now["node"] is not None and now["node"] != before["node"])
        return now if changed or now["error"] or log.since(mark) else None

    after = _wait(page, moved, WIDGET_TIMEOUT) or _widget_state(widget, "stepper")
    if after["counter"] == before["counter"]:
        raise AssertionError(f"{name} did not advance (the counter stays at "
                             f"{before['counter']!r}): {_why(after, log, mark)}")
    if after["error"]:
        raise AssertionError(f"{name} went to step {after['counter']!r} but shows an error: "
                             f"{after['error']}")
    if after["node"] is None or after["node"] == before["node"]:
        raise AssertionError(f"{name} did not move the highlighted node (before: "
                             f"{before['node']!r}, after: {after['node']!r}): "
                             f"{_why(after, log, mark)}")
    if after["info"] == before["info"]:
        raise AssertionError(f"{name} did not change the numbers shown: "
                             f"{_why(after, log, mark)}")
    kernel = log.since(mark)
    if kernel:
        raise AssertionError(f"{name} advanced but the kernel reported: {'; '.join(kernel)}")
    svg = _svg_of(after["svg"]) if after["svg"] else ""
    shown = [b for b in BANNERS if b in after["info"] or b in svg]
    if shown:
        raise AssertionError(f"{name} went to step {after['counter']!r}, which says "
                             f"{' and '.join(map(repr, shown))}: a step must show the graph as "
                             "it was when the stepper was made")
    return before, after


def _explorer_out(info):
    """The value after ``out`` in the explorer's table (its first row)."""
    first = info.splitlines()[0] if info else ""
    return first.partition("out")[2].strip() if first.startswith("out") else None


def check_explorer(page, lesson, log, index=0):
    """Move the first slider of the ``index``-th explorer one step with the keyboard: the
    output value shown must change, with no error in the widget or the kernel."""
    widget = page.locator(".minigrad-explorer-widget").nth(index)
    slider = widget.locator(".minigrad-explorer-slider").first
    slider.scroll_into_view_if_needed()
    label = slider.locator(".widget-label").first.inner_text().strip()
    name = f"lesson {lesson}: Explorer slider {label!r}"
    handle = slider.locator("[role=slider]")
    before = _widget_state(widget, "explorer")
    before["out"] = _explorer_out(before["info"])
    if before["error"] or before["out"] is None:
        raise AssertionError(f"lesson {lesson}: Explorer shows no output value before any "
                             f"change: {before['error'] or before['info']!r}")
    value = float(handle.get_attribute("aria-valuenow"))
    key = "ArrowLeft" if value >= float(handle.get_attribute("aria-valuemax")) else "ArrowRight"
    mark = log.mark()
    handle.focus()
    page.keyboard.press(key)
    moved_to = _wait(page, lambda: float(handle.get_attribute("aria-valuenow")) != value and
                     handle.get_attribute("aria-valuenow"), WIDGET_TIMEOUT)
    if not moved_to:
        raise AssertionError(f"{name} did not move on {key} (stays at {value})")

    def changed():
        now = _widget_state(widget, "explorer")
        now["out"] = _explorer_out(now["info"])
        done = now["out"] is not None and now["out"] != before["out"]
        return now if done or now["error"] or log.since(mark) else None

    after = _wait(page, changed, WIDGET_TIMEOUT)
    if not after:
        after = _widget_state(widget, "explorer")
        after["out"] = _explorer_out(after["info"])
    if after["error"] or after["out"] is None:
        raise AssertionError(f"{name} moved {value} -> {moved_to} but the output value is "
                             f"gone: {_why(after, log, mark)}")
    if after["out"] == before["out"]:
        raise AssertionError(f"{name} moved {value} -> {moved_to} but the output value stays "
                             f"at {before['out']!r}: {_why(after, log, mark)}")
    kernel = log.since(mark)
    if kernel:
        raise AssertionError(f"{name} changed the output but the kernel reported: "
                             f"{'; '.join(kernel)}")
    return before, after


def _tall_window(page, height, max_height=16000):
    """Make the window ``height`` pixels tall (at least its height now, at most
    ``max_height``); return the size to put back."""
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"],
                            "height": int(min(max_height, max(size["height"], height)))})
    page.wait_for_timeout(500)  # the layout follows the new size
    return size


def screenshot_notebook(page, path):
    """A picture of the whole notebook, from its first cell: the window made tall enough to
    show every cell (an element inside a scrolled panel cannot be pictured past the window)."""
    scroller = """() => { const n = document.querySelector('.jp-Notebook');
                          return n.querySelector('.jp-WindowedPanel-outer') || n; }"""
    extra = page.evaluate(f"() => {{ const s = ({scroller})(); "
                          "return s.scrollHeight - s.clientHeight; }")
    size = _tall_window(page, page.viewport_size["height"] + extra)
    page.evaluate(f"() => {{ ({scroller})().scrollTop = 0; }}")
    page.wait_for_timeout(300)
    page.screenshot(path=str(path))
    page.set_viewport_size(size)


def screenshot_cell(page, cell, path):
    """A picture of one cell (input and output), the window made tall enough to hold it."""
    size = _tall_window(page, cell.bounding_box()["height"] + 200)
    cell.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    cell.screenshot(path=str(path))
    page.set_viewport_size(size)
