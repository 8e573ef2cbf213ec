#!/usr/bin/env bash
# A/B of lac-run binaries on one artifact: alternates the binaries (and thread
# counts) round by round so both see the same machine load, and prints each
# run's median prefill and decode tok/s. Reports; asserts nothing.
#
#   scripts/bench-ab.sh MODEL.lac ROUNDS "THREADS" LAC_RUN_A [LAC_RUN_B ...] [-- extra bench options]
#   e.g. scripts/bench-ab.sh build/smollm2.lac 3 "1 2" base/bin/lac-run build/bin/lac-run
set -euo pipefail
model=$1 rounds=$2 threads=$3
shift 3
bins=()
while [[ $# -gt 0 && $1 != -- ]]; do bins+=("$1"); shift; done
[[ $# -gt 0 ]] && shift
for r in $(seq "$rounds"); do
  for t in $threads; do
    for b in "${bins[@]}"; do
      "$b" bench "$model" --threads "$t" --repetitions 3 --json "$@" | python3 -c '
import json, sys
j = json.load(sys.stdin)
pf, dc = j["prefill_tokens_per_second"]["median"], j["decode_tokens_per_second"]["median"]
print("round %s threads %s %s: prefill %.1f tok/s, decode %.1f tok/s" % (sys.argv[1], sys.argv[2], sys.argv[3], pf, dc))
' "$r" "$t" "$b"
    done
  done
done
