#!/usr/bin/env bash
# Installs what LAC needs, builds it, fetches the default model
# (SmolLM2-135M-Instruct, Q4_1 GGUF) and runs the main job on it.
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD=${LAC_BUILD_DIR:-build}

bash scripts/setup.sh
model=$(bash scripts/fetch-model.sh)
cmake -S . -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$BUILD" -j "$(nproc)"

# The main job: read the real checkpoint, describe it, and compile it into one
# .lac artifact (chatting with it arrives with lac-run).
"$BUILD"/bin/lac-compile "$model" --print-model
"$BUILD"/bin/lac-compile "$model" -o "$BUILD"/smollm2.lac
