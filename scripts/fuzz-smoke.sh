#!/usr/bin/env bash
# Builds the checkpoint-parser fuzzers (clang, libFuzzer + ASan) in their own
# build folder and runs each one briefly from its seed corpus. A crash, leak or
# sanitizer report fails the run.
#
#   scripts/fuzz-smoke.sh [BUILD_DIR] [SECONDS_PER_FUZZER]
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${1:-$SRC/build/fuzz-build}
SECONDS_EACH=${2:-${LAC_FUZZ_SECONDS:-10}}

cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DLAC_BUILD_FUZZERS=ON -DLAC_BUILD_COMPILER=OFF -DLAC_BUILD_TESTS=OFF -DLAC_ENABLE_CUDA=OFF >/dev/null
# Only the fuzzers (and what they link), not the whole runtime.
targets=()
for src in "$SRC"/compiler/import/fuzz/*_fuzzer.cpp "$SRC"/runtime/artifact/fuzz/*_fuzzer.cpp; do
  [[ -f "$src" ]] && targets+=("$(basename "${src%.cpp}")")
done
cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" >/dev/null

shopt -s nullglob
fuzzers=("$BUILD"/fuzz/*_fuzzer)
if ((${#fuzzers[@]} == 0)); then
  echo "fuzz-smoke: no fuzzers were built" >&2
  exit 1
fi
for f in "${fuzzers[@]}"; do
  name=$(basename "$f")
  corpus=$(mktemp -d)
  seeds="$SRC/test/fuzz-corpus/${name%_fuzzer}"
  [[ -d "$seeds" ]] && cp -r "$seeds"/. "$corpus"/
  echo "fuzz-smoke: $name for ${SECONDS_EACH}s"
  "$f" -max_total_time="$SECONDS_EACH" -max_len=65536 -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 \
    "$corpus" 2>"$corpus.log" || { tail -40 "$corpus.log"; echo "fuzz-smoke: $name FAILED" >&2; exit 1; }
  grep -E 'stat::number_of_executed_units' "$corpus.log" || true
  rm -rf "$corpus" "$corpus.log"
done
echo "fuzz-smoke: all ${#fuzzers[@]} fuzzers ran clean"
