#!/usr/bin/env bash
# Set up (first run) and open the lessons in JupyterLab.
. "$(dirname "$0")/_setup.sh" lessons
exec python -m jupyterlab notebooks/ "$@"
