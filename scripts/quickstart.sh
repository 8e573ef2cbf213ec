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
bash scripts/install-python.sh "$BUILD"   # pip install . (the `lac` package; reuses the build)

# The main job: compile the real checkpoint into one .lac artifact, then ask
# it a question through lac-run's chat (the model's own ChatML format), with
# greedy decoding so the answer is the same on every run. (Without
# --temperature 0, lac-run samples with the artifact's defaults, temperature
# 0.6 and top-p 0.9, as Meta's generation.py does; a 135M model then wanders.)
"$BUILD"/bin/lac-compile "$model" -o "$BUILD"/smollm2.lac
question=${LAC_QUESTION:-"What is the capital of France?"}
echo "user: $question"
printf '%s\n' "$question" | "$BUILD"/bin/lac-run chat "$BUILD"/smollm2.lac --max-gen-len 128 --temperature 0

# The same question through the Python package (Meta's Llama API, docs/PYTHON.md).
python3 - "$BUILD"/smollm2.lac "$question" <<'EOF'
import sys
from lac import Llama
with Llama.build(sys.argv[1], max_seq_len=512, max_batch_size=1, verbose=False) as generator:
    answer = generator.chat_completion([[{"role": "user", "content": sys.argv[2]}]], temperature=0, max_gen_len=128)
    print("assistant (from Python):", answer[0]["generation"]["content"])
EOF
