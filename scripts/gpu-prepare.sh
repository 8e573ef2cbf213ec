#!/usr/bin/env bash
# Run on a machine with MLIR before the GPU check: compiles what
# scripts/gpu-check.sh runs on the GPU machine, where no compiler exists,
# into one small folder that goes to the GPU machine with the tree (an
# ignored path, at most ~60 MiB):
#
#   scripts/gpu-prepare.sh [BUILD_DIR=build] [OUT=gpu-artifacts]
#
# OUT/llama3-8b-shape/      config.json (Llama-3-8B: dim 4096, 32 layers, 32
#                           heads, 8 kv heads, ffn 14336, vocab 128256); with
#                           the tiny model's Llama 3 tokenizer.json beside it
#                           while compiling, it is a config-only HF model
#                           (lac-compile --no-weights reads config + tokenizer)
# OUT/llama3-8b.bf16.cuda.lac    --no-weights, bf16        (plans only: the
# OUT/llama3-8b.q4_g32.cuda.lac  --no-weights, q4_g32       engine fills random
#                                                           weights on the GPU)
# OUT/tiny/                 the tiny model for both targets
#                           (scripts/make-cuda-test-artifacts.sh), as many sets
#                           as fit: q4 (the lossless q4_1 -> q4_g32 path),
#                           random, then q8_0 and bf16
# OUT/MANIFEST              what is there, sizes, the commit it was made from
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
out=${2:-$root/gpu-artifacts}
limit_mib=${LAC_GPU_CARRY_MIB:-60}
lac="$build/bin/lac-compile"
if [ ! -x "$lac" ]; then
  echo "gpu-prepare: $lac not found: build it first (ninja -C $build lac-compile)" >&2
  exit 1
fi
tiny="$build/tiny-models"
if [ ! -f "$tiny/tiny.gguf" ] || [ ! -f "$tiny/hf/tokenizer.json" ]; then
  python3 "$root/scripts/make-tiny-models" "$tiny" --formats gguf,hf >/dev/null
fi
rm -rf "$out"
mkdir -p "$out/tiny"

# --- Llama-3-8B shape, config only -------------------------------------------------
shape="$out/llama3-8b-shape"
mkdir -p "$shape"
cat > "$shape/config.json" <<'JSON'
{
  "architectures": ["LlamaForCausalLM"],
  "model_type": "llama",
  "hidden_size": 4096,
  "intermediate_size": 14336,
  "num_attention_heads": 32,
  "num_hidden_layers": 32,
  "num_key_value_heads": 8,
  "vocab_size": 128256,
  "rms_norm_eps": 1e-05,
  "rope_theta": 500000.0,
  "max_position_embeddings": 8192,
  "bos_token_id": 128000,
  "eos_token_id": 128001,
  "tie_word_embeddings": false,
  "torch_dtype": "bfloat16"
}
JSON
cp "$tiny/hf/tokenizer.json" "$shape/"
[ -f "$tiny/hf/tokenizer_config.json" ] && cp "$tiny/hf/tokenizer_config.json" "$shape/"
# 2048 positions: prefill of 1024 + decode fits; batch 1 (the decode step is
# one sequence; see docs/BENCHMARKS.md).
for fmt in bf16 q4_g32; do
  "$lac" "$shape" --no-weights --target cuda --weight-format "$fmt" --max-seq-len 2048 --max-batch 1 -q \
    -o "$out/llama3-8b.$fmt.cuda.lac"
done
# The plans hold the tokenizer; the GPU side needs only config.json (the
# PyTorch baseline's shape): drop the 17 MB tokenizer.json from the carry.
rm -f "$shape/tokenizer.json" "$shape/tokenizer_config.json"

# --- the tiny model, as many sets as fit ---------------------------------------------
size_mib() { du -sm "$out" | cut -f1; }
for set in q4 random q8_0 bf16; do
  tmp="$out/.tmp-$set"
  bash "$root/scripts/make-cuda-test-artifacts.sh" "$lac" "$tiny" "$tmp" "$set" >/dev/null
  if [ $(( $(size_mib) )) -le "$limit_mib" ]; then
    mv "$tmp"/* "$out/tiny/"
    echo "gpu-prepare: tiny set $set added ($(size_mib) MiB so far)"
  else
    echo "gpu-prepare: tiny set $set left out: it would take the folder above $limit_mib MiB"
  fi
  rm -rf "$tmp"
done

{
  echo "made by scripts/gpu-prepare.sh from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') on $(date -u +%FT%TZ)"
  (cd "$out" && find . -type f -name '*.lac' -exec ls -l {} \; | awk '{print $5, $9}')
} > "$out/MANIFEST"
echo "gpu-prepare: $out is $(size_mib) MiB; carry it (run's carry: [\"$(basename "$out")\"]) and run scripts/gpu-check.sh"
