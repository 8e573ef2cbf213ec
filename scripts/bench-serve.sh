#!/usr/bin/env bash
# lac-serve against llama.cpp's llama-server under scripts/load-test.py: the
# same GGUF, the same threads and parallel slots, N concurrent streaming
# clients (default 1 8 32), runs alternated (llama-server, lac-serve, ...).
# Then 2,000 requests against lac-serve after a warm-up, watching its RSS.
# llama-server is built once from the llama.cpp source vendored in
# llama-cpp-python's sdist (scripts/bench-batched.sh fetches it) into
# $LAC_MODEL_CACHE/llama.cpp-build. Loopback only. Reports; asserts nothing.
#
#   scripts/bench-serve.sh [--threads 2] [--parallel 8] [--clients "1 8 32"] [--rounds 2]
#                          [--max-tokens 64] [--requests-per-client 4] [--rss-requests 2000]
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=2 PARALLEL=8 CLIENTS="1 8 32" ROUNDS=2 MAXTOK=64 PER=4 RSS_REQUESTS=2000
CACHE=${LAC_MODEL_CACHE:-$HOME/.cache/lac}
MODEL=$CACHE/SmolLM2-135M-Instruct.Q4_1.gguf
while [[ $# -gt 0 ]]; do
  case $1 in
    --threads) THREADS=$2; shift 2 ;;
    --parallel) PARALLEL=$2; shift 2 ;;
    --clients) CLIENTS=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --max-tokens) MAXTOK=$2; shift 2 ;;
    --requests-per-client) PER=$2; shift 2 ;;
    --rss-requests) RSS_REQUESTS=$2; shift 2 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done
BIN=${LAC_BIN:-build/bin}
[[ -x $BIN/lac-serve && -x $BIN/lac-compile ]] || { echo "build lac-serve and lac-compile first" >&2; exit 1; }
[[ -f $MODEL ]] || { echo "no $MODEL: run scripts/fetch-model.sh" >&2; exit 1; }
LS=$(bash scripts/bench/llamacpp-build.sh llama-server)/llama-server

CTX=512
WORK=$(mktemp -d)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT
"$BIN/lac-compile" "$MODEL" -o "$WORK/model.lac" -q --max-batch "$PARALLEL" --max-seq-len "$CTX"

wait_ready() {  # PORT
  for _ in $(seq 300); do
    curl -sf "http://127.0.0.1:$1/health" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "server on port $1 never became ready" >&2
  return 1
}
# The servers run in this shell (not a $(...) subshell) so the EXIT trap
# stops them.
"$BIN/lac-serve" "$WORK/model.lac" --port 18301 --threads "$THREADS" --parallel "$PARALLEL" \
  >"$WORK/lac.log" 2>&1 &
lac_pid=$!
PIDS+=("$lac_pid")
"$LS" -m "$MODEL" --host 127.0.0.1 --port 18302 -t "$THREADS" -tb "$THREADS" -np "$PARALLEL" \
  -c $((CTX * PARALLEL)) >"$WORK/llama.log" 2>&1 &
llama_pid=$!
PIDS+=("$llama_pid")
wait_ready 18301
wait_ready 18302
load() {  # PORT PID CLIENTS -> JSON
  python3 scripts/load-test.py --port "$1" --pid "$2" --clients "$3" --requests $(($3 * PER)) \
    --max-tokens "$MAXTOK" --json || true
}
field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$1" "$2"; }

echo "CPU: $(lscpu | sed -n 's/^Model name: *//p'), $THREADS threads, $PARALLEL parallel slots, $MAXTOK tokens per answer"
echo "| clients | server | tok/s | req/s | TTFT p50 ms | TTFT p99 ms | ITL p50 ms | ITL p99 ms | errors |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $CLIENTS; do
  for ((r = 0; r < ROUNDS; r++)); do
    for who in llama lac; do
      if [[ $who == lac ]]; then j=$(load 18301 "$lac_pid" "$n"); name=lac-serve; else j=$(load 18302 "$llama_pid" "$n"); name=llama-server; fi
      python3 -c "
import json, sys
d = json.loads(sys.argv[1])
print(f\"| {d['clients']} | $name | {d['tokens_per_second']:.1f} | {d['requests_per_second']:.2f} | {d['ttft_p50_ms']:.0f} | {d['ttft_p99_ms']:.0f} | {d['itl_p50_ms']:.1f} | {d['itl_p99_ms']:.1f} | {d['errors']} |\")" "$j"
    done
  done
done

# RSS over many requests: a warm-up, then RSS_REQUESTS more.
load 18301 "$lac_pid" 8 >/dev/null
j=$(python3 scripts/load-test.py --port 18301 --pid "$lac_pid" --clients 8 --requests "$RSS_REQUESTS" \
      --max-tokens 16 --seconds 1800 --json || true)
echo
echo "lac-serve, $RSS_REQUESTS requests (8 clients, 16 tokens) after warm-up: errors $(field "$j" errors), RSS $(field "$j" rss_start_mib) -> $(field "$j" rss_end_mib) MiB"
