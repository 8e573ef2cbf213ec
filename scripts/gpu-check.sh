#!/usr/bin/env bash
# The CUDA check, in two halves (docs/BENCHMARKS.md, "GPU check"):
#
#   scripts/gpu-check.sh --prepare [--compiler LAC_COMPILE]   # HERE: scripts/gpu-prepare.sh
#       builds portable binaries and test artifacts into gpu-bundle/ and
#       packs gpu-bundle.tar.xz (< 64 MiB), the one path to carry
#   scripts/gpu-check.sh --run gpu-bundle.tar.xz             # THERE: nothing is built
#       results in $OUT when set, else ./gpu-results
#
# The GPU machine lends ~15 minutes in all, 10 per command, on a bare image:
# no GoogleTest, flatc, Boost, nlohmann-json or PCRE2 headers, no network.
# So --run builds nothing; it unpacks the bundle and runs its binaries.
# Steps, each under `timeout` and bounded by what is left of
# LAC_GPU_BUDGET_S (default 500 s), each logged to RESULTS/<step>.log, one
# line each in RESULTS/SUMMARY.md:
#   preflight     (about a second) GPU, driver, CUDA version, compute
#                 capability; each binary's missing libraries (ldd); where
#                 libcublasLt.so.13 is (searched and put on LD_LIBRARY_PATH;
#                 without it the 16-bit prefill matmuls take the f32 GEMM)
#   kernels-cuda  lac_kernels_cuda_test: the CUDA kernels against references
#   kernels       lac_kernels_cpu_test: the shared kernel test bodies on the
#                 CPU and the CUDA backend
#   engine        lac_cuda_engine_test on the tiny pairs: CudaEngine against
#                 CpuEngine (teacher-forced, margin-aware)
#   e2e           lac-run complete, greedy, on each tiny cpu/cuda pair: the
#                 CUDA tokens must equal the CPU's wherever the CPU's top-2
#                 margin is clear (CPU decodes with int8 activations, CUDA in
#                 f32); the first unclear step ends the comparison and is
#                 reported (scripts/bench/e2e_compare.py)
#   bench-S-F     lac-run bench on each --no-weights plan (S: smollm2,
#                 llama3-1b, llama3-8b; F: bf16, q4_g32): batch-1 decode of
#                 128 tokens, prefill of 512
#   torch         scripts/bench/torch_baseline.py on the 8B shape, if PyTorch
#                 is there and time is left
#   summary       scripts/bench/gpu_summary.py: results.json + a table (decode
#                 tokens/s and fraction of HBM bandwidth, prefill tokens/s)
# The script never stops at a failed step; its exit status is 1 if any failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
case ${1:-} in
  --prepare) shift; exec bash "$root/scripts/gpu-prepare.sh" "$@" ;;
  --run) bundle=${2:?"--run needs the bundle (gpu-bundle.tar.xz or its unpacked folder)"} ;;
  *) sed -n '2,36p' "$0"; exit 2 ;;
esac
res=${OUT:-$root/gpu-results}
budget=${LAC_GPU_BUDGET_S:-500}
mkdir -p "$res"
summary="$res/SUMMARY.md"
t0=$(date +%s)
failed=0
left() { echo $(( budget - ($(date +%s) - t0) )); }

# --- the bundle ------------------------------------------------------------------------
if [ -f "$bundle" ]; then
  dest=${TMPDIR:-/tmp}/lac-gpu-bundle
  rm -rf "$dest" && mkdir -p "$dest"
  if command -v xz >/dev/null; then
    xz -dc "$bundle" | tar -C "$dest" -xf -
  else  # no xz: Python's lzma
    python3 -c 'import lzma,sys,tarfile; tarfile.open(fileobj=lzma.open(sys.argv[1])).extractall(sys.argv[2])' "$bundle" "$dest"
  fi
  b=$(ls -d "$dest"/*/ | head -1)
else
  b=$bundle/
fi
b=${b%/}
[ -x "$b/bin/lac-run" ] || { echo "gpu-check: no bin/lac-run in $b" >&2; exit 1; }
export LD_LIBRARY_PATH="$b/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
lacrun="$b/bin/lac-run"

{
  echo "# LAC GPU check, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  sed -n '1,2p' "$b/MANIFEST" 2>/dev/null | sed 's/^/    /'
  echo
  echo "| step | status | seconds |"
  echo "|---|---|---|"
} > "$summary"

# step NAME MAX_SECONDS CMD...: runs CMD with a timeout of min(MAX, time left - 15).
step() {
  local name=$1 max=$2
  shift 2
  local l t s rc
  l=$(left)
  t=$(( max < l - 15 ? max : l - 15 ))
  if (( t < 5 )); then
    echo "| $name | skipped: time budget spent | 0 |" >> "$summary"
    echo "gpu-check: $name skipped (time budget)"
    failed=1
    return 124
  fi
  echo "gpu-check: $name (up to ${t}s)"
  s=$(date +%s)
  timeout -k 5 "$t" "$@" > "$res/$name.log" 2>&1
  rc=$?
  local st="ok"
  (( rc == 124 || rc == 137 )) && st="TIMEOUT after ${t}s"
  (( rc != 0 && rc != 124 && rc != 137 )) && st="FAILED rc=$rc"
  if (( rc == 77 )); then  # the step cannot run on this machine, and says why
    st="not run: $(tail -n 1 "$res/$name.log" | sed 's/^.*not run: //' | tr '|' '/')"
    rc=0
  fi
  echo "| $name | $st | $(( $(date +%s) - s )) |" >> "$summary"
  (( rc != 0 )) && { failed=1; tail -n 5 "$res/$name.log" | sed 's/^/    /'; }
  return $rc
}

# --- preflight (about a second) ----------------------------------------------------------
# Where the driver's CUDA libraries leave cuBLASLt 13 (the binaries dlopen it).
find_cublaslt() {
  local d
  d=$(ldconfig -p 2>/dev/null | awk '/libcublasLt\.so\.13/ {print $NF; exit}')
  [ -n "$d" ] && { dirname "$d"; return; }
  for d in /usr/local/cuda*/lib64 /usr/local/cuda*/targets/*/lib /usr/lib/x86_64-linux-gnu /opt/*/lib*; do
    [ -e "$d/libcublasLt.so.13" ] && { echo "$d"; return; }
  done
  # pip wheels (nvidia-cublas) under Python's site-packages
  d=$(timeout 3 find / -xdev \( -path /proc -o -path /sys \) -prune -o -name 'libcublasLt.so.13' -print 2>/dev/null | head -1)
  [ -n "$d" ] && dirname "$d"
}
preflight() {
  echo "gpu: $(nvidia-smi --query-gpu=name,memory.total,compute_cap,driver_version,clocks.max.sm --format=csv,noheader 2>&1 | head -1)"
  echo "driver CUDA version: $(nvidia-smi 2>/dev/null | sed -n 's/.*CUDA Version: *\([0-9.]*\).*/\1/p' | head -1)"
  echo "glibc: $(ldd --version 2>/dev/null | head -1 | awk '{print $NF}') here; the bundle $(sed -n '2s/.*, needs /needs /p' "$b/MANIFEST")"
  echo "python3: $(command -v python3 || echo 'MISSING: the e2e comparison and the summary table will fail')"
  local lt missing=0
  lt=$(find_cublaslt)
  if [ -n "$lt" ]; then
    echo "cuBLASLt: $lt/libcublasLt.so.13"
  else
    echo "cuBLASLt: MISSING (libcublasLt.so.13 not found): bf16/f16 prefill runs on the f32 GEMM"
  fi
  for f in "$b"/bin/*; do
    if ldd "$f" 2>&1 | grep -q 'not found'; then
      echo "MISSING for $(basename "$f"): $(ldd "$f" 2>&1 | grep 'not found' | tr -s ' \t' ' ' | tr '\n' ';')"
      missing=1
    fi
  done
  (( missing == 0 )) && echo "every binary finds its libraries"
  echo "bundle: $(sed -n '1p' "$b/MANIFEST" 2>/dev/null)"
  # Tensor parallelism over NCCL (runtime/dist/) needs Open MPI to launch the
  # ranks, libnccl and a GPU per rank: the bundle is built without MPI, so a
  # machine with those runs scripts/gpu-tp-check.sh from a full build.
  echo "GPUs: $(nvidia-smi -L 2>/dev/null | wc -l); mpirun: $(command -v mpirun || echo none) (tensor parallelism over NCCL: the tensor-parallel-nccl step)"
  nvidia-smi -L >/dev/null 2>&1 || { echo "no GPU visible to nvidia-smi"; return 1; }
  return $missing
}
export -f preflight find_cublaslt
export b
step preflight 15 bash -c preflight
cat "$res/preflight.log"
lt_dir=$(sed -n 's|^cuBLASLt: \(/.*\)/libcublasLt.so.13$|\1|p' "$res/preflight.log")
[ -n "$lt_dir" ] && export LD_LIBRARY_PATH="$LD_LIBRARY_PATH:$lt_dir"
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
nvidia-smi > "$res/nvidia-smi.txt" 2>&1

# --- tests -------------------------------------------------------------------------------
export LAC_CUDA_ARTIFACTS="$b/tiny"
step kernels-cuda 90 "$b/bin/lac_kernels_cuda_test" --gtest_color=no
step kernels 120 "$b/bin/lac_kernels_cpu_test" --gtest_color=no
step engine 120 "$b/bin/lac_cuda_engine_test" --gtest_color=no

# Tensor parallelism over NCCL: only on a machine with 2+ GPUs, Open MPI and a full
# build (scripts/gpu-tp-check.sh); elsewhere the summary says why it did not run.
step tensor-parallel-nccl 600 bash scripts/gpu-tp-check.sh

# --- end to end: CUDA greedy tokens against the CPU's where the CPU is clear --------------
e2e() {
  local n=0 bad=0
  for gpu in "$b"/tiny/*.cuda.lac; do
    local cpu=${gpu%.cuda.lac}.cpu.lac
    [ -f "$cpu" ] || continue
    n=$((n + 1))
    local name
    name=$(basename "$gpu" .cuda.lac)
    local target ok=1
    for target in cpu cuda; do
      local plan=$cpu extra=(--top-logprobs 2)
      [ "$target" = cuda ] && plan=$gpu extra=()
      if ! "$lacrun" complete "$plan" "The capital of France is" --temperature 0 --max-gen-len 32 --json "${extra[@]}" \
          > "$res/e2e-$name.$target.json" 2> "$res/e2e-$name.$target.err"; then
        echo "FAILED $name ($target): $(tail -n 1 "$res/e2e-$name.$target.err")"
        ok=0
      fi
    done
    if [ "$ok" = 1 ]; then
      python3 "$root/scripts/bench/e2e_compare.py" "$name" "$res/e2e-$name.cpu.json" "$res/e2e-$name.cuda.json" || bad=1
    else
      bad=1
    fi
  done
  echo "$n pairs compared"
  [ "$n" -gt 0 ] && [ "$bad" -eq 0 ]
}
export -f e2e
export b res lacrun root
step e2e 90 bash -c e2e

# --- benchmarks ----------------------------------------------------------------------------
for shape in smollm2 llama3-1b llama3-8b; do
  for fmt in bf16 q4_g32; do
    plan="$b/plans/$shape.$fmt.cuda.lac"
    [ -f "$plan" ] || continue
    step "bench-$shape-$fmt" 100 bash -c "'$lacrun' bench '$plan' --prompt-len 512 --gen-len 128 --repetitions 3 --warmup 1 --json > '$res/bench-$shape-$fmt.json'"
  done
done

# --- PyTorch baseline (optional) -------------------------------------------------------------
tb=$(( $(left) - 45 ))
if (( tb > 60 )) && python3 -c 'import torch; assert torch.cuda.is_available()' 2>/dev/null; then
  step torch $(( tb + 20 )) python3 scripts/bench/torch_baseline.py "$b/shapes/llama3-8b.json" \
    --prompt-len 512 --budget-s "$tb" --json "$res/torch.json"
else
  echo "| torch | skipped: no PyTorch with CUDA, or no time left | 0 |" >> "$summary"
fi

# --- summary ---------------------------------------------------------------------------------
python3 scripts/bench/gpu_summary.py --results "$res" --shapes "$b/shapes" --gpu-name "$gpu_name" \
  >> "$summary" 2> "$res/summary.log" || { failed=1; echo "summary failed: see summary.log" >> "$summary"; }
echo >> "$summary"
echo "total $(( $(date +%s) - t0 )) s of a ${budget} s budget; exit status $failed" >> "$summary"
cat "$summary"
exit $failed
