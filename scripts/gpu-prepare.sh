#!/usr/bin/env bash
# The GPU check's first half, run HERE (the machine with compilers, MLIR's
# lac-compile and the libraries): builds what scripts/gpu-check.sh --run
# executes on a GPU machine that has a driver but nothing to build with
# (no GoogleTest, flatc, Boost, nlohmann-json, PCRE2 headers; no network).
#
#   scripts/gpu-check.sh --prepare [--compiler LAC_COMPILE] [--out DIR]
#   (or scripts/gpu-prepare.sh with the same options)
#
# Steps:
#   build   build-gpu-bundle/: -DLAC_BUILD_COMPILER=OFF -DLAC_ENABLE_CUDA=ON
#           -DLAC_PORTABLE_BINARIES=ON (libstdc++, libgcc, cudart, Boost,
#           PCRE2 static; cuBLASLt is dlopen'd) -DCMAKE_CUDA_ARCHITECTURES=90
#           (H100 and H200; LAC_GPU_ARCH overrides); the CUDA engine's
#           artifacts need the same CUDA major version (13) on the GPU side's
#           driver, and this machine's older glibc keeps the binaries loadable there
#   stage   DIR (default gpu-bundle/, ignored by git):
#             bin/      lac-run (also the benchmark: lac-run bench),
#                       lac_kernels_cuda_test, lac_kernels_cpu_test (the
#                       shared kernel bodies, CPU and CUDA backends),
#                       lac_cuda_engine_test; stripped
#             lib/      any shared library ldd still lists beyond glibc, the
#                       dynamic loader and the driver (none, normally)
#             tiny/     the tiny model for both targets, sets q4 (q4_1 on the
#                       CPU, q4_g32 on CUDA) and random (make-cuda-test-artifacts.sh)
#             plans/    --no-weights plans, bf16 and q4_g32, max_seq_len 1024,
#                       batch 1: smollm2 (SmolLM2-135M's GGUF when
#                       ~/.cache/lac has it), llama3-1b, llama3-8b; shapes/
#                       holds each one's config for the roofline summary
#             MANIFEST  sizes, commit, what was left out and why
#   pack    DIR.tar.xz (xz -9 with a 192 MiB dictionary: the plans share one
#           tokenizer, stored once) -- the one path to carry; it must stay
#           under 64 MiB (LAC_GPU_CARRY_MIB).
# Left out: SmolLM2 with real weights (q4_g32 is 84 MB, 90 MB even under
# xz: more than the whole carry), so its greedy text cannot be checked
# against the transformers goldens on the GPU machine.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/gpu-bundle
lac=${LAC_COMPILE:-}
while [ $# -gt 0 ]; do
  case $1 in
    --compiler) lac=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h|--help) sed -n '2,38p' "$0"; exit 0 ;;
    *) echo "gpu-prepare: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
build=${LAC_GPU_BUILD_DIR:-$root/build-gpu-bundle}
arch=${LAC_GPU_ARCH:-90}
limit_mib=${LAC_GPU_CARRY_MIB:-64}
# lac-compile: --compiler, $LAC_COMPILE, this tree's build/, or the main checkout's.
if [ -z "$lac" ]; then
  for c in "$root/build/bin/lac-compile" "$(git -C "$root" worktree list --porcelain 2>/dev/null | sed -n '1s/^worktree //p')/build/bin/lac-compile"; do
    [ -x "$c" ] && { lac=$c; break; }
  done
fi
[ -n "$lac" ] && [ -x "$lac" ] || { echo "gpu-prepare: no lac-compile found: pass --compiler PATH (a build with MLIR)" >&2; exit 1; }
echo "gpu-prepare: compiler $lac"

# --- build -------------------------------------------------------------------------
targets=(lac-run lac_kernels_cuda_test lac_kernels_cpu_test lac_cuda_engine_test)
# MPI off: the bare GPU image has no Open MPI to launch or load (libmpi, and
# NCCL's 200 MB library with it), so the bundle is one GPU, one process; the
# tensor-parallel NCCL path needs a machine with mpirun (docs/CLI.md).
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLAC_BUILD_COMPILER=OFF -DLAC_ENABLE_CUDA=ON \
  -DLAC_BUILD_PYTHON=OFF -DLAC_BUILD_TESTS=ON -DLAC_PORTABLE_BINARIES=ON -DLAC_ENABLE_MPI=OFF \
  "-DCMAKE_CUDA_ARCHITECTURES=$arch" >/dev/null
nice -n 5 ninja -C "$build" -j "${LAC_GPU_JOBS:-2}" "${targets[@]}"

# --- stage -------------------------------------------------------------------------
rm -rf "$out" "$out.tar.xz"
mkdir -p "$out/bin" "$out/lib" "$out/tiny" "$out/plans" "$out/shapes"
left_out=()
for t in "${targets[@]}"; do
  f=$(find "$build" -type f -name "$t" -perm -u+x | head -1)
  [ -n "$f" ] || { echo "gpu-prepare: $t was not built" >&2; exit 1; }
  cp "$f" "$out/bin/"
  strip "$out/bin/$t"
done
# Shared libraries still needed: everything but glibc's, the loader and the
# driver's (the GPU machine has its own, matching its kernel module).
system_lib='^(linux-vdso|libc|libm|libdl|librt|libpthread|ld-linux-x86-64|libcuda|libnvidia-.*)\.so'
for b in "$out"/bin/*; do
  ldd "$b" | awk '/=>/ {print $1, $3}' | while read -r name path; do
    [[ $name =~ $system_lib ]] && continue
    [ -f "$out/lib/$name" ] || { cp -L "$path" "$out/lib/$name"; echo "gpu-prepare: carries $name (ldd of $(basename "$b"))"; }
  done
done

tiny=${LAC_TINY_MODELS:-$build/tiny-models}
if [ ! -f "$tiny/tiny.gguf" ] || [ ! -f "$tiny/hf/tokenizer.json" ]; then
  python3 "$root/scripts/make-tiny-models" "$tiny" --formats gguf,hf >/dev/null
fi
# q4 and random always; q8_0 then bf16 while the packed bundle fits (the
# tiny model's random weights hardly compress: ~25 and ~40 MiB a pair).
bash "$root/scripts/make-cuda-test-artifacts.sh" "$lac" "$tiny" "$out/tiny" q4 random q8_0 bf16 >/dev/null
optional_sets=(q8_0 bf16)

# Shapes: HF configs compiled --no-weights with the tiny model's Llama 3
# tokenizer (128256 tokens); SmolLM2 from its GGUF (its own 49152-token vocabulary).
write_llama3_config() {  # NAME DIM LAYERS HEADS KV FFN TIED
  mkdir -p "$out/.cfg/$1"
  cat > "$out/.cfg/$1/config.json" <<JSON
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": $2, "num_hidden_layers": $3,
 "num_attention_heads": $4, "num_key_value_heads": $5, "intermediate_size": $6, "vocab_size": 128256,
 "rms_norm_eps": 1e-05, "rope_theta": 500000.0, "max_position_embeddings": 8192, "bos_token_id": 128000,
 "eos_token_id": 128001, "tie_word_embeddings": $7, "torch_dtype": "bfloat16"}
JSON
  cp "$tiny/hf/tokenizer.json" "$out/.cfg/$1/"
  cp "$out/.cfg/$1/config.json" "$out/shapes/$1.json"
}
write_llama3_config llama3-1b 2048 16 32 8 8192 true
write_llama3_config llama3-8b 4096 32 32 8 14336 false
plan_opts=(--no-weights --target cuda --max-seq-len 1024 --max-batch 1 -q)
for fmt in bf16 q4_g32; do
  for s in llama3-1b llama3-8b; do
    "$lac" "$out/.cfg/$s" "${plan_opts[@]}" --weight-format "$fmt" -o "$out/plans/$s.$fmt.cuda.lac"
  done
done
rm -rf "$out/.cfg"
smol=${LAC_SMOLLM2_GGUF:-$HOME/.cache/lac/SmolLM2-135M-Instruct.Q4_1.gguf}
if [ -f "$smol" ]; then
  for fmt in bf16 q4_g32; do
    "$lac" "$smol" "${plan_opts[@]}" --weight-format "$fmt" -o "$out/plans/smollm2.$fmt.cuda.lac"
  done
  cat > "$out/shapes/smollm2.json" <<'JSON'
{"hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
 "intermediate_size": 1536, "vocab_size": 49152, "tie_word_embeddings": true}
JSON
else
  left_out+=("the SmolLM2 shape ($smol not found; scripts/fetch-model.sh)")
fi
left_out+=("SmolLM2 with real weights: 84 MB at q4_g32 (90 MB under xz), more than the 64 MiB carry; no greedy check against the transformers goldens")

# --- manifest and pack ---------------------------------------------------------------
manifest() {
{
  echo "made by scripts/gpu-prepare.sh from $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?') on $(date -u +%FT%TZ)"
  # the newest glibc symbol version the binaries use (static libstdc++ and libgcc bring arc4random, _dl_find_object)
  need=$(for f in "$out"/bin/*; do objdump -T "$f" | grep -o 'GLIBC_[0-9.]*'; done | sort -uV | tail -1)
  echo "CUDA $(nvcc --version 2>/dev/null | sed -n 's/.*release \([0-9.]*\).*/\1/p'), sm_$arch, built on glibc $(ldd --version | head -1 | awk '{print $NF}'), needs ${need/_/ >= }"
  (cd "$out" && find . -type f ! -name MANIFEST -printf '%s %p\n' | sort -k2)
  for l in "${left_out[@]}"; do echo "left out: $l"; done
} > "$out/MANIFEST"
}
pack() {
  manifest
  echo "gpu-prepare: packing $out.tar.xz ($(du -sm "$out" | cut -f1) MiB unpacked)"
  tar -C "$(dirname "$out")" -cf - "$(basename "$out")" | xz -9 --lzma2=preset=9,dict=192MiB -T1 > "$out.tar.xz"
  mib=$(( ($(stat -c %s "$out.tar.xz") + 1048575) / 1048576 ))
  echo "gpu-prepare: $out.tar.xz is $mib MiB (limit $limit_mib)"
}
pack
while (( mib > limit_mib )) && (( ${#optional_sets[@]} > 0 )); do
  last=${optional_sets[-1]}
  unset 'optional_sets[-1]'
  rm -f "$out/tiny/$last".*.lac
  left_out+=("tiny set $last (the bundle would be above $limit_mib MiB packed)")
  pack
done
if (( mib > limit_mib )); then
  echo "gpu-prepare: too big to carry" >&2
  exit 1
fi
echo "gpu-prepare: carry [\"$(basename "$out").tar.xz\"] and run: scripts/gpu-check.sh --run $(basename "$out").tar.xz"
