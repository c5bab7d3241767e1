#!/usr/bin/env bash
# Set up (first run) and run the whole test suite. Arguments go to pytest, except
# --no-system-packages (or MINIGRAD_NO_SYSTEM_PACKAGES=1): install no system packages.
args=()
for arg in "$@"; do
    if [ "$arg" = --no-system-packages ]; then
        export MINIGRAD_NO_SYSTEM_PACKAGES=1
    else
        args+=("$arg")
    fi
done

MINIGRAD_EXTRA=test . "$(dirname "$0")/_setup.sh"
. "$ROOT/scripts/_system_packages.sh"
cd "$ROOT"

# PyTorch is the reference of the parity tests (CPU build; pinned so every run compares alike).
torch_version=$(python -c 'import importlib.metadata as m; print(m.version("torch").split("+")[0])' \
                2>/dev/null || true)
if [ "$torch_version" != 2.13.0 ]; then
    say "installing PyTorch 2.13.0, the reference of the parity tests (pip install torch==2.13.0)"
    python -m pip install --quiet "torch==2.13.0"
fi

# System packages, installed where we may (root with apt-get, as on CI): Playwright comes with the
# test extra, but `playwright install` is never run: the browser comes from the system.
# MINIGRAD_SKIP_BROWSER=1 leaves the browser tests, and Chromium, out.
if [ "${MINIGRAD_SKIP_BROWSER:-0}" = 1 ]; then
    system_packages --skip-browser
else
    system_packages
    if [ "${MINIGRAD_REQUIRE_BROWSER:-0}" = 1 ] && [ ! -x "${MINIGRAD_CHROMIUM:-/usr/bin/chromium}" ]; then
        say "MINIGRAD_REQUIRE_BROWSER=1 but there is no browser at ${MINIGRAD_CHROMIUM:-/usr/bin/chromium}" >&2
        exit 1
    fi
fi

exec python -m pytest ${args[@]+"${args[@]}"}
