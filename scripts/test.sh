#!/usr/bin/env bash
# Set up (first run) and run the whole test suite. Extra arguments go to pytest.
. "$(dirname "$0")/_setup.sh" test

# PyTorch is the reference of the parity tests (CPU build; pinned so every run compares alike).
python -m pip install --quiet "torch==2.13.0"

# System packages, installed where we may (root with apt-get, as on CI); elsewhere the tests
# that need them say why they are skipped. The graphviz `dot` is one of the renderers the graph
# tests exercise; Debian's Chromium is the browser of tests/browser, which drives it with
# Playwright (installed above, in the test extra; `playwright install` is never run: the
# browser comes from apt). MINIGRAD_SKIP_BROWSER=1 leaves the browser tests, and Chromium, out.
missing=()
command -v dot >/dev/null 2>&1 || missing+=(graphviz)
if [ "${MINIGRAD_SKIP_BROWSER:-0}" != 1 ] && [ ! -x "${MINIGRAD_CHROMIUM:-/usr/bin/chromium}" ]; then
    missing+=(chromium)
fi
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "minigrad: installing ${missing[*]} with apt-get"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

exec python -m pytest "$@"
