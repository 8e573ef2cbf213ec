#!/usr/bin/env python3
"""Where int8 activation quantization moves SmolLM2-135M Q4_1's logits.

Simulates the CPU engine's quantized matmuls in torch: transformers loads the
Q4_1 GGUF dequantized to f32 (the exact weights the integer kernels use), and
a hook replaces each nn.Linear's input by its int8 round trip (blocks of 32,
d = max|x| / 127, round half to even: runtime/kernels/cpu/quantize_act.h;
W.Q(x) in f32 equals the integer kernel's result up to summation order).
Policies choose, per op type, the activation format:
  f32   no quantization
  q8    the kernels' int8 blocks
  q8x2  int8 plus int8 of the residual (the engine's precise mode,
        runtime/engine/act_precision.h)
For each policy it prints, over the chat question "What is the capital of
France?" and the 12 prompts of smollm2-hf-f32.json plus 4 more chat
questions (the last prompt position): the rms logit error against f32 over
the vocabulary, the largest and mean error over the f32 top 20, how many
argmaxes agree, and the France margin logit("The") - logit("L") (f32: +0.082).
Not run in CI (a few minutes on 2 cores).

Usage: scripts/goldens/act-quant-noise.py [--gguf PATH]
"""
import argparse
import json
import os

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
DEFAULT_GGUF = os.path.join(os.environ.get("LAC_MODEL_CACHE", os.path.expanduser("~/.cache/lac")),
                            "SmolLM2-135M-Instruct.Q4_1.gguf")
SYSTEM = "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
OPS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj", "lm_head"]


def chat(question):
    return SYSTEM + f"<|im_start|>user\n{question}<|im_end|>\n<|im_start|>assistant\n"


def round_trip(x, mode):
    """x [..., n] -> its value after the activation format `mode`."""
    shape = x.shape
    xb = x.reshape(-1, 32)

    def q8(v):
        d = v.abs().amax(-1, keepdim=True) / 127
        inv = torch.where(d > 0, 1 / d, torch.zeros_like(d))
        return torch.round(v * inv) * d  # torch.round: half to even

    if mode == "q8":
        return q8(xb).reshape(shape)
    if mode == "q8x2":
        hi = q8(xb)
        return (hi + q8(xb - hi)).reshape(shape)
    raise ValueError(mode)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    args = ap.parse_args()
    d, f = os.path.dirname(args.gguf), os.path.basename(args.gguf)
    tok = AutoTokenizer.from_pretrained(d, gguf_file=f)
    model = AutoModelForCausalLM.from_pretrained(d, gguf_file=f, dtype=torch.float32).eval()
    with open(os.path.join(ROOT, "test", "goldens", "e2e", "smollm2-hf-f32.json")) as fh:
        golden = [p["text"] for p in json.load(fh)["prompts"]]
    texts = [chat("What is the capital of France?")] + golden + [
        chat(q) for q in ["How many legs does a spider have?", "Who wrote Romeo and Juliet?", "What is 2+2?",
                          "Name a primary color."]]
    inputs = [torch.tensor([tok(t, add_special_tokens=False)["input_ids"]]) for t in texts]
    the, l_ = tok.convert_tokens_to_ids("The"), tok.convert_tokens_to_ids("L")

    policy = {}

    def hook(name):
        op = name.split(".")[-1]

        def pre(_mod, a):
            mode = policy.get(op, policy.get("*", "f32"))
            if mode != "f32":
                return (round_trip(a[0], mode),)
        return pre

    for name, mod in model.named_modules():
        if isinstance(mod, torch.nn.Linear):
            mod.register_forward_pre_hook(hook(name))

    def run(p):
        policy.clear()
        policy.update(p)
        with torch.no_grad():
            return [model(x).logits[0, -1] for x in inputs]

    ref = run({})

    def report(label, p):
        out = run(p)
        rms = sum(float((o - r).pow(2).mean().sqrt()) for o, r in zip(out, ref)) / len(out)
        top = [float((o - r)[torch.topk(r, 20).indices].abs().max()) for o, r in zip(out, ref)]
        agree = sum(int(o.argmax() == r.argmax()) for o, r in zip(out, ref))
        print(f"{label:34s} rms {rms:.4f}  top20 max {max(top):.4f} mean {sum(top) / len(top):.4f}  "
              f"argmax {agree}/{len(out)}  France margin {float(out[0][the] - out[0][l_]):+.4f}", flush=True)

    report("f32", {})
    report("q8 everywhere", {"*": "q8"})
    for op in OPS:
        report(f"q8 everywhere but {op}", {"*": "q8", op: "f32"})
        report(f"q8 in {op} only", {op: "q8"})
    report("q8x2 everywhere", {"*": "q8x2"})


if __name__ == "__main__":
    main()
