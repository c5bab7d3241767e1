"""Exercise notebooks: the student version, grading with nbval, and a student self-check.

Three commands (each also ``python -m minigrad.grading.<name>``)::

    minigrad-assign SOURCE.ipynb --out DIR          # DIR/student/ and DIR/reference/
    minigrad-grade REFERENCE.ipynb SUBMISSIONS/ --out DIR [--timeout S] [--jobs N]
    minigrad-check NOTEBOOK.ipynb [--reference PATH] [--timeout S]

The format is nbgrader's, so a course can move to nbgrader unchanged. Each graded cell carries
``cell.metadata.nbgrader``::

    answer cell:  {"grade_id": "ex1-vjp", "solution": true, "grade": false, "locked": false,
                   "schema_version": 3, "task": false}
    check cell:   {"grade_id": "ex1-vjp-check", "solution": false, "grade": true, "points": 2,
                   "locked": true, "schema_version": 3, "task": false}

- An exercise is one code cell with ``solution: true``; its ``grade_id`` is the exercise id.
  The ``grade: true`` code cells after it (up to the next answer cell) are its checks: asserts.
- ``grade_id`` is unique over the notebook (as nbgrader requires); a check cell's ``points``
  add up to the exercise's points. The exercise earns all of them when its answer cell and all
  its checks run without error, none otherwise. (nbgrader would score each check cell on its
  own; with one check cell per exercise the two agree.)
- In the answer cell, the solution sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION``
  lines; the student version replaces each such region by ``# YOUR CODE HERE`` /
  ``raise NotImplementedError()`` at the same indentation (an answer cell without the markers is
  replaced whole). Lines between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS`` in a
  check cell are left out of the student version but run when grading. Markdown answer cells
  (written answers) are stubbed with ``YOUR ANSWER HERE`` and not graded automatically.

Grading takes, from each submission, only the source of its answer cells, matched by
``grade_id`` (not by position): every other cell, checks included, is the reference's, so an
edited check changes nothing (the feedback says so), and a missing answer cell scores 0. The
merged notebook runs under ``pytest --nbval-lax --nbval-current-env --nbval-cell-timeout S``
in a separate process and kernel (the current environment's ipykernel); a cell that runs past
the limit is interrupted and fails, and the cells after it still run. nbval's per-cell results
are read from its JUnit XML report (``_nbval_plugin`` adds each cell's error there).

Submission code runs with the grader's permissions, as with nbgrader: grade in a sandbox
(container, throw-away account) when the submissions are not trusted.

Nothing here is imported by ``import minigrad``; the Jupyter libraries (nbformat, nbclient,
nbval, ipykernel) are imported only when a command runs. Install them with the ``grading``
extra: ``pip install -e '.[grading]'``.
"""
