#!/usr/bin/env bash
# Compile-time benchmark: wall time and peak memory of lac-compile on a
# checkpoint (default: SmolLM2-135M-Instruct Q4_1), several runs, against the
# checkpoint's size. Reports; asserts nothing.
#
#   scripts/bench-compile.sh [MODEL] [RUNS]        (build/bin/lac-compile must exist)
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:-${LAC_MODEL_CACHE:-$HOME/.cache/lac}/SmolLM2-135M-Instruct.Q4_1.gguf}
RUNS=${2:-3}
LAC=${LAC_COMPILE:-build/bin/lac-compile}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

size=$(du -sb "$MODEL" | cut -f1)
echo "model: $MODEL ($(awk -v b="$size" 'BEGIN{printf "%.1f MiB", b/1048576}'))"
for i in $(seq "$RUNS"); do
  /usr/bin/time -f "%e %M" -o "$out/t" "$LAC" "$MODEL" -o "$out/m.lac" -q
  read -r secs kib < "$out/t"
  awk -v s="$secs" -v k="$kib" -v b="$size" -v i="$i" \
    'BEGIN{printf "run %d: %.2f s, peak RSS %.1f MiB (%.2fx the checkpoint)\n", i, s, k/1024, k*1024/b}'
done
