#!/usr/bin/env bash
# The check for a GPU machine (H100/H200; CUDA 13, cmake, ninja,
# PyTorch; no MLIR, no network). Run from the repository root after
# scripts/gpu-prepare.sh ran on the compiler machine and its output folder
# was copied beside the tree:
#
#   scripts/gpu-check.sh            # results in $OUT when set, else ./gpu-results
#
# Steps, each bounded by what is left of LAC_GPU_BUDGET_S (default 540 s),
# each logged to RESULTS/<step>.log, one status line each in RESULTS/SUMMARY.md:
#   gpu         nvidia-smi: name, memory, compute capability -> bandwidth/peak used below
#   configure   cmake -DLAC_BUILD_COMPILER=OFF -DLAC_ENABLE_CUDA=ON (tests off if GTest is missing)
#   build       lac-run and the CUDA test binaries, for this GPU's architecture only
#   ctest       the CUDA tests (kernels against references, engine against the CPU engine)
#   e2e         lac-run complete, greedy, on each tiny cpu/cuda pair: the same text?
#   bench-*     lac-run bench on the Llama-3-8B-shaped --no-weights plans (bf16, q4_g32):
#               1024-token prefill and 128-token batch-1 decode
#   torch       scripts/bench/torch_baseline.py on the same shape, eager and torch.compile
#   summary     scripts/bench/gpu_summary.py: results.json + the table in SUMMARY.md
# The script never stops at a failed step; its exit status is 1 if any failed.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
art=${LAC_GPU_ARTIFACTS:-$root/gpu-artifacts}
res=${OUT:-$root/gpu-results}
budget=${LAC_GPU_BUDGET_S:-540}
build=${LAC_GPU_BUILD_DIR:-$root/build-gpu}
jobs=$(nproc 2>/dev/null || echo 8)
mkdir -p "$res"
summary="$res/SUMMARY.md"
t0=$(date +%s)
failed=0
left() { echo $(( budget - ($(date +%s) - t0) )); }

{
  echo "# LAC GPU check, $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  echo "| step | status | seconds |"
  echo "|---|---|---|"
} > "$summary"

# step NAME MAX_SECONDS CMD...: runs CMD with a timeout of min(MAX, time left - 20).
step() {
  local name=$1 max=$2
  shift 2
  local l t s rc
  l=$(left)
  t=$(( max < l - 20 ? max : l - 20 ))
  if (( t < 10 )); then
    echo "| $name | skipped: time budget spent | 0 |" >> "$summary"
    echo "gpu-check: $name skipped (time budget)"
    failed=1
    return 124
  fi
  echo "gpu-check: $name (up to ${t}s)"
  s=$(date +%s)
  timeout -k 10 "$t" "$@" > "$res/$name.log" 2>&1
  rc=$?
  local st="ok"
  (( rc == 124 || rc == 137 )) && st="TIMEOUT after ${t}s"
  (( rc != 0 && rc != 124 && rc != 137 )) && st="FAILED rc=$rc"
  echo "| $name | $st | $(( $(date +%s) - s )) |" >> "$summary"
  (( rc != 0 )) && { failed=1; tail -n 5 "$res/$name.log" | sed 's/^/    /'; }
  return $rc
}

# --- the GPU -----------------------------------------------------------------------
step gpu 30 nvidia-smi --query-gpu=name,memory.total,compute_cap,driver_version,clocks.max.sm --format=csv,noheader
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
cc=$(nvidia-smi --query-gpu=compute_cap --format=csv,noheader 2>/dev/null | head -1 | tr -d ' .')
[ -n "$cc" ] || cc=90
nvidia-smi > "$res/nvidia-smi.txt" 2>&1

# --- build -------------------------------------------------------------------------
cfg=(-S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DLAC_BUILD_COMPILER=OFF -DLAC_ENABLE_CUDA=ON -DLAC_BUILD_PYTHON=OFF
     "-DCMAKE_CUDA_ARCHITECTURES=$cc")
tests=ON
if ! step configure 120 cmake "${cfg[@]}" -DLAC_BUILD_TESTS=ON; then
  if grep -qi 'gtest' "$res/configure.log"; then
    tests=OFF
    step configure-notests 120 cmake "${cfg[@]}" -DLAC_BUILD_TESTS=OFF
  fi
fi
targets=(lac-run)
# the shared kernel tests carry a CUDA backend too (runtime/kernels/cuda/CMakeLists.txt)
more_tests=(lac_kernels_cpu_test)
if [ "$tests" = ON ] && [ -f "$build/build.ninja" ]; then
  mapfile -t cuda_tests < <(ninja -C "$build" -t targets all 2>/dev/null | sed -n 's/^\(lac_[a-z_]*cuda[a-z_]*_test\):.*/\1/p' | sort -u)
  targets+=("${cuda_tests[@]}" "${more_tests[@]}")
fi
step build 300 ninja -C "$build" -j"$jobs" "${targets[@]}"
lacrun="$build/bin/lac-run"

# --- tests ---------------------------------------------------------------------------
if [ "$tests" = ON ]; then
  LAC_CUDA_ARTIFACTS="$art/tiny" step ctest 180 \
    ctest --test-dir "$build" -R 'cuda|Cuda|CUDA' --output-on-failure --timeout 150 --no-tests=error
fi

# --- end to end through lac-run: CUDA and CPU, the same greedy text? -----------------
e2e() {
  local ok=0 n=0
  for gpu in "$art"/tiny/*.cuda.lac; do
    local cpu=${gpu%.cuda.lac}.cpu.lac
    [ -f "$cpu" ] || continue
    n=$((n + 1))
    local a b
    a=$("$lacrun" complete "$cpu" "The capital of France is" --temperature 0 --max-gen-len 24 2>&1)
    b=$("$lacrun" complete "$gpu" "The capital of France is" --temperature 0 --max-gen-len 24 2>&1)
    if [ "$a" = "$b" ]; then
      echo "SAME  $(basename "$gpu" .cuda.lac): $(printf %q "$a")"
      ok=$((ok + 1))
    else
      echo "DIFF  $(basename "$gpu" .cuda.lac):"
      echo "  cpu:  $(printf %q "$a")"
      echo "  cuda: $(printf %q "$b")"
    fi
  done
  echo "$ok of $n pairs produced the same greedy text"
  [ "$n" -gt 0 ] && [ "$ok" -eq "$n" ]
}
export -f e2e
export art lacrun
[ -x "$lacrun" ] && step e2e 90 bash -c e2e

# --- benchmarks ----------------------------------------------------------------------
for fmt in bf16 q4_g32; do
  plan="$art/llama3-8b.$fmt.cuda.lac"
  [ -f "$plan" ] && [ -x "$lacrun" ] || continue
  step "bench-$fmt" 150 bash -c "'$lacrun' bench '$plan' --prompt-len 1024 --gen-len 128 --repetitions 3 --warmup 1 --json > '$res/bench-$fmt.json'"
done

# --- PyTorch baseline ----------------------------------------------------------------
tb=$(( $(left) - 60 ))
if (( tb > 60 )); then
  step torch $(( tb + 30 )) python3 scripts/bench/torch_baseline.py "$art/llama3-8b-shape/config.json" \
    --budget-s "$tb" --json "$res/torch.json"
else
  echo "| torch | skipped: time budget spent | 0 |" >> "$summary"
fi

# --- summary -------------------------------------------------------------------------
python3 scripts/bench/gpu_summary.py --results "$res" --config "$art/llama3-8b-shape/config.json" \
  --gpu-name "$gpu_name" >> "$summary" 2> "$res/summary.log" || { failed=1; echo "summary failed: see summary.log" >> "$summary"; }
echo >> "$summary"
echo "total $(( $(date +%s) - t0 )) s of a ${budget} s budget; exit status $failed" >> "$summary"
cat "$summary"
exit $failed
