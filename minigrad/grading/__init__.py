"""Exercise sheets: the student release, grading that holds against hostile submissions, and a
student self-check.

Three commands (each also ``python -m minigrad.grading.<name>``)::

    minigrad-assign SHEET.ipynb --out DIR            # DIR/student/SHEET.ipynb, the release
    minigrad-grade SHEET.ipynb SUBMISSIONS/ --out DIR [--jobs N] [--shard I/N] [--require-sandbox]
    minigrad-grade merge SHEET.ipynb PART/... --out DIR
    minigrad-check NOTEBOOK.ipynb                    # from the release alone

The cell metadata is nbgrader's (answer cells ``solution: true``, check cells ``grade: true``
with ``points``). The rule is another: **the kernel produces, the grader judges**. A check cell
calls :func:`minigrad.grading.checks.check` to send values (JSON data over the kernel's message
channel); the grading process compares them with the values the source sheet's own solution sent
from a separate kernel. Expected values, hidden checks and the sheet never enter a student's
kernel; each kernel runs in a bubblewrap sandbox with resource limits (:mod:`._sandbox`).
notebooks/exercises/README.md describes the format, the sandbox and what it does not cover.

The modules, in layers: ``checks`` (in the kernel, standard library only), ``_notebook`` (the
format, and reading untrusted files), ``_sandbox`` and ``_launch`` (where a kernel runs),
``_run`` (driving a kernel with jupyter_client), ``_compare`` (judging values), ``_report``
(scores, feedback, safe output files), and the commands ``assign``, ``grade``, ``check``.

Nothing here is imported by ``import minigrad``; the Jupyter libraries (nbformat, jupyter_client,
pyzmq, ipykernel) are imported only when a command runs. Install them with the ``grading``
extra: ``pip install -e '.[grading]'``.
"""
