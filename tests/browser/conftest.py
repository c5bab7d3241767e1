"""Fixtures of the browser tests: one throw-away JupyterLab server and one headless Chromium
for the whole session, a fresh page (and, after it, no kernel left) for each test, and the
folder of screenshots that the run prints at its end.

The tests need Debian's Chromium (``apt-get install chromium``; another Chromium or Chrome:
``MINIGRAD_CHROMIUM=/path/to/it``), Playwright for Python (``pip install playwright``: its own
browser download is never used) and JupyterLab 4. Where one is missing they are skipped, with
the reason; ``MINIGRAD_REQUIRE_BROWSER=1`` (set by CI) makes that an error instead.
``MINIGRAD_SKIP_BROWSER=1``, or ``-m "not browser"``, leaves them out.
"""
import os
import pathlib
import time

import pytest

from kernel_log import KernelLog
from lab_server import LabServer, descendants, processes

ROOT = pathlib.Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
CHROMIUM = os.environ.get("MINIGRAD_CHROMIUM", "/usr/bin/chromium")
# headless, and quiet: no request of Chromium's own (updates, sync, field trials) leaves the machine
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
VIEWPORT = {"width": 1280, "height": 900}
ACTION_TIMEOUT = 30_000  # ms: any single click or wait of Playwright's

_SCREENSHOTS = pytest.StashKey()
_FAILED = pytest.StashKey()


def missing_requirement():
    """Why the browser tests cannot run on this machine (None when they can)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"no Chromium at {CHROMIUM} (on Debian: apt-get install chromium; or set "
                f"MINIGRAD_CHROMIUM to a Chromium or Chrome executable)")
    for module, install in (("playwright.sync_api", "pip install playwright"),
                            ("jupyterlab", "pip install 'jupyterlab>=4'"),
                            ("notebook", "pip install 'notebook>=7'")):
        try:
            __import__(module)
        except ImportError:
            return f"{module.split('.')[0]} is not installed ({install})"
    return None


@pytest.fixture(scope="session")
def browser_requirements():
    """Skip (or, with MINIGRAD_REQUIRE_BROWSER=1, fail) when the tests cannot run here."""
    if os.environ.get("MINIGRAD_SKIP_BROWSER") == "1":
        pytest.skip("browser tests left out: MINIGRAD_SKIP_BROWSER=1")
    reason = missing_requirement()
    if reason and os.environ.get("MINIGRAD_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests required (MINIGRAD_REQUIRE_BROWSER=1) but {reason}")
    if reason:
        pytest.skip(reason)


@pytest.fixture(scope="session")
def lab(browser_requirements, tmp_path_factory):
    """The JupyterLab server, on a temporary copy of notebooks/; shut down at the end, with
    an error if it leaves a process behind."""
    server = LabServer(NOTEBOOKS, tmp_path_factory.mktemp("jupyterlab")).start()
    yield server
    left = server.stop()
    if left:
        pytest.fail(f"JupyterLab left processes behind (now killed): {left}; its log:\n"
                    f"{server.log(2000)}")


@pytest.fixture(scope="session")
def chromium(browser_requirements, tmp_path_factory):
    """A headless Chromium (a browser context on a fresh profile), driven by Playwright; closed
    at the end, with an error if one of its processes outlives it."""
    from playwright.sync_api import sync_playwright

    before = set(descendants(os.getpid()))
    playwright = sync_playwright().start()
    try:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=CHROMIUM,
            headless=True, args=CHROMIUM_ARGS, viewport=VIEWPORT, timeout=60_000)
    except Exception as error:
        playwright.stop()
        raise RuntimeError(f"Chromium ({CHROMIUM}) did not start under Playwright: {error}")
    started = {pid: cmd for pid, cmd in descendants(os.getpid()).items() if pid not in before}
    yield context
    for pid in list(started):  # with the renderers started since
        started.update(descendants(pid))
    context.close()
    playwright.stop()
    time.sleep(0.5)
    alive = processes()  # an orphan leaves our tree: look at every process
    left = {pid: cmd for pid, cmd in started.items() if pid in alive and alive[pid][1] == cmd}
    for pid in left:
        os.kill(pid, 9)
    if left:
        pytest.fail(f"Chromium or Playwright left processes behind (now killed): {left}")


@pytest.fixture(scope="session")
def screenshots(request, tmp_path_factory):
    """The folder of this run's screenshots (printed at the end of the run)."""
    folder = tmp_path_factory.mktemp("lesson-screenshots")
    request.config.stash[_SCREENSHOTS] = folder
    return folder


@pytest.fixture
def page(chromium, lab, screenshots, request):
    """A new page; after the test (a screenshot first if it failed) it is closed and every
    kernel is shut down, so each test starts its notebook on a fresh kernel."""
    page = chromium.new_page()
    page.set_default_timeout(ACTION_TIMEOUT)
    yield page
    if request.node.stash.get(_FAILED, False):
        try:
            page.screenshot(path=str(screenshots / f"FAILED-{request.node.name}.png"))
        except Exception:  # noqa: BLE001  (a picture of a failure must not hide the failure)
            pass
    page.close()
    lab.shut_down_kernels()


@pytest.fixture
def kernel_log(page, lab):
    """The errors the page's kernels report (see kernel_log.KernelLog)."""
    return KernelLog(page, lab.log_path)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call" and report.failed:
        item.stash[_FAILED] = True


def pytest_terminal_summary(terminalreporter, config):
    folder = config.stash.get(_SCREENSHOTS, None)
    if folder is not None:
        terminalreporter.write_sep("-", "browser tests")
        terminalreporter.write_line(f"screenshots of the lessons after Run All Cells: {folder}")
