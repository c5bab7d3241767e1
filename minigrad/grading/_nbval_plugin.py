"""A pytest plugin, loaded next to nbval, that puts each cell's outcome and error in the JUnit XML.

nbval's JUnit entries say only "Cell N" and a formatted failure text; this adds the call outcome,
nbval's reason ("Timeout of 10 seconds exceeded ...") and the cell's error (ename, evalue,
traceback) as <property> elements of the cell's <testcase>, so they can be read back exactly.
"""
import re

import pytest

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")  # IPython colours its tracebacks; XML can't hold ESC


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """After a notebook cell's call phase: record its outcome and error as user properties."""
    outcome = yield
    if call.when != "call" or not hasattr(item, "cell_num"):
        return
    report = outcome.get_result()
    props = item.user_properties  # copied into the teardown report, which JUnit XML writes
    props.append(("outcome", report.outcome))
    if call.excinfo is not None:
        reason = str(call.excinfo.value).strip()
        props.append(("reason", _ANSI.sub("", reason.splitlines()[0] if reason else
                                          call.excinfo.typename)))
    for out in getattr(item, "test_outputs", None) or []:
        if out.get("output_type") == "error":
            props.append(("ename", out.get("ename", "")))
            props.append(("evalue", _ANSI.sub("", out.get("evalue", ""))))
            props.append(("traceback", _ANSI.sub("", "\n".join(out.get("traceback", [])))))
            break
