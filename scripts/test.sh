#!/usr/bin/env bash
# The test command: bash scripts/test.sh [extra pytest args]
#
# On a fresh machine with Python 3.11 it installs what the suite needs (Debian's chromium for
# the browser tests, a .venv with requirements-dev.txt), then runs ruff and pytest. When all of
# that is already in place it only checks it and goes straight to the tests.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

CHROMIUM=/usr/bin/chromium

say() { printf '==> %s\n' "$*"; }
die() { printf 'scripts/test.sh: %s\n' "$*" >&2; exit 1; }

# (a) Debian's chromium. The browser tests are part of the suite: never skip them.
if [[ ! -x $CHROMIUM ]]; then
    say "installing Debian's chromium (needed by the browser tests)"
    apt_get=(env DEBIAN_FRONTEND=noninteractive apt-get)
    if [[ $(id -u) -ne 0 ]]; then
        if ! command -v sudo >/dev/null; then
            die "$CHROMIUM is missing and we are not root and there is no sudo.
Install it by hand: apt-get update && apt-get install -y --no-install-recommends chromium"
        fi
        # Without a terminal (CI) sudo must not wait for a password that nobody can type.
        if [[ -t 0 ]]; then apt_get=(sudo "${apt_get[@]}"); else apt_get=(sudo -n "${apt_get[@]}"); fi
    fi
    "${apt_get[@]}" update -qq \
        || die "'apt-get update' failed, so chromium cannot be installed (see above)"
    "${apt_get[@]}" install -y -qq --no-install-recommends chromium \
        || die "'apt-get install chromium' failed (see above)"
    [[ -x $CHROMIUM ]] || die "chromium was installed but $CHROMIUM is still missing"
fi

# (b) The virtualenv, with Python 3.11 or newer, and (c) the test dependencies.
source scripts/venv.sh
ensure_venv requirements-dev.txt

# (d) Lint and format. A failure here is reported but the tests still run, so one CI run
# shows everything that is wrong.
status=0
say "ruff check"
.venv/bin/ruff check . || status=1
say "ruff format --check"
.venv/bin/ruff format --check . || status=1

# (e) The tests. Asked for the whole suite (no arguments), it runs as two pytest processes
# side by side: the real-browser tests, which spend most of their time waiting for a page,
# and all the others, which keep a core busy; the second's output follows the first's.
# With arguments (a file, -k, ...) it is one plain pytest run.
run_pytest() {
    local status=0
    .venv/bin/python -m pytest "$@" || status=$?
    if [[ $status -eq 5 ]]; then
        printf 'scripts/test.sh: pytest collected no tests: that is a failure, not a pass\n' >&2
    fi
    return "$status"
}

pytest_status=0
if [[ $# -gt 0 ]]; then
    say "pytest $*"
    run_pytest "$@" || pytest_status=$?
else
    others_log=$(mktemp)
    say "pytest -m 'not browser' (in the background, reported below) and pytest -m browser"
    EM_TEST_PART=others run_pytest -m "not browser" -p no:cacheprovider >"$others_log" 2>&1 &
    others_pid=$!
    trap 'kill "$others_pid" 2>/dev/null || true; rm -f "$others_log"' EXIT
    run_pytest -m browser || pytest_status=$?
    others_status=0
    wait "$others_pid" || others_status=$?
    say "pytest -m 'not browser'"
    cat "$others_log"
    if [[ $pytest_status -eq 0 ]]; then pytest_status=$others_status; fi
fi
if [[ $pytest_status -ne 0 ]]; then
    exit "$pytest_status"
fi
if [[ $status -ne 0 ]]; then
    printf 'scripts/test.sh: the tests passed but ruff did not (see above)\n' >&2
fi
exit "$status"
