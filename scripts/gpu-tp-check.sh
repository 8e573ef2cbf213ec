#!/usr/bin/env bash
# Tensor parallelism over NCCL (issue 17): the check for a machine with two
# or more GPUs, Open MPI (mpirun) and NCCL, where the README's test set-up
# has run (a build/ with CUDA, MPI and NCCL: cmake prints "tensor
# parallelism on GPUs is off" when NCCL is missing). The lent GPU machines
# have one GPU and no Open MPI, and NCCL refuses two ranks on one GPU, so
# scripts/gpu-check.sh --run only reports why this did not run there.
#
#   scripts/gpu-tp-check.sh [BUILD_DIR]        (default: build/)
#
# 1. `mpirun -np 2 lac-dist-check nccl`: all-reduce, all-gather, broadcast
#    and 2000 one-element all-reduces over NCCL, one GPU per rank, checked
#    on every rank.
# 2. `test/tensor_parallel/tp_test.py same ... cuda`: the tiny model's
#    2-shard Meta checkpoint (f32) and its GGUF copy (bf16) compiled for the
#    GPU at --tensor-parallel 2, run under mpirun, against the same model
#    on one GPU: 12 prompts x 32 greedy tokens identical, log-probabilities
#    within 1e-4.
# Exit 0 when all pass, 77 when the machine cannot run it (and says why),
# 1 on a failure.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}

gpus=$(nvidia-smi -L 2>/dev/null | grep -c '^GPU' || true)
why=""
if (( gpus < 2 )); then why="$gpus GPU(s) visible: NCCL needs one GPU per rank, so 2 at least"
elif ! command -v mpirun >/dev/null; then why="no mpirun (Open MPI launches the ranks: apt-get install openmpi-bin)"
elif [ ! -x "$build/runtime/dist/lac-dist-check" ] || [ ! -x "$build/bin/lac-run" ] || [ ! -x "$build/bin/lac-compile" ]; then
  why="no $build with lac-dist-check, lac-run and lac-compile (run the README's test set-up first)"
elif ! grep -q '^LAC_NCCL_LIBRARY:FILEPATH=/' "$build/CMakeCache.txt" 2>/dev/null; then
  why="$build was configured without NCCL (LAC_NCCL_LIBRARY not found beside the CUDA toolkit)"
fi
if [ -n "$why" ]; then
  echo "gpu-tp-check: not run: $why"
  exit 77
fi

mpirun=(mpirun --allow-run-as-root -np 2)
fail=0
echo "== collectives over NCCL, 2 ranks ($gpus GPUs)"
timeout 300 "${mpirun[@]}" "$build/runtime/dist/lac-dist-check" nccl || fail=1
tiny=$build/tiny-models
[ -d "$tiny/meta2" ] || python3 "$root/scripts/make-tiny-models" "$tiny" >/dev/null || fail=1
for m in "meta2 f32" "tiny.gguf bf16"; do
  set -- $m
  echo "== $1 ($2) on 2 GPUs against 1 GPU"
  timeout 900 python3 "$root/test/tensor_parallel/tp_test.py" same "$build/bin/lac-compile" "$build/bin/lac-run" \
    "$tiny/$1" 2 "$2" cuda || fail=1
done
if (( fail )); then echo "gpu-tp-check: FAILED"; exit 1; fi
echo "gpu-tp-check: ok"
