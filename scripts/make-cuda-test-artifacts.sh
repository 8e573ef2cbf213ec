#!/usr/bin/env bash
# Compiles the tiny model for both targets, for the CUDA engine's tests
# (runtime/engine/cuda/cuda_engine_test.cpp) and scripts/gpu-check.sh:
#
#   scripts/make-cuda-test-artifacts.sh LAC_COMPILE TINY_DIR OUT_DIR [SET...]
#
# TINY_DIR is scripts/make-tiny-models' output (tiny.gguf; tiny-q4_1.gguf is
# made there when missing). SETs (default: all):
#   bf16    bf16.cpu.lac   / bf16.cuda.lac    the bf16 GGUF as stored
#   q8_0    q8_0.cpu.lac   / q8_0.cuda.lac    --weight-format q8_0 on both
#   q4      q4.cpu.lac     / q4.cuda.lac      the q4_1 GGUF: q4_1 on the CPU,
#                                             repacked into q4_g32 for CUDA
#   random  random.cuda.lac                   --no-weights, q4_g32
set -euo pipefail
if [ $# -lt 3 ]; then
  sed -n '2,15p' "$0"
  exit 2
fi
lac=$1 tiny=$2 out=$3
shift 3
sets=("$@")
[ ${#sets[@]} -gt 0 ] || sets=(bf16 q8_0 q4 random)
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
common=(-q --max-seq-len 256 --max-batch 4)

for s in "${sets[@]}"; do
  case $s in
    bf16)
      "$lac" "$tiny/tiny.gguf" --target cpu -o "$out/bf16.cpu.lac" "${common[@]}"
      "$lac" "$tiny/tiny.gguf" --target cuda -o "$out/bf16.cuda.lac" "${common[@]}" ;;
    q8_0)
      "$lac" "$tiny/tiny.gguf" --target cpu --weight-format q8_0 -o "$out/q8_0.cpu.lac" "${common[@]}"
      "$lac" "$tiny/tiny.gguf" --target cuda --weight-format q8_0 -o "$out/q8_0.cuda.lac" "${common[@]}" ;;
    q4)
      if [ ! -f "$tiny/tiny-q4_1.gguf" ]; then
        python3 "$here/make-tiny-models" "$tiny" --formats gguf-q4_1 >/dev/null
      fi
      "$lac" "$tiny/tiny-q4_1.gguf" --target cpu -o "$out/q4.cpu.lac" "${common[@]}"
      "$lac" "$tiny/tiny-q4_1.gguf" --target cuda -o "$out/q4.cuda.lac" "${common[@]}" ;;
    random)
      "$lac" "$tiny/tiny.gguf" --target cuda --no-weights --weight-format q4_g32 -o "$out/random.cuda.lac" \
        "${common[@]}" ;;
    *) echo "make-cuda-test-artifacts: unknown set '$s' (bf16, q8_0, q4, random)" >&2; exit 2 ;;
  esac
done
echo "make-cuda-test-artifacts: wrote ${sets[*]} to $out"
