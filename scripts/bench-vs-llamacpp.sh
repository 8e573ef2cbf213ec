#!/usr/bin/env bash
# LAC against llama.cpp on the CPU, the same GGUF, the same work: prefill a
# 128-token prompt in one pass, then 64 greedy tokens (63 single-token decode
# steps). Runs alternate (llama.cpp, LAC, llama.cpp, LAC, ...) so both see the
# same machine load; each run reports medians over --reps repetitions and the
# script prints the median of the rounds and the LAC / llama.cpp ratios per
# thread count. Then a 1B-class Llama 3 shape (dim 2048, 16 layers, 32/8
# heads, ffn 8192, vocab 128256) compiled with --no-weights at q4_0 and q8_0,
# run on random weights, against the memory roofline (lac-run bench --roofline).
#
#   scripts/bench-vs-llamacpp.sh [--threads "1 2"] [--model GGUF] [--rounds 3] [--reps 3]
#                                [--prompt-len 128] [--gen-len 64] [--no-shapes] [--no-llamacpp]
#
# Needs build/bin/lac-compile and build/bin/lac-run (a full build) and
# llama-cpp-python (`pip install llama-cpp-python`; installed when missing).
# Reports; asserts nothing.
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS="1 2"
MODEL=${LAC_MODEL_CACHE:-$HOME/.cache/lac}/SmolLM2-135M-Instruct.Q4_1.gguf
ROUNDS=3
REPS=3
PLEN=128
GLEN=64
SHAPES=1
LLAMACPP=1
while [[ $# -gt 0 ]]; do
  case $1 in
    --threads) THREADS=$2; shift 2 ;;
    --model) MODEL=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --prompt-len) PLEN=$2; shift 2 ;;
    --gen-len) GLEN=$2; shift 2 ;;
    --no-shapes) SHAPES=0; shift ;;
    --no-llamacpp) LLAMACPP=0; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

BIN=${LAC_BIN:-build/bin}
for t in lac-compile lac-run; do
  [[ -x $BIN/$t ]] || { echo "missing $BIN/$t: build it first (ninja -C build lac-compile lac-run)" >&2; exit 1; }
done
if [[ $LLAMACPP == 1 ]] && ! python3 -c "import llama_cpp" 2>/dev/null; then
  echo "installing llama-cpp-python (builds llama.cpp; takes minutes)..." >&2
  pip install llama-cpp-python >&2 || { echo "llama-cpp-python is not installable; use --no-llamacpp" >&2; exit 1; }
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
DRIVER=scripts/bench/llamacpp_bench.py
median() { python3 -c 'import sys,statistics; print(statistics.median(float(x) for x in sys.argv[1:]))' "$@"; }
field() { python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(j[sys.argv[2]]["median"] if isinstance(j[sys.argv[2]], dict) else j[sys.argv[2]])' "$1" "$2"; }

# ---- the same GGUF, side by side ------------------------------------------------
if [[ $LLAMACPP == 1 ]]; then
  echo "model: $MODEL"
  echo "llama.cpp: llama-cpp-python $(python3 -c 'import llama_cpp; print(llama_cpp.__version__)')"
  "$BIN/lac-compile" "$MODEL" -o "$work/model.lac" --max-seq-len $((PLEN + GLEN + 64)) -q
  printf '\n%-8s %-10s %12s %12s %12s %12s %9s %9s\n' threads round "llama pf/s" "lac pf/s" "llama dc/s" "lac dc/s" "pf ratio" "dc ratio"
  for t in $THREADS; do
    lp=(); lc=(); dp=(); dc=()
    for r in $(seq "$ROUNDS"); do
      python3 "$DRIVER" "$MODEL" --threads "$t" --prompt-len "$PLEN" --gen-len "$GLEN" --repetitions "$REPS" \
        > "$work/l.json" 2> "$work/l.err" || { cat "$work/l.err" >&2; exit 1; }  # llama.cpp logs to stderr
      "$BIN/lac-run" bench "$work/model.lac" --threads "$t" --prompt-len "$PLEN" --gen-len "$GLEN" --reps "$REPS" --json > "$work/c.json"
      a=$(field "$work/l.json" prefill_tokens_per_second); b=$(field "$work/c.json" prefill_tokens_per_second)
      c=$(field "$work/l.json" decode_tokens_per_second); d=$(field "$work/c.json" decode_tokens_per_second)
      lp+=("$a"); lc+=("$b"); dp+=("$c"); dc+=("$d")
      awk -v t="$t" -v r="$r" -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
        'BEGIN{printf "%-8s %-10s %12.1f %12.1f %12.1f %12.1f %9.2f %9.2f\n", t, r, a, b, c, d, b/a, d/c}'
    done
    a=$(median "${lp[@]}"); b=$(median "${lc[@]}"); c=$(median "${dp[@]}"); d=$(median "${dc[@]}")
    awk -v t="$t" -v a="$a" -v b="$b" -v c="$c" -v d="$d" \
      'BEGIN{printf "%-8s %-10s %12.1f %12.1f %12.1f %12.1f %9.2f %9.2f\n", t, "median", a, b, c, d, b/a, d/c}'
  done
  echo "(pf = prefill tok/s, dc = decode tok/s, ratio = LAC / llama.cpp: above 1 means LAC is faster)"
fi

# ---- a 1B-class Llama 3 shape on random weights, against the roofline ------------
if [[ $SHAPES == 1 ]]; then
  shape=$work/llama3-1b-shape
  mkdir -p "$shape"
  # Llama 3.2 1B's params.json: ffn = 256 * ceil(1.5 * int(2 * 4 * 2048 / 3) / 256) = 8192.
  cat > "$shape/params.json" <<'JSON'
{"dim": 2048, "n_layers": 16, "n_heads": 32, "n_kv_heads": 8, "vocab_size": 128256,
 "ffn_dim_multiplier": 1.5, "multiple_of": 256, "norm_eps": 1e-05, "rope_theta": 500000.0,
 "use_scaled_rope": true}
JSON
  ln -s "$(pwd)/${LAC_LLAMA3_TOKENIZER:-../shared/data/llama3/tokenizer.model}" "$shape/tokenizer.model" 2>/dev/null ||
    cp "${LAC_LLAMA3_TOKENIZER:-../shared/data/llama3/tokenizer.model}" "$shape/tokenizer.model"
  printf '\n1B-class Llama 3 shape (random weights), prompt %d, generate %d\n' "$PLEN" "$GLEN"
  printf '%-7s %-8s %12s %12s %14s %12s %10s\n' format threads "prefill/s" "decode/s" "MiB/step" "read GB/s" "roofline"
  for fmt in q4_0 q8_0; do
    "$BIN/lac-compile" "$shape" --no-weights --weight-format "$fmt" --max-seq-len $((PLEN + GLEN + 64)) \
      -o "$work/shape-$fmt.lac" -q
    for t in $THREADS; do
      "$BIN/lac-run" bench "$work/shape-$fmt.lac" --threads "$t" --prompt-len "$PLEN" --gen-len "$GLEN" \
        --reps "$REPS" --roofline --json > "$work/s.json"
      python3 - "$work/s.json" "$fmt" "$t" <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
r = j["roofline"]
print(f'{sys.argv[2]:<7} {sys.argv[3]:<8} {j["prefill_tokens_per_second"]["median"]:12.1f} '
      f'{j["decode_tokens_per_second"]["median"]:12.2f} {j["decode_bytes_per_step"] / 2**20:14.1f} '
      f'{r["read_gb_per_s"]:12.1f} {100 * r["decode_fraction"]:9.0f}%')
PY
    done
  done
fi
