#!/usr/bin/env python3
"""End-to-end goldens for SmolLM2-135M-Instruct (the Q4_1 GGUF), from
independent implementations.

Reference A (always): Hugging Face transformers loading the GGUF in float32
(it dequantizes Q4_1 exactly to f32 and undoes llama.cpp's q/k permutation).
  -> test/goldens/e2e/smollm2-hf-f32.json
Reference B (when llama_cpp imports): llama.cpp (llama-cpp-python) on the same
Q4_1 GGUF, one thread, greedy.
  -> test/goldens/e2e/smollm2-llamacpp-q4_1.json

For each prompt: its token ids (from the GGUF's own tokenizer, via
transformers), the top-5 logits at the last prompt position and 32 greedy
tokens; the llama.cpp golden also has the top-5 after 0, 8, 16 and 31 of its
own greedy tokens (top5_at). Not run in CI; CI compares against the committed files
(test/integration/golden_e2e_test.cpp).

Usage: scripts/goldens/make-smollm2-goldens.py [--gguf PATH] [--only hf|llamacpp|compare]
"""
import argparse
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
OUT_DIR = os.path.join(ROOT, "test", "goldens", "e2e")
DEFAULT_GGUF = os.path.join(os.environ.get("LAC_MODEL_CACHE", os.path.expanduser("~/.cache/lac")),
                            "SmolLM2-135M-Instruct.Q4_1.gguf")

PROMPTS = [
    "The capital of France is",
    "def fibonacci(n):\n    \"\"\"Return the n-th Fibonacci number.\"\"\"\n",
    "Here is a list of the planets of the solar system:\n1. Mercury\n2.",
    "<|im_start|>system\nYou are a helpful AI assistant named SmolLM, trained by Hugging Face<|im_end|>\n"
    "<|im_start|>user\nWhat is the boiling point of water?<|im_end|>\n<|im_start|>assistant\n",
    "12 + 30 = 42. 7 * 6 = 42. 100 - 58 =",
    "La tour Eiffel se trouve à",
    "Water is made of hydrogen and",
    "SELECT name, age FROM users WHERE",
    "Once upon a time, in a small village by the sea, there lived an old fisherman who",
    "<|im_start|>user\nWrite a haiku about autumn.<|im_end|>\n<|im_start|>assistant\n",
    "The three primary colors are",
    "import numpy as np\n\nx = np.arange(10)\nprint(",
]
TOP_K = 5
GREEDY_LEN = 32
PROBE_STEPS = [0, 8, 16, 31]  # llama.cpp golden: top-5 after this many generated tokens


def r(x):
    return float(f"{float(x):.6g}")


def tokenize_all(gguf_path):
    from transformers import AutoTokenizer
    tok = AutoTokenizer.from_pretrained(os.path.dirname(gguf_path), gguf_file=os.path.basename(gguf_path))
    return [tok(p, add_special_tokens=False)["input_ids"] for p in PROMPTS]


def hf_reference(gguf_path, token_lists):
    import torch
    from transformers import AutoModelForCausalLM
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(gguf_path), gguf_file=os.path.basename(gguf_path),
                                                 dtype=torch.float32).eval()
    out = []
    with torch.no_grad():
        for text, ids in zip(PROMPTS, token_lists):
            x = torch.tensor([ids])
            logits = model(x).logits[0, -1].float()
            top = torch.topk(logits, TOP_K)
            # Greedy with HF's own KV cache; no stop token (always 32 tokens).
            gen = model.generate(x, attention_mask=torch.ones_like(x), max_new_tokens=GREEDY_LEN, min_new_tokens=GREEDY_LEN,
                                 do_sample=False, eos_token_id=None, pad_token_id=0)
            out.append(entry(text, ids, top.indices.tolist(), top.values.tolist(), gen[0, len(ids):].tolist()))
            print(f"hf: {len(ids):3d} tokens -> {out[-1]['greedy'][:8]}", flush=True)
    return out


def llamacpp_reference(gguf_path, token_lists):
    import numpy as np
    from llama_cpp import Llama
    llm = Llama(model_path=gguf_path, n_ctx=256, n_threads=1, n_threads_batch=1, logits_all=True, verbose=False)
    out = []
    for text, ids in zip(PROMPTS, token_lists):
        llm.reset()
        llm.eval(ids)
        logits = np.array(llm.scores[len(ids) - 1], dtype=np.float32)
        top = np.argsort(-logits, kind="stable")[:TOP_K]
        seq = []
        for _ in range(GREEDY_LEN):
            last = np.array(llm.scores[llm.n_tokens - 1], dtype=np.float32)
            nxt = int(last.argmax())
            seq.append(nxt)
            llm.eval([nxt])
        e = entry(text, ids, top.tolist(), logits[top].tolist(), seq)
        # Top-5 after k of its own greedy tokens (k = 0: the last prompt position).
        e["top5_at"] = []
        for k in PROBE_STEPS:
            row = np.array(llm.scores[len(ids) - 1 + k], dtype=np.float32)
            t5 = np.argsort(-row, kind="stable")[:TOP_K]
            e["top5_at"].append({"generated": k, "ids": [int(i) for i in t5], "vals": [r(v) for v in row[t5]]})
        out.append(e)
        print(f"llama.cpp: {len(ids):3d} tokens -> {seq[:8]}", flush=True)
    return out


def compare_llamacpp_to_hf(gguf_path):
    """How far llama.cpp's int8-activation arithmetic is from f32: transformers
    (f32) teacher-forced on llama.cpp's greedy tokens, at its top5_at probes."""
    import torch
    from transformers import AutoModelForCausalLM
    with open(os.path.join(OUT_DIR, "smollm2-llamacpp-q4_1.json")) as f:
        prompts = json.load(f)["prompts"]
    model = AutoModelForCausalLM.from_pretrained(os.path.dirname(gguf_path), gguf_file=os.path.basename(gguf_path),
                                                 dtype=torch.float32).eval()
    worst, differ = 0.0, 0
    with torch.no_grad():
        for p in prompts:
            logits = model(torch.tensor([p["tokens"] + p["greedy"]])).logits[0]
            n = len(p["tokens"])
            for a in p["top5_at"]:
                row = logits[n - 1 + a["generated"]]
                worst = max(worst, max(abs(float(row[i]) - v) for i, v in zip(a["ids"], a["vals"])))
            differ += any(int(logits[n - 1 + k].argmax()) != t for k, t in enumerate(p["greedy"]))
    print(f"llama.cpp vs transformers f32 (teacher-forced): max top-5 |diff| at the probes = {worst:.3g}; "
          f"{differ}/{len(prompts)} prompts where f32's argmax differs from llama.cpp's token somewhere")


def entry(text, ids, top_ids, top_vals, greedy):
    return {"text": text, "tokens": [int(i) for i in ids], "top5_ids": [int(i) for i in top_ids],
            "top5_vals": [r(v) for v in top_vals], "greedy": [int(t) for t in greedy]}


def write(name, source, prompts):
    path = os.path.join(OUT_DIR, name)
    os.makedirs(OUT_DIR, exist_ok=True)
    with open(path, "w") as f:
        json.dump({"source": source, "generator": "scripts/goldens/make-smollm2-goldens.py",
                   "model": "SmolLM2-135M-Instruct.Q4_1.gguf", "prompts": prompts}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {path} ({os.path.getsize(path)} bytes)")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gguf", default=DEFAULT_GGUF)
    ap.add_argument("--only", choices=["hf", "llamacpp", "compare"],
                    help="compare: llama.cpp's committed golden against transformers f32 (writes nothing)")
    args = ap.parse_args()
    if not os.path.isfile(args.gguf):
        sys.exit(f"make-smollm2-goldens: {args.gguf}: not found (scripts/fetch-model.sh)")
    if args.only == "compare":
        compare_llamacpp_to_hf(args.gguf)
        return
    token_lists = tokenize_all(args.gguf)
    if args.only in (None, "hf"):
        write("smollm2-hf-f32.json", "transformers AutoModelForCausalLM from the GGUF (Q4_1 dequantized to f32), "
              "float32, CPU, greedy with HF's KV cache", hf_reference(args.gguf, token_lists))
    if args.only in (None, "llamacpp"):
        try:
            import llama_cpp  # noqa: F401
        except ImportError:
            print("llama_cpp not importable: skipping reference B", file=sys.stderr)
            return
        write("smollm2-llamacpp-q4_1.json", "llama.cpp (llama-cpp-python) on the Q4_1 GGUF, 1 thread, greedy",
              llamacpp_reference(args.gguf, token_lists))


if __name__ == "__main__":
    main()
