# The system packages some tests use, installed by test.sh where it may: as root, with apt-get
# (Debian, Ubuntu; CI). Elsewhere, or when one cannot be had, nothing fails here: the tests that
# need it are skipped with the reason. Sourced after _setup.sh (it uses say); defines
# system_packages.

# package | the program the tests look for | why
_SYSTEM_PACKAGES="
graphviz|dot|the 'dot' renderer of the graph tests (without it they render with graphviz-pure)
chromium|${MINIGRAD_CHROMIUM:-/usr/bin/chromium}|the browser that tests/browser drive with Playwright
bubblewrap|bwrap|the 'bwrap' sandbox that grading runs students' notebooks in
"

_present() { case "$1" in /*) [ -x "$1" ] ;; *) command -v "$1" >/dev/null 2>&1 ;; esac; }

# chromium is installable from apt here: a candidate exists and is not Ubuntu's transitional
# package that only installs the snap (which apt-get cannot set up in a container, and which
# fails under set -e).
_chromium_installable() {
    local candidate
    candidate=$(apt-cache policy chromium 2>/dev/null | sed -n 's/^ *Candidate: *//p' | head -n 1)
    if [ -z "$candidate" ] || [ "$candidate" = "(none)" ]; then
        say "chromium: apt has no chromium package here; not installed (the browser tests skip," \
            "or set MINIGRAD_CHROMIUM to a Chromium or Chrome)"
        return 1
    fi
    if apt-cache show "chromium=$candidate" 2>/dev/null |
            grep -qiE '^(pre-)?depends:.*\bsnapd\b|^description(-en)?:.*(transitional|snap)'; then
        say "chromium: apt's chromium is the transitional package for the snap (Ubuntu); not" \
            "installed (the browser tests skip, or set MINIGRAD_CHROMIUM to a Chromium or Chrome)"
        return 1
    fi
}

_apt_install() {  # _apt_install LOG PACKAGE...: apt-get install, reporting size or failure
    local log=$1
    shift
    if DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@" >"$log" 2>&1; then
        grep -E 'newly installed|^Need to get|^After this operation' "$log" | sed 's/^/  /' || true
        return 0
    fi
    say "apt-get install $* failed; continuing (the tests that need it skip, with the reason)." \
        "The end of apt-get's output:"
    tail -n 5 "$log" | sed 's/^/  /'
    return 1
}

# system_packages [--skip-browser]: install what is missing, saying what and why first.
system_packages() {
    local skip_browser=${1:-} line package program why missing=() reasons=() install=()
    while IFS='|' read -r package program why; do
        [ -n "$package" ] || continue
        [ "$package" = chromium ] && [ "$skip_browser" = --skip-browser ] && continue
        _present "$program" && continue
        missing+=("$package")
        reasons+=("  $package: $why")
    done <<< "$_SYSTEM_PACKAGES"
    [ ${#missing[@]} -gt 0 ] || return 0

    if [ "${MINIGRAD_NO_SYSTEM_PACKAGES:-0}" = 1 ]; then
        say "not installing the system packages ${missing[*]} (--no-system-packages):" \
            "the tests that need them are skipped, with the reason"
        return 0
    fi
    if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
        say "the system packages ${missing[*]} are missing; the tests that need them are skipped," \
            "with the reason (they are installed by this command only as root with apt-get)"
        return 0
    fi

    say "running as root with apt-get: installing system packages the tests use:"
    printf '%s\n' "${reasons[@]}"
    say "with the packages they depend on (apt-get reports the size below);" \
        "--no-system-packages or MINIGRAD_NO_SYSTEM_PACKAGES=1 leaves this out"
    local log
    log=$(mktemp)
    if ! apt-get update -q >"$log" 2>&1; then
        say "apt-get update failed; no system packages installed, the tests that need them skip:"
        tail -n 5 "$log"
        rm -f "$log"
        return 0
    fi
    for package in "${missing[@]}"; do
        if [ "$package" = chromium ] && ! _chromium_installable; then
            continue
        fi
        install+=("$package")
    done
    if [ ${#install[@]} -gt 0 ]; then
        if ! _apt_install "$log" "${install[@]}" && [ ${#install[@]} -gt 1 ]; then
            for package in "${install[@]}"; do  # one that cannot be had keeps none of the others out
                _apt_install "$log" "$package" || true
            done
        fi
    fi
    rm -f "$log"
}
