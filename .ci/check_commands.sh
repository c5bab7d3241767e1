#!/usr/bin/env bash
# CI, after the first run of the test command: the README's two commands as a new user meets them.
# 1. In this clone, a second run of each installs nothing again, and the lessons command starts a
#    JupyterLab that serves the lessons over HTTP (as root: with --allow-root).
# 2. As a throw-away user that is not root (when this runs as root and can make one), both
#    commands from a fresh clone: the lessons command answers, the test command passes (a short
#    selection: the whole suite ran in step 1's clone).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PYTHON=$ROOT/.venv/bin/python
LOGS=$(mktemp -d)

say() { echo "ci: $*"; }
fail() { echo "ci: FAILED: $*" >&2; exit 1; }
installs() { grep -E '^minigrad: (creating|installing)' "$1"; }

# lessons_answer LOG [COMMAND PREFIX...]: start ./scripts/lessons.sh in the current directory in
# the background, wait until JupyterLab serves the first lesson on 127.0.0.1, then stop it.
lessons_answer() {
    local log=$1 port token=ci-$RANDOM$RANDOM start=$SECONDS pid
    shift
    port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    "$@" ./scripts/lessons.sh --no-browser --port "$port" --IdentityProvider.token="$token" >"$log" 2>&1 &
    pid=$!
    until "$PYTHON" - "$port" "$token" 2>/dev/null <<'PY'
import json, sys, urllib.request
port, token = sys.argv[1:]
url = f"http://127.0.0.1:{port}/api/contents/01_autograd_basics.ipynb?content=0&token={token}"
with urllib.request.urlopen(url, timeout=5) as answer:
    assert json.load(answer)["type"] == "notebook"
PY
    do
        kill -0 "$pid" 2>/dev/null || { cat "$log"; fail "lessons.sh ended before JupyterLab answered"; }
        [ $((SECONDS - start)) -lt 900 ] || { kill "$pid"; cat "$log"; fail "no answer in 900 s"; }
        sleep 1
    done
    say "lessons.sh answered (the first lesson served on 127.0.0.1:$port) after $((SECONDS - start)) s"
    kill "$pid"
    wait "$pid" || true
}

# 1. The second run, in this clone.
lessons_answer "$LOGS/lessons-2"
! installs "$LOGS/lessons-2" || fail "the second run of lessons.sh installed again"
if [ "$(id -u)" = 0 ]; then
    grep -q -- '--allow-root' "$LOGS/lessons-2" || fail "as root, lessons.sh did not pass --allow-root"
fi
start=$SECONDS
bash scripts/test.sh -q tests/test_packaging.py | tee "$LOGS/test-2"
! installs "$LOGS/test-2" || fail "the second run of test.sh installed again"
say "second run of test.sh (setup, and 4 tests): $((SECONDS - start)) s, nothing installed"

# 2. A user that is not root, from a fresh clone.
if [ "$(id -u)" != 0 ] || ! command -v useradd >/dev/null || ! command -v runuser >/dev/null; then
    say "not root or no useradd/runuser: the run as a user that is not root is left out"
    exit 0
fi
user=minigrad-ci
id -u "$user" >/dev/null 2>&1 || useradd --create-home "$user"
home=$(getent passwd "$user" | cut -d: -f6)
rm -rf "$home/minigrad"
git clone -q "$ROOT" "$home/minigrad"
# pip's cache from the first run, so the new user's install downloads nothing again
cache=$("$PYTHON" -m pip cache dir 2>/dev/null || true)
if [ -n "$cache" ] && [ -d "$cache" ] && [ ! -d "$home/.cache/pip" ]; then
    mkdir -p "$home/.cache"
    cp -r "$cache" "$home/.cache/pip"
fi
chown -R "$user:" "$home"
as_user=(runuser -u "$user" -- env HOME="$home")
cd "$home/minigrad"
start=$SECONDS
lessons_answer "$LOGS/lessons-user" "${as_user[@]}"
! grep -q -- '--allow-root' "$LOGS/lessons-user" || fail "lessons.sh passed --allow-root to a user"
say "as $user, fresh clone: lessons.sh set up and answered in $((SECONDS - start)) s"
start=$SECONDS
"${as_user[@]}" ./scripts/test.sh -m "not browser" -q tests/test_seeds.py tests/test_packaging.py tests/test_system_packages.py
say "as $user: test.sh (set-up and a short selection) passed in $((SECONDS - start)) s"
