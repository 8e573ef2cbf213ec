#!/usr/bin/env bash
# Tensor parallelism on the CPU (issue 17): `mpirun -np 2 lac-run bench` with
# 1 thread per rank against one process with 2 threads, on the Llama 3.2 1B
# shape (dim 2048, 16 layers, 32 heads, 8 KV heads, ffn 8192, vocab 128256,
# tied embeddings) with random weights (lac-compile --no-weights), rounds
# alternated, medians. Prints a markdown table: decode tokens/s, and rank
# 0's time waiting in collectives per decode step.
#
#   bash scripts/bench-tensor-parallel.sh [--formats "q4_0 q8_0"] [--rounds 3] [--gen-len 32]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${LAC_BUILD_DIR:-build}
formats="q4_0 q8_0" rounds=3 gen=32 prompt=64
while (($#)); do
  case $1 in
    --formats) formats=$2; shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --gen-len) gen=$2; shift 2 ;;
    *) echo "bench-tensor-parallel: unknown option $1" >&2; exit 2 ;;
  esac
done
lac_compile="$BUILD/bin/lac-compile" lac_run="$BUILD/bin/lac-run"
[[ -x $lac_compile && -x $lac_run ]] || { echo "bench-tensor-parallel: build first (scripts/test.sh)" >&2; exit 2; }
tiny="$BUILD/tiny-models/hf"
[[ -f $tiny/tokenizer.json ]] || { echo "bench-tensor-parallel: needs $tiny (ctest's make_tiny_models)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shape="$work/llama3.2-1b-shape"
mkdir -p "$shape"
cp "$tiny"/tokenizer.json "$shape/"
[[ -f $tiny/tokenizer_config.json ]] && cp "$tiny/tokenizer_config.json" "$shape/"
cat > "$shape/config.json" <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048, "intermediate_size": 8192,
 "num_hidden_layers": 16, "num_attention_heads": 32, "num_key_value_heads": 8, "head_dim": 64,
 "vocab_size": 128256, "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "max_position_embeddings": 131072,
 "tie_word_embeddings": true, "hidden_act": "silu", "torch_dtype": "bfloat16",
 "rope_scaling": {"factor": 32.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
                  "original_max_position_embeddings": 8192, "rope_type": "llama3"},
 "bos_token_id": 128000, "eos_token_id": 128001}
JSON

mpirun_flags=(--allow-run-as-root --oversubscribe --bind-to none)
bench() {  # $1: lac, rest: launcher prefix; prints "decode_tps coll_ms"
  local lac=$1; shift
  "$@" "$lac_run" bench "$lac" --prompt-len "$prompt" --gen-len "$gen" --reps 1 --warmup 1 --json \
    --threads "$threads" | python3 -c '
import json, sys
j = json.load(sys.stdin)
tp = j.get("tensor_parallel", {})
print(j["decode_tokens_per_second"]["median"], tp.get("collective_ms_per_decode_step", 0.0))'
}
median() { python3 -c 'import statistics, sys; print(f"{statistics.median(map(float, sys.argv[1:])):.2f}")' "$@"; }

lscpu | grep -E "^(Model name|CPU family|Model):" | sed "s/^/# /"
grep -q avx512_vnni /proc/cpuinfo && echo "# AVX-512 VNNI: yes" || echo "# AVX-512 VNNI: no (AVX2 kernels)"
echo "| format | run | decode tok/s | waiting in collectives, ms per step |"
echo "|---|---|---|---|"
for fmt in $formats; do
  "$lac_compile" "$shape" --no-weights --weight-format "$fmt" --max-seq-len 256 -o "$work/one.lac" -q
  "$lac_compile" "$shape" --no-weights --weight-format "$fmt" --max-seq-len 256 --tensor-parallel 2 \
    -o "$work/two.lac" -q
  one=() two=() coll=()
  for ((r = 0; r < rounds; r++)); do
    threads=2; read -r d _ < <(bench "$work/one.lac"); one+=("$d")
    threads=1; read -r d c < <(bench "$work/two.lac" mpirun "${mpirun_flags[@]}" -np 2); two+=("$d"); coll+=("$c")
  done
  echo "| $fmt | 1 process, 2 threads | $(median "${one[@]}") | |"
  echo "| $fmt | mpirun -np 2, 1 thread each | $(median "${two[@]}") | $(median "${coll[@]}") |"
done
