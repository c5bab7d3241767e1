"""Running a notebook: nbval in a separate pytest process (grading), nbclient (the reference).

nbval runs every code cell in one fresh kernel, as one test per cell, with a per-cell timeout
after which it interrupts the kernel and goes on with the next cell. Its JUnit XML report (with
the properties our plugin adds) gives one result per code cell.
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ._cli import GradingError

PASSED, FAILED, TIMEOUT, NOT_RUN = "passed", "failed", "timeout", "not run"
_KERNEL_STARTUP = 60  # seconds nbval waits for a kernel to start
_SLACK = 15           # per cell: nbval's own waits (interrupt, output flush) beyond the timeout


@dataclass
class CellResult:
    """What happened to one code cell: status, a one-line message, the plain-text traceback."""
    status: str
    message: str = ""
    traceback: str = ""


def _package_root():
    return str(Path(__file__).resolve().parents[2])


def _pytest_command(notebook, junit, cell_timeout):
    return [sys.executable, "-m", "pytest", "-q", "--color=no", "-p", "no:cacheprovider",
            "-p", "nbval.plugin", "-p", "minigrad.grading._nbval_plugin",
            "-c", "pytest.ini", "--rootdir", ".",
            "--nbval-lax", "--nbval-current-env",
            "--nbval-cell-timeout", f"{cell_timeout:g}",
            # nbval marks every cell after a timeout as xfail, which would hide its real result
            "--runxfail",
            f"--junitxml={junit}", str(notebook)]


def _environment():
    env = dict(os.environ)
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"  # only nbval and ours: fast and isolated
    # The grading process and the kernel import this same minigrad.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [_package_root(), env.get("PYTHONPATH")]))
    return env


def run_cells(nb, cell_timeout):
    """Run the notebook under nbval in a subprocess; {cell index: CellResult} for its code cells."""
    import nbformat
    code_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code"]
    limit = _KERNEL_STARTUP + len(code_cells) * (cell_timeout + _SLACK)
    # The kernel's working folder, so what a submission writes there goes away with it.
    with tempfile.TemporaryDirectory(prefix="minigrad-grade-", ignore_cleanup_errors=True) as tmp:
        tmp = Path(tmp)
        nbformat.write(nb, str(tmp / "notebook.ipynb"))
        (tmp / "pytest.ini").write_text("[pytest]\n")  # keeps any project's pytest settings out
        cmd = _pytest_command("notebook.ipynb", "cells.xml", cell_timeout)
        # Same process group as ours: Ctrl-C stops the runs too.
        proc = subprocess.Popen(cmd, cwd=tmp, env=_environment(), stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            log, _ = proc.communicate(timeout=limit)
        except subprocess.TimeoutExpired:
            proc.kill()  # its kernel notices that its parent is gone, and exits
            proc.communicate()
            why = f"the notebook's run was stopped after {limit:g} s in all"
            return {i: CellResult(NOT_RUN, why) for i in code_cells}
        junit = tmp / "cells.xml"
        if not junit.is_file():
            last = (log.strip().splitlines() or ["no output"])[-1]
            raise GradingError(f"nbval did not run (pytest exit code {proc.returncode}): {last}")
        by_number = _parse_junit(junit)
    results = {}
    for number, index in enumerate(code_cells):
        results[index] = by_number.get(number, CellResult(NOT_RUN, "nbval did not run this cell"))
    return results


def _parse_junit(path):
    """{code-cell number: CellResult} from nbval's JUnit XML with our plugin's properties."""
    results = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = case.get("name", "")
        if not name.startswith("Cell "):
            continue
        props = {p.get("name"): p.get("value", "") for p in case.iter("property")}
        results[int(name[5:])] = _cell_result(props, case)
    return results


def _cell_result(props, case):
    outcome, reason = props.get("outcome"), props.get("reason", "")
    error = f"{props['ename']}: {props['evalue']}" if props.get("ename") else ""
    if error.endswith(": "):
        error = error[:-2]
    tb = props.get("traceback", "")
    if outcome == PASSED:
        return CellResult(PASSED)
    if outcome == "skipped":
        return CellResult(NOT_RUN, "skipped")
    if outcome == FAILED:
        if reason.startswith("Timeout of"):
            return CellResult(TIMEOUT, reason)
        if "Kernel dead" in reason:
            return CellResult(NOT_RUN, "the kernel had stopped before this cell")
        if reason.startswith("Cell outputs differ"):
            failure = case.find("failure")
            text = failure.text if failure is not None and failure.text else ""
            return CellResult(FAILED, "its output differs from the reference's", text)
        return CellResult(FAILED, error or reason, tb)
    return CellResult(NOT_RUN, "nbval did not run this cell")


def _current_env_kernel():
    """A kernel manager for this interpreter's ipykernel (not what 'python3' names elsewhere)."""
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpecManager
    from jupyter_client.manager import KernelManager

    class CurrentEnv(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            return self.kernel_spec_class(resource_dir=RESOURCES, **get_kernel_dict())

    return KernelManager(kernel_name="python3", kernel_spec_manager=CurrentEnv())


def execute(nb, cwd, cell_timeout, name="notebook"):
    """A copy of the notebook with every cell executed in order (outputs stored) with nbclient.

    GradingError if a cell fails or runs too long: a reference must pass its own checks.
    """
    import copy

    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from ._notebook import nbgrader
    nb = copy.deepcopy(nb)
    client = NotebookClient(nb, km=_current_env_kernel(), timeout=cell_timeout,
                            record_timing=False, resources={"metadata": {"path": str(cwd)}})
    try:
        client.execute(stderr=subprocess.DEVNULL)  # the kernel's own warnings are noise here
    except CellTimeoutError:
        raise GradingError(f"{name}: a cell ran longer than {cell_timeout:g} s") from None
    except DeadKernelError:
        raise GradingError(f"{name}: the kernel died while running the notebook") from None
    except CellExecutionError:
        for i, cell in enumerate(nb.cells):
            for out in cell.get("outputs", []):
                if out.get("output_type") == "error":
                    where = nbgrader(cell).get("grade_id") or f"cell {i + 1}"
                    raise GradingError(f"{name}: {where} fails in the reference: "
                                       f"{out['ename']}: {out['evalue']}") from None
        raise GradingError(f"{name}: a cell failed in the reference") from None
    return nb
