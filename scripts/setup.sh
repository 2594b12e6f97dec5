#!/usr/bin/env bash
# Creates .venv (if missing) and installs seqtk with its test extra into it. Sourced by the other scripts.
set -euo pipefail
cd "$(dirname "$0")/.."
# The tests run the scripts in a copy of the work tree with the suite's own environment: nothing to install.
if [ -n "${SEQTK_SKIP_SETUP:-}" ]; then
  exit 0
fi
# The page test drives Debian's chromium (Playwright with the system browser; no browser downloads).
if ! command -v chromium >/dev/null 2>&1 && [ -z "${SEQTK_CHROMIUM:-}" ] && command -v apt-get >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "setup: the browser test needs Debian's chromium: run 'apt-get install chromium' as root" >&2
  fi
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
# The web export's page and JavaScript, built once from web/ with Node.js and npm's lock file (nothing is
# fetched when a site is written or opened).
if command -v npm >/dev/null 2>&1; then
  if [ ! -d web/node_modules ] || [ web/package-lock.json -nt web/node_modules/.package-lock.json ]; then
    (cd web && npm ci --no-audit --no-fund --loglevel=error)
  fi
  if [ ! -f web/dist/seqtk-web.js ] || [ -n "$(find web/src web/build.mjs web/package-lock.json -newer web/dist/seqtk-web.js 2>/dev/null)" ]; then
    (cd web && npm run --silent build)
  fi
else
  echo "setup: Node.js 20 with npm builds the web export's page (seqtk export web); install it to use that" >&2
fi
