#!/usr/bin/env bash
# Creates .venv (if missing) and installs seqtk with its test extra into it. Sourced by the other scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests run the scripts in a copy of the work tree with the suite's own environment: nothing to install.
if [ -n "${SEQTK_SKIP_SETUP:-}" ]; then
  exit 0
fi
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
if ! .venv/bin/python -c "import seqtk, pytest, tensorflow" >/dev/null 2>&1 || [ pyproject.toml -nt .venv/.installed ]; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[test]"
  touch .venv/.installed
fi
