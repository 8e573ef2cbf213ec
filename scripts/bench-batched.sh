#!/usr/bin/env bash
# Batched decode: LAC's `lac-run bench --batch B` beside llama.cpp's
# `llama-batched-bench` on the same GGUF and threads, B = 1 2 4 8 16 (or
# --batches), runs alternated (llama.cpp, LAC, llama.cpp, LAC, ...) so both
# see the same machine load. llama-batched-bench is built once from the
# llama.cpp source vendored in the registry package llama-cpp-python (its
# sdist, from PyPI) into
# $LAC_MODEL_CACHE/llama.cpp-build. Prints one table row per B: aggregate
# and per-sequence decode tokens/s of each, and LAC / llama.cpp.
#
#   scripts/bench-batched.sh [--threads 2] [--batches "1 2 4 8 16"] [--rounds 2]
#                            [--prompt-len 128] [--gen-len 64] [--model GGUF]
#
# Needs build/bin/lac-compile and build/bin/lac-run. Reports; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=2
BATCHES="1 2 4 8 16"
ROUNDS=2
PLEN=128
GLEN=64
CACHE=${LAC_MODEL_CACHE:-$HOME/.cache/lac}
MODEL=$CACHE/SmolLM2-135M-Instruct.Q4_1.gguf
while [[ $# -gt 0 ]]; do
  case $1 in
    --threads) THREADS=$2; shift 2 ;;
    --batches) BATCHES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --prompt-len) PLEN=$2; shift 2 ;;
    --gen-len) GLEN=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
BIN=${LAC_BIN:-build/bin}
for t in lac-compile lac-run; do
  [[ -x $BIN/$t ]] || { echo "missing $BIN/$t: build it first (ninja -C build lac-compile lac-run)" >&2; exit 1; }
done
[[ -f $MODEL ]] || { echo "no $MODEL: run scripts/fetch-model.sh" >&2; exit 1; }

# llama-batched-bench from llama-cpp-python's vendored llama.cpp.
LB=$(bash scripts/bench/llamacpp-build.sh llama-batched-bench)/llama-batched-bench
LLAMA_VERSION=$(basename "$(echo "$CACHE"/llama.cpp-src/llama_cpp_python-*)")

MAXB=0
for b in $BATCHES; do (( b > MAXB )) && MAXB=$b; done
LAC=$(mktemp -d)/model.lac
trap 'rm -rf "$(dirname "$LAC")"' EXIT
"$BIN/lac-compile" "$MODEL" -o "$LAC" -q --max-seq-len $((PLEN + GLEN)) --max-batch "$MAXB"

# llama-batched-bench: one run per B; its table's S_TG column is the
# aggregate generation speed (t/s) over B sequences.
# Its context must hold all B sequences, in multiples of 256.
llama_tg() {
  local ctx=$(( ((PLEN + GLEN) * $2 + 255) / 256 * 256 )) v
  v=$("$LB" -m "$MODEL" -t "$1" -tb "$1" -c "$ctx" -b 2048 -ub 512 -npp "$PLEN" -ntg "$GLEN" -npl "$2" 2>/dev/null |
      awk -F'|' '$2 ~ /^ *[0-9]+ *$/ { gsub(/ /, "", $9); print $9 }' | tail -1)
  [[ -n $v ]] || { echo "llama-batched-bench gave no result for B=$2" >&2; exit 1; }
  echo "$v"
}
lac_tg() {
  "$BIN/lac-run" bench "$LAC" --threads "$1" --batch "$2" --prompt-len "$PLEN" --gen-len "$GLEN" -r 1 \
    --warmup 1 --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["decode_tokens_per_second"]["median"])'
}
median() { python3 -c 'import statistics,sys; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $THREADS threads; llama.cpp from $LLAMA_VERSION"
echo "prompt $PLEN tokens, $GLEN generated per sequence; median of $ROUNDS alternated rounds"
printf "| B | LAC tok/s | LAC per seq | llama.cpp tok/s | llama.cpp per seq | LAC / llama.cpp |\n|---|---|---|---|---|---|\n"
for b in $BATCHES; do
  L=(); C=()
  for ((r = 0; r < ROUNDS; r++)); do
    C+=("$(llama_tg "$THREADS" "$b")")
    L+=("$(lac_tg "$THREADS" "$b")")
  done
  l=$(median "${L[@]}"); c=$(median "${C[@]}")
  python3 -c "
b, l, c = $b, $l, $c
print(f'| {b} | {l:.1f} | {l / b:.1f} | {c:.1f} | {c / b:.1f} | {l / c:.2f} |')"
done
