# Shared by lessons.sh, test.sh and run: make (or reuse) the virtual environment and install the
# project into it with the extra $MINIGRAD_EXTRA, then activate it. Sourced, not run; it leaves
# the current directory as it was and sets ROOT to the repository.
#
# pip runs only when something it depends on changed: a stamp in the environment records a hash
# of pyproject.toml, the extra, the Python version and where the repository is. Code changes need
# no reinstall (the install is editable). MINIGRAD_REINSTALL=1 forces one.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PYTHON=${PYTHON:-python3}
VENV=${MINIGRAD_VENV:-$ROOT/.venv}
EXTRA=${MINIGRAD_EXTRA:?the extra to install (lessons or test)}

say() { echo "minigrad: $*"; }

if [ -n "${CONDA_PREFIX:-}" ] && [ "${MINIGRAD_USE_CONDA:-0}" = 1 ]; then
    say "using the active conda environment ($CONDA_PREFIX)"
else
    if [ ! -x "$VENV/bin/python" ]; then
        if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' 2>/dev/null; then
            say "this needs Python 3.10-3.13, and $PYTHON is not one: install one, or name it" \
                "with PYTHON=/path/to/python3.12" >&2
            exit 1
        fi
        say "creating the virtual environment $VENV (with $("$PYTHON" --version 2>&1))"
        "$PYTHON" -m venv "$VENV"
    fi
    # shellcheck disable=SC1091
    . "$VENV/bin/activate"
fi

_setup_key() {
    python - "$ROOT" "$1" <<'PY'
import hashlib, pathlib, sys
root, extra = sys.argv[1:]
key = hashlib.sha256((pathlib.Path(root) / "pyproject.toml").read_bytes())
key.update(f"\0{extra}\0{sys.version}\0{root}".encode())
print(key.hexdigest())
PY
}

# The stamps live in the environment itself (.venv, or the conda environment): a new one has none.
STAMPS=$(python -c 'import sys; print(sys.prefix)')
_installed() {  # is the extra $1 installed, as pyproject.toml reads now?
    [ "${MINIGRAD_REINSTALL:-0}" != 1 ] && [ -f "$STAMPS/minigrad-setup-$1" ] &&
        [ "$(cat "$STAMPS/minigrad-setup-$1")" = "$(_setup_key "$1")" ]
}

# The test extra includes the lessons extra (pyproject.toml), so either stamp will do for lessons.
if _installed "$EXTRA" || { [ "$EXTRA" = lessons ] && _installed test; }; then
    :
else
    say "installing the project and its '$EXTRA' dependencies into $STAMPS (pip install -e '.[$EXTRA]')"
    python -m pip install --quiet --upgrade pip
    python -m pip install --quiet -e "$ROOT[$EXTRA]"
    _setup_key "$EXTRA" > "$STAMPS/minigrad-setup-$EXTRA"
fi
