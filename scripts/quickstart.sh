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

# The main job: compile the real checkpoint into one .lac artifact, then ask
# it a question through lac-run's chat (the model's own ChatML format, the
# artifact's default sampling: temperature 0.6, top-p 0.9).
"$BUILD"/bin/lac-compile "$model" -o "$BUILD"/smollm2.lac
question=${LAC_QUESTION:-"What is the capital of France?"}
echo "user: $question"
printf '%s\n' "$question" | "$BUILD"/bin/lac-run chat "$BUILD"/smollm2.lac --max-gen-len 128
