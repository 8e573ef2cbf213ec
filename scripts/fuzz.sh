#!/usr/bin/env bash
# Builds every libFuzzer target (clang, libFuzzer + ASan; runtime and import
# code only, no MLIR) and runs each for N minutes from its committed seed
# corpus (test/fuzz-corpus/<name>/), then prints executions, coverage and
# crashes per target. Inputs that crash are kept under OUT/crashes/<name>/;
# add each to test/fuzz-corpus/<name>/ (a regression seed) with a unit test.
#
#   bash scripts/fuzz.sh --minutes 10             # every target, 10 minutes each
#   bash scripts/fuzz.sh --minutes 1 --only gguf  # targets whose name contains "gguf"
#   bash scripts/fuzz.sh --seconds 10 --seed 1    # the smoke run (ctest's fuzz_smoke): a fixed
#                                                 # seed, so a run tries the same inputs each time
#   bash scripts/fuzz.sh --minutes 10 --jobs 2    # two targets at a time
#
# Options: --build DIR (default build/fuzz-build), --out DIR (default
# build/fuzz-out: the grown corpora, logs and crashes), --seed N (libFuzzer's
# -seed; 0, the default, picks a new one each run). Exits 1 when any
# target crashed, leaked, timed out or tripped a sanitizer.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$SRC/build/fuzz-build
OUT=$SRC/build/fuzz-out
seconds=600 only="" jobs=1 seed=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --minutes) seconds=$(($2 * 60)); shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --build) BUILD=$2; shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) echo "fuzz.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done

cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DLAC_BUILD_FUZZERS=ON -DLAC_BUILD_COMPILER=OFF -DLAC_BUILD_TESTS=OFF -DLAC_ENABLE_CUDA=OFF -DLAC_BUILD_PYTHON=OFF >/dev/null
targets=()
for src in "$SRC"/compiler/import/fuzz/*_fuzzer.cpp "$SRC"/runtime/*/fuzz/*_fuzzer.cpp; do
  name=$(basename "${src%.cpp}")
  [[ -z "$only" || "$name" == *"$only"* ]] && targets+=("$name")
done
if ((${#targets[@]} == 0)); then
  echo "fuzz.sh: no fuzz target matches '$only'" >&2
  exit 2
fi
cmake --build "$BUILD" -j "$(nproc)" --target "${targets[@]}" >/dev/null

mkdir -p "$OUT"
# run NAME: fuzzes one target into OUT/corpus/NAME; writes OUT/NAME.log and
# OUT/NAME.result ("execs coverage crashes status").
run() {
  local name=$1 bin="$BUILD/fuzz/$1" short=${1%_fuzzer}
  local corpus="$OUT/corpus/$short" crashes="$OUT/crashes/$short"
  rm -rf "$corpus" "$crashes"
  mkdir -p "$corpus" "$crashes"
  [[ -d "$SRC/test/fuzz-corpus/$short" ]] && cp -r "$SRC/test/fuzz-corpus/$short"/. "$corpus"/
  local status=clean
  "$bin" -seed="$seed" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
    -artifact_prefix="$crashes/" "$corpus" >"$OUT/$short.log" 2>&1 || status=FAILED
  local execs cov n
  execs=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$OUT/$short.log" | grep -Eo '[0-9]+$' | tail -1 || true)
  cov=$(grep -Eo 'cov: [0-9]+' "$OUT/$short.log" | tail -1 | grep -Eo '[0-9]+' || true)
  n=$(find "$crashes" -type f | wc -l)
  echo "${execs:-0} ${cov:-0} $n $status" >"$OUT/$short.result"
}

echo "fuzz.sh: ${#targets[@]} targets, ${seconds}s each, $jobs at a time (logs and corpora in $OUT)"
running=0
for t in "${targets[@]}"; do
  run "$t" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

failed=0
printf '%-22s %12s %9s %8s %s\n' target execs coverage crashes status
for t in "${targets[@]}"; do
  short=${t%_fuzzer}
  read -r execs cov crashes status <"$OUT/$short.result"
  printf '%-22s %12s %9s %8s %s\n' "$short" "$execs" "$cov" "$crashes" "$status"
  if [[ $status != clean || $crashes != 0 ]]; then
    failed=1
    grep -E 'ERROR|SUMMARY|==[0-9]+==' "$OUT/$short.log" | head -5 | sed 's/^/    /'
  fi
done
if ((failed)); then
  echo "fuzz.sh: FAILED (crash inputs in $OUT/crashes/)"
  exit 1
fi
echo "fuzz.sh: all ${#targets[@]} targets ran clean"
