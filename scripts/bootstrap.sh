#!/usr/bin/env bash
# Create .venv/ with Python 3.10 and install the project against constraints.txt.
set -euo pipefail
cd "$(dirname "$0")/.."

find_python() {
  local candidate
  if command -v pyenv >/dev/null 2>&1; then
    for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10\.[0-9]+$' | sort -t. -k3 -n -r); do
      candidate="$(pyenv prefix "$version")/bin/python3.10"
      if [ -x "$candidate" ]; then echo "$candidate"; return 0; fi
    done
  fi
  for candidate in python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import sys; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ]; then
  if ! PYTHON=$(find_python); then
    echo "error: Python 3.10 is needed (Rasa 3.6 does not run on newer Pythons)." >&2
    echo "       Install it with 'pyenv install 3.10.13' or your system's python3.10 package." >&2
    exit 1
  fi
  echo "[install] creating .venv with $PYTHON"
  "$PYTHON" -m venv .venv
fi
echo "[install] installing dependencies (first time: about 3 minutes)..."
.venv/bin/python -m pip install --quiet --progress-bar off -c constraints.txt -e ".[dev]"
.venv/bin/python -m pip check
echo "[install] done"
