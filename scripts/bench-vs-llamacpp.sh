#!/usr/bin/env bash
# LAC against llama.cpp on the CPU: the same GGUF files, the same work, runs
# alternated (llama.cpp, LAC, llama.cpp, LAC, ...) so both see the same
# machine load. llama.cpp is its own `llama-bench`, built once from the source
# vendored in the registry package llama-cpp-python (scripts/bench/
# llamacpp-build.sh, GGML_NATIVE=ON, cached outside the tree); LAC is
# `lac-run bench` on the compiled artifact (default compile, default engine).
#
# The files (made once into $LAC_MODEL_CACHE/bench/):
#   smollm2-q4_1   the default model (scripts/fetch-model.sh)
#   smollm2-q8_0   its requantized copies (scripts/bench/requantize_gguf.py)
#   smollm2-q4_0
#   body1b-q4_0    a Llama-3.2-1B-shaped body with random weights and SmolLM2's
#   body1b-q8_0    vocabulary (scripts/bench/make_body_gguf.py), so both engines
#                  read the same file
#
# Per model and thread count: prefill of a --prompt-len prompt (llama-bench
# -p, lac-run's prefill) and --gen-len decode steps (llama-bench -n, lac-run's
# decode), each engine's median over --reps repetitions, then the median over
# --rounds rounds. LAC's default prefill is the precise one (two int8 passes,
# runtime/engine/act_precision.h); its --int8-prefill speed is shown beside
# it. The 1B rows add LAC's decode as a fraction of the memory roofline
# (lac-run bench --roofline). Prints a markdown table (docs/BENCHMARKS.md).
#
#   scripts/bench-vs-llamacpp.sh [--threads "1 2"] [--rounds 2] [--reps 3]
#                                [--models "smollm2-q4_1 smollm2-q8_0 ..."]
#                                [--prompt-len 128] [--gen-len 64]
#
# Needs build/bin/lac-compile and build/bin/lac-run. Reports; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS="1 2"
ROUNDS=2
REPS=3
PLEN=128
GLEN=64
MODELS="smollm2-q4_1 smollm2-q8_0 smollm2-q4_0 body1b-q4_0 body1b-q8_0"
CACHE=${LAC_MODEL_CACHE:-$HOME/.cache/lac}
while [[ $# -gt 0 ]]; do
  case $1 in
    --threads) THREADS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --models) MODELS=$2; shift 2 ;;
    --prompt-len) PLEN=$2; shift 2 ;;
    --gen-len) GLEN=$2; shift 2 ;;
    -h|--help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

BIN=${LAC_BIN:-build/bin}
for t in lac-compile lac-run; do
  [[ -x $BIN/$t ]] || { echo "missing $BIN/$t: build it first (ninja -C build lac-compile lac-run)" >&2; exit 1; }
done
SMOL=$CACHE/SmolLM2-135M-Instruct.Q4_1.gguf
[[ -f $SMOL ]] || { echo "no $SMOL: run scripts/fetch-model.sh" >&2; exit 1; }
LB=$(bash scripts/bench/llamacpp-build.sh llama-bench)/llama-bench

# The GGUF files, made once.
mkdir -p "$CACHE/bench"
gguf_of() {
  local m=$1 f=$CACHE/bench/$1.gguf
  case $m in
    smollm2-q4_1) echo "$SMOL"; return ;;
    smollm2-*) [[ -f $f ]] || python3 scripts/bench/requantize_gguf.py "$SMOL" "$f" --type "${m#smollm2-}" >&2 ;;
    body1b-*) [[ -f $f ]] || { echo "writing $f (random 1B-class body; a minute)..." >&2;
                               (cd scripts/bench && python3 make_body_gguf.py "$SMOL" "$f" --type "${m#body1b-}") >&2; } ;;
    *) echo "unknown model $m" >&2; exit 2 ;;
  esac
  echo "$f"
}

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }

# llama-bench's JSON: one entry per test (pp then tg), avg_ts over its repetitions.
llama_run() {  # GGUF THREADS -> "prefill decode"
  "$LB" -m "$1" -t "$2" -p "$PLEN" -n "$GLEN" -r "$REPS" -o json 2>/dev/null | python3 -c '
import json, sys
rows = json.load(sys.stdin)
pp = next(r for r in rows if r["n_prompt"] > 0 and r["n_gen"] == 0)
tg = next(r for r in rows if r["n_gen"] > 0 and r["n_prompt"] == 0)
print(pp["avg_ts"], tg["avg_ts"])'
}
lac_run() {  # ARTIFACT THREADS [extra bench flags] -> "prefill decode roofline%"
  local a=$1 t=$2; shift 2
  "$BIN/lac-run" bench "$a" --threads "$t" --prompt-len "$PLEN" --gen-len "$GLEN" --reps "$REPS" --json "$@" |
    python3 -c '
import json, sys
j = json.load(sys.stdin)
r = j.get("roofline")
print(j["prefill_tokens_per_second"]["median"], j["decode_tokens_per_second"]["median"],
      100 * r["decode_fraction"] if r else "nan")'
}

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), family $(lscpu | sed -n 's/^CPU family: *//p') model $(lscpu | sed -n 's/^Model: *//p'); ISA: $(grep -o -w 'avx2\|avx512f\|avx512bw\|avx512vl\|avx512_vnni\|avx512_bf16' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "llama.cpp: $(basename "$(echo "$CACHE"/llama.cpp-src/llama_cpp_python-*)") (vendored llama.cpp), llama-bench -p $PLEN -n $GLEN -r $REPS"
echo "LAC: lac-run bench --prompt-len $PLEN --gen-len $GLEN --reps $REPS (median of reps); $ROUNDS alternated rounds, medians"
echo
echo "| model | threads | llama.cpp prefill | LAC prefill | ratio | LAC --int8-prefill | llama.cpp decode | LAC decode | ratio | LAC decode / roofline |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for m in $MODELS; do
  g=$(gguf_of "$m")
  "$BIN/lac-compile" "$g" -o "$work/$m.lac" -q --max-seq-len $((PLEN + GLEN + 64))
  roof=()
  [[ $m == body1b-* ]] && roof=(--roofline)
  for t in $THREADS; do
    lp=(); ld=(); cp=(); cd=(); ci=(); cr=()
    for r in $(seq "$ROUNDS"); do
      read -r a b < <(llama_run "$g" "$t")
      read -r c d e < <(lac_run "$work/$m.lac" "$t" "${roof[@]}")
      read -r f _ _ < <(lac_run "$work/$m.lac" "$t" --int8-prefill)
      lp+=("$a"); ld+=("$b"); cp+=("$c"); cd+=("$d"); cr+=("$e"); ci+=("$f")
      echo "  $m t=$t round $r: llama.cpp $a / $b, LAC $c / $d (int8 prefill $f)" >&2
    done
    a=$(median "${lp[@]}"); b=$(median "${ld[@]}"); c=$(median "${cp[@]}"); d=$(median "${cd[@]}")
    f=$(median "${ci[@]}"); e=$([[ ${cr[0]} == nan ]] && echo nan || median "${cr[@]}")
    awk -v m="$m" -v t="$t" -v a="$a" -v b="$b" -v c="$c" -v d="$d" -v e="$e" -v f="$f" 'BEGIN{
      roof = (e == "nan") ? "" : sprintf("%.0f%%", e);
      printf "| %s | %s | %.1f | %.1f | %.2f | %.1f | %.1f | %.1f | %.2f | %s |\n", m, t, a, c, c/a, f, b, d, d/b, roof}'
  done
done
echo
echo "(tokens/s; ratio = LAC / llama.cpp, above 1 means LAC is faster)"
