#!/usr/bin/env bash
# Installs what the tests need, then runs the whole suite (large tests included), one process per core (at
# most 4; SEQTK_TEST_WORKERS overrides)
# with pytest-xdist; a test file's tests stay together, so its module fixtures are built once.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export TF_CPP_MIN_LOG_LEVEL=2
.venv/bin/python -m pytest -q -n "${SEQTK_TEST_WORKERS:-$(( $(nproc) < 4 ? $(nproc) : 4 ))}" --dist loadfile "$@"
