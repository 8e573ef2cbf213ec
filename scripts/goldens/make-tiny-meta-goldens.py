#!/usr/bin/env python3
"""End-to-end goldens for the tiny random Llama 3 model from Meta's reference
semantics (scripts/goldens/meta_reference.py: complex rotary embedding on
adjacent pairs, repeat_kv, KV cache, Meta's batched greedy loop), float32, CPU.

The tiny model is random but reproducible (scripts/make-tiny-models, seed 0);
this script writes its Meta checkpoint (params.json + consolidated.00.pth +
tokenizer.model) to a temporary directory, tokenizes the prompts with Meta's
tokenizer semantics (meta_tokenizer.py: tiktoken over tokenizer.model) and
records, for each prompt, into test/goldens/e2e/tiny-llama3-meta.json:
  tokens          the prompt token ids (with <|begin_of_text|>)
  top10_ids/vals  the 10 largest logits at the last prompt position (one
                  forward of the whole prompt at start_pos 0)
  probe_ids/vals  the logits of 5 fixed ids (full-vocabulary checks)
  logit_mean/std  mean and standard deviation over the whole vocabulary
  greedy          16 greedy tokens from Meta's batched loop: all prompts in one
                  batch, decoding from the shortest prompt's length with the
                  KV cache, longer prompts forced to their own tokens
Checks made here (the script fails otherwise): the batched loop's logits at
each prompt's last position equal the single-prompt forward's (max |diff|
printed), and the token ids equal those of tiny-llama3.json (transformers'
tokenizer); the largest logit difference to the transformers goldens is
printed. Not run in CI; CI compares against the committed file
(test/integration/golden_e2e_test.cpp).

Usage: scripts/goldens/make-tiny-meta-goldens.py [--checkpoint DIR] [out.json]
Needs torch, tiktoken and numpy.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT = os.path.join(ROOT, "test", "goldens", "e2e", "tiny-llama3-meta.json")
HF_GOLDEN = os.path.join(ROOT, "test", "goldens", "e2e", "tiny-llama3.json")
sys.path.insert(0, HERE)

from meta_reference import generate, load  # noqa: E402
from meta_tokenizer import load_tokenizer  # noqa: E402

# The prompts of make-tiny-goldens.py (2 to 94 tokens), so both goldens cover
# the same inputs.
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


def make_goldens(ckpt):
    tok = load_tokenizer(os.path.join(ckpt, "tokenizer.model"))
    model = load(ckpt, max_batch_size=len(TEXTS), max_seq_len=256)
    prompts = [[tok.bos_id] + tok.encode(t) for t in TEXTS]
    gen, batched_last = generate(model, prompts, GREEDY_LEN)
    out, worst_batch = [], 0.0
    for text, ids, g, bl in zip(TEXTS, prompts, gen, batched_last):
        logits = model.forward(torch.tensor([ids]), 0)[0, -1]
        worst_batch = max(worst_batch, float((logits - bl).abs().max()))
        top = torch.topk(logits, TOP_K)
        out.append({
            "text": text,
            "tokens": ids,
            "top10_ids": [int(i) for i in top.indices],
            "top10_vals": [r(v) for v in top.values],
            "probe_ids": PROBE_IDS,
            "probe_vals": [r(logits[i]) for i in PROBE_IDS],
            "logit_mean": r(logits.mean()),
            "logit_std": r(logits.std()),
            "greedy": g,
        })
        print(f"{len(ids):4d} tokens -> top1 {out[-1]['top10_ids'][0]} greedy {g[:6]}...")
    print(f"batched loop vs single-prompt forward, last-position logits: max |diff| = {worst_batch:.3g}")
    if worst_batch > 1e-4:
        sys.exit("make-tiny-meta-goldens: the batched loop disagrees with the single-prompt forward")
    return out


def compare_hf(prompts):
    if not os.path.isfile(HF_GOLDEN):
        return
    with open(HF_GOLDEN) as f:
        hf = json.load(f)["prompts"]
    worst, same_greedy = 0.0, 0
    for m, h in zip(prompts, hf):
        if m["tokens"] != h["tokens"]:
            sys.exit(f"make-tiny-meta-goldens: token ids differ from {HF_GOLDEN} for {m['text']!r}")
        for key in ("top10", "probe"):
            hv = dict(zip(h[key + "_ids"], h[key + "_vals"]))
            for i, v in zip(m[key + "_ids"], m[key + "_vals"]):
                if i in hv:
                    worst = max(worst, abs(v - hv[i]))
        same_greedy += m["greedy"] == h["greedy"]
    print(f"vs transformers goldens: max |logit diff| = {worst:.3g}, greedy identical {same_greedy}/{len(prompts)}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", nargs="?", default=OUT)
    ap.add_argument("--checkpoint", help="an existing tiny Meta checkpoint directory (default: regenerate it)")
    args = ap.parse_args()
    torch.manual_seed(0)
    if args.checkpoint:
        prompts = make_goldens(args.checkpoint)
    else:
        with tempfile.TemporaryDirectory() as tmp:
            subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "make-tiny-models"), tmp,
                            "--formats", "meta"], check=True, stdout=subprocess.DEVNULL)
            prompts = make_goldens(os.path.join(tmp, "meta"))
    compare_hf(prompts)
    doc = {
        "source": "Meta's reference semantics (scripts/goldens/meta_reference.py), float32, CPU; "
                  "model: scripts/make-tiny-models seed 0 (meta format)",
        "generator": "scripts/goldens/make-tiny-meta-goldens.py",
        "prompts": prompts,
    }
    os.makedirs(os.path.dirname(args.out), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {args.out} ({os.path.getsize(args.out)} bytes)")


if __name__ == "__main__":
    main()
