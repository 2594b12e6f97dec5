#!/usr/bin/env bash
# For maintainers shipping a retrained preset: records the sha256 of every file under saved_models/ in
# saved_models/SHA256SUMS, which the tests check before reading a preset (`cd saved_models && sha256sum -c
# SHA256SUMS` checks it by hand).
set -euo pipefail
cd "$(dirname "$0")/../saved_models"
find . -type f ! -name SHA256SUMS ! -name README.md | sed 's|^\./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS
