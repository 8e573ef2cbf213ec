#!/usr/bin/env python3
"""Checkpoints written by transformers' own save_pretrained, and transformers'
answers on them: the test data of "no silent misreads" (a config style LAC
misreads gives other tokens than these goldens).

What transformers writes depends on its major version:
  transformers >= 5   config.json "rope_parameters": {"rope_type", "rope_theta", ...}
                      -> test/data/hf-saved/rope-parameters/   (made with 5.25.0)
  transformers <  5   config.json "rope_theta" + "rope_scaling": {...}
                      -> test/data/hf-saved/rope-scaling/      (made with 4.57.6)
(both write the chat template as chat_template.jinja).
Run it once under each (two virtual environments) to refresh both folders:

  python -m venv /opt/tf5 && /opt/tf5/bin/pip install torch 'transformers>=5' tokenizers safetensors
  python -m venv /opt/tf4 && /opt/tf4/bin/pip install torch 'transformers>=4.50,<5' tokenizers safetensors
  /opt/tf5/bin/python scripts/goldens/make-hf-saved-models.py
  /opt/tf4/bin/python scripts/goldens/make-hf-saved-models.py

The model (the same in both styles, seed 0): LlamaForCausalLM with Llama 3.1
RoPE scaling (rope_theta 500000, llama3 factor 8, original context 64, so the
scaling changes every position's rotation), grouped-query attention (4 heads,
2 kv heads), untied embeddings, weights saved as bfloat16 in sharded
safetensors (max_shard_size 64KB: several shards and an index). Weights are
drawn with a larger spread than transformers' default init so that logits
are well separated (greedy continuations have no near-ties). The tokenizer
is a byte-level BPE (320 tokens) trained here on a fixed text, with ChatML
special tokens and a ChatML chat template.

Goldens (goldens.json in each folder), transformers in float32 on the saved
files: for each prompt the text, transformers' token ids, the top-5 logits at
the last prompt position and 16 greedy tokens (full forward per step, no KV
cache), with the smallest top-1/top-2 gap seen along the way.
test/integration/golden_e2e_test.cpp (HfSavedGoldenTest) compiles each folder
with --weight-format f32 and asserts the same tokens and logits within 1e-3.
"""
import json
import os
import shutil
import sys
import tempfile

import torch
import transformers
from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.normpath(os.path.join(HERE, "..", ".."))
MAJOR = int(transformers.__version__.split(".")[0])
STYLE = "rope-parameters" if MAJOR >= 5 else "rope-scaling"
OUT = os.path.join(ROOT, "test", "data", "hf-saved", STYLE)

TRAIN_TEXT = [
    "The quick brown fox jumps over the lazy dog. " * 3,
    "The capital of France is Paris. The capital of Japan is Tokyo.",
    "def add(a, b):\n    return a + b\n",
    "Once upon a time, there was a small model that answered every question.",
    "Les sciences naturelles étudient la nature; 東京は日本の首都です。 1, 2, 3, 42!",
]
CHATML = ("{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + "
          "'<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}"
          "{% endif %}")
PROMPTS = [
    "Hello",
    "The capital of France is",
    "def add(a, b):",
    "Once upon a time, there was",
    "Les sciences naturelles 東京は 42!",
    "The quick brown fox jumps over the lazy dog. The quick brown fox jumps over the lazy dog again and again.",
]
GREEDY_LEN = 16


def r(x):
    return float(f"{float(x):.6g}")


def make_tokenizer():
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=320, special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False)
    tok.train_from_iterator(TRAIN_TEXT, trainer)
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, bos_token="<|im_start|>", eos_token="<|im_end|>",
                                   unk_token="<|endoftext|>", pad_token="<|endoftext|>")
    fast.chat_template = CHATML
    return fast


def make_model(tok):
    kwargs = dict(vocab_size=len(tok), hidden_size=64, intermediate_size=160, num_hidden_layers=2,
                  num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256, rms_norm_eps=1e-5,
                  tie_word_embeddings=False, bos_token_id=tok.bos_token_id, eos_token_id=tok.eos_token_id)
    scaling = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0, "high_freq_factor": 4.0,
               "original_max_position_embeddings": 64}
    if MAJOR >= 5:
        cfg = LlamaConfig(rope_parameters=dict(scaling, rope_theta=500000.0), **kwargs)
    else:
        cfg = LlamaConfig(rope_theta=500000.0, rope_scaling=scaling, **kwargs)
    torch.manual_seed(0)
    model = LlamaForCausalLM(cfg)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if p.dim() == 1:  # rms norm weights
                p.copy_(1.0 + 0.1 * torch.randn_like(p))
            elif "embed_tokens" in name:
                p.copy_(torch.randn_like(p))
            else:
                p.copy_(torch.randn_like(p) * (1.5 / p.shape[1] ** 0.5))
    return model.to(torch.bfloat16)


def goldens(folder, tok):
    model = LlamaForCausalLM.from_pretrained(folder, dtype=torch.float32) if MAJOR >= 5 else \
        LlamaForCausalLM.from_pretrained(folder, torch_dtype=torch.float32)
    model.eval()
    out = []
    for text in PROMPTS:
        ids = tok(text, add_special_tokens=False)["input_ids"]
        seq = list(ids)
        min_gap = float("inf")
        with torch.no_grad():
            logits = model(torch.tensor([seq])).logits[0, -1]
            top = torch.topk(logits, 5)
            first = (top.indices.tolist(), [r(v) for v in top.values])
            greedy = []
            for _ in range(GREEDY_LEN):
                lg = model(torch.tensor([seq])).logits[0, -1]
                t2 = torch.topk(lg, 2)
                min_gap = min(min_gap, float(t2.values[0] - t2.values[1]))
                nxt = int(t2.indices[0])
                greedy.append(nxt)
                seq.append(nxt)
        out.append({"text": text, "tokens": ids, "top5_ids": first[0], "top5_vals": first[1], "greedy": greedy,
                    "min_top2_gap": r(min_gap)})
    return out


def main():
    tok = make_tokenizer()
    model = make_model(tok)
    with tempfile.TemporaryDirectory() as tmp:
        model.save_pretrained(tmp, max_shard_size="64KB")
        tok.save_pretrained(tmp)
        if os.path.exists(OUT):
            shutil.rmtree(OUT)
        shutil.copytree(tmp, OUT)
    g = {
        "source": f"transformers {transformers.__version__} LlamaForCausalLM, float32, CPU, on the files "
                  "its save_pretrained wrote beside this file",
        "generator": "scripts/goldens/make-hf-saved-models.py",
        "prompts": goldens(OUT, tok),
    }
    with open(os.path.join(OUT, "goldens.json"), "w") as f:
        json.dump(g, f, indent=1)
        f.write("\n")
    files = sorted(os.listdir(OUT))
    print(f"{OUT}: {', '.join(files)}")
    print("min top-1/top-2 gap per prompt:", [p["min_top2_gap"] for p in g["prompts"]])


if __name__ == "__main__":
    sys.exit(main())
