#!/usr/bin/env bash
# Installs the Python package `lac` with `pip install .` (pyproject.toml),
# reusing an already configured build folder so nothing is compiled twice,
# then imports it from outside the source tree to check the installed copy.
#
#   bash scripts/install-python.sh            # build folder: build/
#   bash scripts/install-python.sh /tmp/b
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${1:-${LAC_BUILD_DIR:-build}}
PY=${PYTHON:-python3}
args=(install -q --disable-pip-version-check --no-build-isolation --no-deps
      "-Cbuild-dir=$BUILD" .)
if ! "$PY" -m pip "${args[@]}" --root-user-action=ignore >/tmp/lac-pip-install.log 2>&1; then
  # Debian's own Python refuses system-wide installs unless asked (PEP 668).
  if grep -q externally-managed /tmp/lac-pip-install.log; then
    "$PY" -m pip "${args[@]}" --root-user-action=ignore --break-system-packages >/tmp/lac-pip-install.log 2>&1 \
      || { cat /tmp/lac-pip-install.log >&2; exit 1; }
  else
    cat /tmp/lac-pip-install.log >&2
    exit 1
  fi
fi
(cd / && "$PY" -c "import lac, lac._runtime; print('install-python: lac', lac.__version__, 'at', lac.__file__)") >&2
