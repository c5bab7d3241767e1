#!/usr/bin/env bash
# Set up (first run) and run the whole test suite. Extra arguments go to pytest.
. "$(dirname "$0")/_setup.sh" test

# PyTorch is the reference of the parity tests (CPU build; pinned so every run compares alike).
python -m pip install --quiet "torch==2.13.0"

# The system graphviz `dot` is one of the renderers the graph tests exercise. Install it where
# we may (root with apt-get, as on CI); elsewhere those tests say why they are skipped.
if ! command -v dot >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    echo "minigrad: installing graphviz with apt-get"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq graphviz >/dev/null
fi

exec python -m pytest "$@"
