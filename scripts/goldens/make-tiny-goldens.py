#!/usr/bin/env python3
"""End-to-end goldens for the tiny random Llama 3 model, from an independent
implementation: Hugging Face transformers' LlamaForCausalLM (float32, CPU).

The tiny model is random but reproducible (scripts/make-tiny-models, seed 0).
This script regenerates its Hugging Face folder in a temporary directory (so
HF's own q/k permutation and its `llama3` rope_scaling are exercised), loads it
with transformers in float32 and, for a batch of prompts (token ids from the
Llama 3 tokenizer on varied text, one longer than 64 tokens), records:
  tokens          the prompt token ids (with <|begin_of_text|>)
  top10_ids/vals  the 10 largest logits at the last prompt position
  probe_ids/vals  the logits of 5 fixed ids (full-vocabulary checks)
  logit_mean/std  the mean and standard deviation over the whole vocabulary
  greedy          16 greedy tokens (full forward per step, no KV cache)
into test/goldens/e2e/tiny-llama3.json. Not run in CI; CI compares against the
committed file (test/integration/golden_e2e_test.cpp).

Usage: scripts/goldens/make-tiny-goldens.py [out.json]
Needs torch, transformers and numpy.
"""
import json
import os
import subprocess
import sys
import tempfile

import torch
from transformers import AutoTokenizer, LlamaForCausalLM

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "test", "goldens", "e2e", "tiny-llama3.json")

TEXTS = [
    "Hello",
    "The capital of France is",
    "def fibonacci(n):\n    if n < 2:\n        return n",
    "Les sciences naturelles étudient la nature; 東京は日本の首都です。",
    ("In the beginning the Universe was created. This has made a lot of people very angry and "
     "been widely regarded as a bad move. Many races believe that it was created by some sort of "
     "God, though the Jatravartid people of Viltvodle VI believe that the entire Universe was in "
     "fact sneezed out of the nose of a being called the Great Green Arkleseizure. 1, 2, 3, 42!"),
]
PROBE_IDS = [0, 13, 1000, 50000, 128001]
TOP_K = 10
GREEDY_LEN = 16


def r(x):
    return float(f"{float(x):.6g}")


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else OUT
    torch.manual_seed(0)
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make-tiny-models"), tmp,
                        "--formats", "hf"], check=True, stdout=subprocess.DEVNULL)
        hf = os.path.join(tmp, "hf")
        tok = AutoTokenizer.from_pretrained(hf)
        model = LlamaForCausalLM.from_pretrained(hf, dtype=torch.float32).eval()

    prompts = []
    with torch.no_grad():
        for text in TEXTS:
            ids = tok(text)["input_ids"]
            if ids[0] != 128000:
                ids = [128000] + ids
            logits = model(torch.tensor([ids])).logits[0, -1].float()
            top = torch.topk(logits, TOP_K)
            seq = list(ids)
            for _ in range(GREEDY_LEN):
                nxt = int(model(torch.tensor([seq])).logits[0, -1].argmax())
                seq.append(nxt)
            prompts.append({
                "text": text,
                "tokens": ids,
                "top10_ids": [int(i) for i in top.indices],
                "top10_vals": [r(v) for v in top.values],
                "probe_ids": PROBE_IDS,
                "probe_vals": [r(logits[i]) for i in PROBE_IDS],
                "logit_mean": r(logits.mean()),
                "logit_std": r(logits.std()),
                "greedy": seq[len(ids):],
            })
            print(f"{len(ids):4d} tokens -> top1 {prompts[-1]['top10_ids'][0]} greedy {prompts[-1]['greedy'][:6]}...")

    doc = {
        "source": "transformers LlamaForCausalLM, float32, CPU; model: scripts/make-tiny-models seed 0 (hf format)",
        "generator": "scripts/goldens/make-tiny-goldens.py",
        "prompts": prompts,
    }
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {out} ({os.path.getsize(out)} bytes)")


if __name__ == "__main__":
    main()
