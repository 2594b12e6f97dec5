#!/usr/bin/env bash
# Installs what the tests need, then runs the whole suite (large tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/python -m pytest -q "$@"
