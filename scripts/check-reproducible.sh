#!/usr/bin/env bash
# Compiles one checkpoint RUNS times and checks that every run gives the same
# bytes: the .lac artifact and the printed stages (--emit=llama-mlir,
# exec-mlir, plan-json). Runs cycle through lac-compile --threads 1, 2, 3, 8
# and 0 (all cores), under glibc's MALLOC_PERTURB_ (freed memory is
# overwritten, so a read after free gives garbage instead of the old value),
# and, with --load, while two busy loops keep both cores loaded.
#
#   scripts/check-reproducible.sh [--load] [--runs N] [--stages] LAC_COMPILE MODEL [lac-compile options]
#
#   scripts/check-reproducible.sh --load --runs 20 build/bin/lac-compile ~/.cache/lac/SmolLM2-135M-Instruct.Q4_1.gguf
#   scripts/check-reproducible.sh --runs 100 --load build/bin/lac-compile ~/.cache/lac/SmolLM2-135M-Instruct.Q4_1.gguf
#
# Prints one line per run (threads, milliseconds, sha256) and a summary;
# exits 1 when a compile fails or two runs differ, 77 when MODEL is missing.
set -euo pipefail

load=0 runs=5 stages=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --load) load=1; shift ;;
    --runs) runs=$2; shift 2 ;;
    --stages) stages=1; shift ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) break ;;
  esac
done
if [[ $# -lt 2 ]]; then
  echo "usage: $0 [--load] [--runs N] [--stages] LAC_COMPILE MODEL [lac-compile options]" >&2
  exit 2
fi
lac=$1 model=$2
shift 2
if [[ ! -e "$model" ]]; then
  echo "check-reproducible: $model not found (skipped)"
  exit 77  # ctest's SKIP_RETURN_CODE
fi
extra=("$@")

work=$(mktemp -d)
burners=()
cleanup() {
  for p in "${burners[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
if ((load)); then
  for _ in 1 2; do
    (while :; do :; done) &
    burners+=($!)
  done
fi

threads_cycle=(1 2 3 8 0)
declare -A first=()
failures=0
for ((i = 0; i < runs; i++)); do
  t=${threads_cycle[$((i % ${#threads_cycle[@]}))]}
  out="$work/run$i.lac"
  start=$(date +%s%N)
  if ! MALLOC_PERTURB_=$((i % 254 + 1)) "$lac" "$model" -o "$out" -q --threads "$t" "${extra[@]}" 2>"$work/err"; then
    echo "run $i (--threads $t): lac-compile failed: $(head -c 400 "$work/err")"
    failures=$((failures + 1))
    continue
  fi
  ms=$((($(date +%s%N) - start) / 1000000))
  sums="artifact=$(sha256sum <"$out" | cut -c1-16)"
  rm -f "$out"
  if ((stages)); then
    for stage in llama-mlir exec-mlir plan-json; do
      MALLOC_PERTURB_=$((i % 254 + 1)) "$lac" "$model" --emit="$stage" -o "$work/stage" -q --threads "$t" \
        "${extra[@]}" 2>"$work/err" || { echo "run $i: --emit=$stage failed: $(head -c 400 "$work/err")"; failures=$((failures + 1)); continue; }
      sums+=" $stage=$(sha256sum <"$work/stage" | cut -c1-16)"
    done
  fi
  printf 'run %3d  --threads %s  %6d ms  %s\n' "$i" "$t" "$ms" "$sums"
  for kv in $sums; do
    k=${kv%%=*} v=${kv#*=}
    if [[ -z "${first[$k]:-}" ]]; then
      first[$k]=$v
    elif [[ "${first[$k]}" != "$v" ]]; then
      echo "run $i: $k differs from run 0 (${first[$k]} vs $v)"
      failures=$((failures + 1))
    fi
  done
done
if ((failures)); then
  echo "check-reproducible: $failures problem(s) in $runs runs of $(basename "$model")"
  exit 1
fi
echo "check-reproducible: $runs runs of $(basename "$model"), every artifact$( ((stages)) && echo " and stage") identical (load: $( ((load)) && echo two busy loops || echo none))"
