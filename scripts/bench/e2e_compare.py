#!/usr/bin/env python3
"""CUDA greedy tokens against the CPU's, where the CPU's choice is clear
(scripts/gpu-check.sh's e2e step; the rule of cuda_engine_test.cpp).

    e2e_compare.py NAME CPU.json CUDA.json [--margin 0.2]

CPU.json: `lac-run complete --temperature 0 --top-logprobs 2 --json` on the
cpu plan; CUDA.json: the same prompt, greedy, on the cuda plan. The CPU
decodes quantized weights with int8 activations and CUDA in f32, so their
logits differ a little: a step whose CPU top-2 logprob margin is below
--margin (nats) may go either way. Walking the steps: equal tokens agree; a
different token where the CPU's margin is clear is a failure (exit 1); a
different token where it is not ends the comparison (the texts continue
from different prefixes) and is reported with its margin.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("name")
    ap.add_argument("cpu")
    ap.add_argument("cuda")
    ap.add_argument("--margin", type=float, default=0.2)
    a = ap.parse_args()
    cpu = json.load(open(a.cpu))[0]
    gpu = json.load(open(a.cuda))[0]
    c, g, top = cpu["token_ids"], gpu["token_ids"], cpu.get("top_logprobs", [])
    agreed = 0
    for i in range(max(len(c), len(g))):
        ci = c[i] if i < len(c) else None  # None: that side stopped
        gi = g[i] if i < len(g) else None
        if ci == gi:
            agreed += 1
            continue
        m = top[i][0]["logprob"] - top[i][1]["logprob"] if i < len(top) and len(top[i]) > 1 else None
        if m is not None and m > a.margin:
            print(f"DIFF   {a.name}: step {i}: CUDA {gi}, CPU {ci} with a clear top-2 margin {m:.3f} "
                  f"(> {a.margin}); {agreed} steps agreed before")
            print(f"  cpu:  {cpu['generation']!r}\n  cuda: {gpu['generation']!r}")
            return 1
        why = f"top-2 margin {m:.3f} <= {a.margin}" if m is not None else "no CPU margin there (a side stopped)"
        print(f"UNCLEAR {a.name}: agreed on {agreed} steps; step {i} differs (CUDA {gi}, CPU {ci}) where the CPU's "
              f"{why}: not compared further")
        print(f"  cpu:  {cpu['generation']!r}\n  cuda: {gpu['generation']!r}")
        return 0
    print(f"SAME   {a.name}: all {agreed} steps agree: {cpu['generation']!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
