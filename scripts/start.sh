#!/usr/bin/env bash
# The app command: bash scripts/start.sh [extra `streamlit run` args]
# Creates .venv if needed, installs requirements.txt, then runs the Streamlit app.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { printf 'scripts/start.sh: %s\n' "$*" >&2; exit 1; }

python_is_new_enough() {
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}
if [[ ! -x .venv/bin/python ]]; then
    if command -v python3.11 >/dev/null && python_is_new_enough python3.11; then
        python=python3.11
    elif command -v python3 >/dev/null && python_is_new_enough python3; then
        python=python3
    else
        die "Python 3.11 or newer is needed to create .venv (neither python3.11 nor python3 is)"
    fi
    printf '==> creating .venv with %s\n' "$($python --version)"
    "$python" -m venv .venv
fi
python_is_new_enough .venv/bin/python \
    || die ".venv has $(.venv/bin/python --version 2>&1); remove .venv and run this again"

.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt

exec .venv/bin/streamlit run app.py "$@"
