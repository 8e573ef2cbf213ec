#!/usr/bin/env bash
# Installs what LAC needs, builds everything, installs the Python package,
# fetches the default model (so the tests that read it run), and runs every
# test under ctest.
#
#   bash scripts/test.sh                 # build folder: build/
#   LAC_BUILD_DIR=/tmp/b bash scripts/test.sh
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${LAC_BUILD_DIR:-build}
JOBS=${LAC_JOBS:-$(nproc)}

bash scripts/setup.sh
LAC_MODEL_CACHE=${LAC_MODEL_CACHE:-$HOME/.cache/lac} bash scripts/fetch-model.sh >/dev/null

cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release ${LAC_CMAKE_ARGS:-} >/dev/null
cmake --build "$BUILD" -j "$JOBS"
bash scripts/install-python.sh "$BUILD"   # pip install . (the `lac` package; reuses the build)
ctest --test-dir "$BUILD" -j "$JOBS" --output-on-failure
