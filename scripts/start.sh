#!/usr/bin/env bash
# The app command: bash scripts/start.sh [extra `streamlit run` args]
# Creates .venv if needed, installs requirements.txt, then runs the Streamlit app.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

die() { printf 'scripts/start.sh: %s\n' "$*" >&2; exit 1; }

source scripts/venv.sh
ensure_venv requirements.txt

# scripts/serve.py is `streamlit run app.py` with the libraries loaded before the first visitor.
exec .venv/bin/python scripts/serve.py "$@"
