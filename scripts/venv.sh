# Sourced by scripts/start.sh and scripts/test.sh: make sure .venv exists with Python 3.11 or
# newer and install the requirements file given as $1. Expects a `die` function.

python_is_new_enough() {
    "$1" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null
}

ensure_venv() {
    local requirements=$1 python
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
    # pip checks already-satisfied pins without downloading anything.
    printf '==> installing %s\n' "$requirements"
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -r "$requirements"
}
