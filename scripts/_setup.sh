# Shared by lessons.sh and test.sh: make (or reuse) the virtual environment and install the
# project into it with the given extra. Sourced, not run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON=${PYTHON:-python3}
VENV=${MINIGRAD_VENV:-.venv}

if [ -n "${CONDA_PREFIX:-}" ] && [ "${MINIGRAD_USE_CONDA:-0}" = 1 ]; then
    echo "minigrad: using the active conda environment ($CONDA_PREFIX)"
else
    if [ ! -x "$VENV/bin/python" ]; then
        echo "minigrad: creating the virtual environment $VENV"
        "$PYTHON" -m venv "$VENV"
    fi
    # shellcheck disable=SC1091
    . "$VENV/bin/activate"
fi

python -m pip install --quiet --upgrade pip
python -m pip install --quiet -e ".[$1]"
