#!/usr/bin/env bash
# Set up (first run) and open the lessons in JupyterLab. Arguments go to JupyterLab
# (e.g. --no-browser --port 8890).
MINIGRAD_EXTRA=lessons . "$(dirname "$0")/_setup.sh"
cd "$ROOT"

# JupyterLab refuses to start as root unless told to (containers, CI, many cloud machines).
as_root=()
if [ "$(id -u)" = 0 ]; then
    say "running as root: starting JupyterLab with --allow-root"
    as_root=(--allow-root)
fi
exec python -m jupyterlab ${as_root[@]+"${as_root[@]}"} notebooks/ "$@"
