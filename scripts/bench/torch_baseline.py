#!/usr/bin/env python3
"""PyTorch baseline for the GPU benchmark (scripts/gpu-check.sh): the same
Llama shape LAC runs, random bf16 weights, batch-1 decode and a 1024-token
prefill, eager and torch.compile.

    torch_baseline.py CONFIG.json [--impl auto|hf|plain] [--modes eager,compile]
                      [--prompt-len 1024] [--decode-tokens 128] [--budget-s 240] [--json OUT.json]

--impl hf     transformers' LlamaForCausalLM built from the config (random
              weights), DynamicCache for eager; for compile, a static cache and
              torch.compile(mode="reduce-overhead") of the forward;
--impl plain  a plain PyTorch Llama written here (static KV cache, SDPA with
              GQA, fused nothing) — used when transformers is not importable;
--impl auto   hf when transformers imports, else plain.
Each mode stops early (recorded as skipped) when the time budget runs out.
Numbers are tokens per second; the caller computes rooflines.
"""
import argparse
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


def now():
    torch.cuda.synchronize()
    return time.perf_counter()


# ---------------------------------------------------------------------------
# A plain Llama (Meta's layout), static KV cache

class PlainLlama(torch.nn.Module):
    def __init__(self, c, max_seq, dtype=torch.bfloat16):
        super().__init__()
        self.dim, self.L = c["hidden_size"], c["num_hidden_layers"]
        self.H, self.KV = c["num_attention_heads"], c["num_key_value_heads"]
        self.hd = self.dim // self.H
        self.eps = c.get("rms_norm_eps", 1e-5)
        ffn, vocab = c["intermediate_size"], c["vocab_size"]
        dev = "cuda"

        def w(*shape, scale=None):
            t = torch.empty(*shape, device=dev, dtype=dtype)
            return torch.nn.Parameter(t.normal_(0.0, scale or 1.0 / math.sqrt(shape[-1])), requires_grad=False)

        self.embed = w(vocab, self.dim, scale=1.0)
        self.layers = []
        for _ in range(self.L):
            self.layers.append(dict(
                an=torch.ones(self.dim, device=dev, dtype=dtype), fn=torch.ones(self.dim, device=dev, dtype=dtype),
                wqkv=w((self.H + 2 * self.KV) * self.hd, self.dim), wo=w(self.dim, self.H * self.hd),
                w13=w(2 * ffn, self.dim), w2=w(self.dim, ffn)))
        self.norm = torch.ones(self.dim, device=dev, dtype=dtype)
        self.out = w(vocab, self.dim)
        self.k = torch.zeros(self.L, 1, self.KV, max_seq, self.hd, device=dev, dtype=dtype)
        self.v = torch.zeros_like(self.k)
        inv = 1.0 / (c.get("rope_theta", 10000.0) ** (torch.arange(0, self.hd, 2, device=dev).float() / self.hd))
        ang = torch.outer(torch.arange(max_seq, device=dev).float(), inv)
        self.cos, self.sin = ang.cos(), ang.sin()
        self.max_seq = max_seq

    def rms(self, x, w):
        xf = x.float()
        return (xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)).to(x.dtype) * w

    def rope(self, x, pos):  # x [B, h, T, hd], interleaved pairs
        c, s = self.cos[pos][None, None], self.sin[pos][None, None]
        x2 = x.float().unflatten(-1, (-1, 2))
        a, b = x2[..., 0], x2[..., 1]
        return torch.stack((a * c - b * s, a * s + b * c), -1).flatten(-2).to(x.dtype)

    def forward(self, tokens, pos):  # tokens [1, T], pos [T] (contiguous positions)
        T = tokens.shape[1]
        h = self.embed[tokens]
        mask = None
        if T == 1:
            mask = (torch.arange(self.max_seq, device=tokens.device) <= pos[0])[None, None, None]
        for i, l in enumerate(self.layers):
            qkv = self.rms(h, l["an"]) @ l["wqkv"].t()
            q, k, v = qkv.split([self.H * self.hd, self.KV * self.hd, self.KV * self.hd], -1)
            q = self.rope(q.view(1, T, self.H, self.hd).transpose(1, 2), pos)
            k = self.rope(k.view(1, T, self.KV, self.hd).transpose(1, 2), pos)
            v = v.view(1, T, self.KV, self.hd).transpose(1, 2)
            self.k[i].index_copy_(2, pos, k)
            self.v[i].index_copy_(2, pos, v)
            if T == 1:
                o = F.scaled_dot_product_attention(q, self.k[i], self.v[i], attn_mask=mask, enable_gqa=True)
            else:  # a prompt from position 0
                o = F.scaled_dot_product_attention(q, k, v, is_causal=True, enable_gqa=True)
            h = h + o.transpose(1, 2).reshape(1, T, -1) @ l["wo"].t()
            g, u = (self.rms(h, l["fn"]) @ l["w13"].t()).chunk(2, -1)
            h = h + (F.silu(g) * u) @ l["w2"].t()
        return self.rms(h[:, -1:], self.norm) @ self.out.t()


def bench_plain(cfg, mode, prompt_len, n_decode, deadline):
    torch.manual_seed(0)
    m = PlainLlama(cfg, prompt_len + n_decode + 8)
    step = m.forward
    if mode == "compile":
        step = torch.compile(m.forward, mode="reduce-overhead", fullgraph=False)
    prompt = torch.randint(0, cfg["vocab_size"], (1, prompt_len), device="cuda")
    pos = torch.arange(prompt_len, device="cuda")
    with torch.inference_mode():
        step(prompt, pos)  # warm-up (and compile of the prefill graph)
        t0 = now()
        logits = step(prompt, pos)
        prefill_s = now() - t0
        tok = logits.argmax(-1)
        p = torch.tensor([prompt_len], device="cuda")
        for _ in range(3):  # warm-up / compile of the decode graph
            if time.time() > deadline:
                return {"skipped": "time budget"}
            logits = step(tok, p)
        t0 = now()
        for i in range(n_decode):
            p = torch.tensor([prompt_len + i], device="cuda")
            tok = step(tok, p).argmax(-1)
        decode_s = now() - t0
    return {"prefill_tokens_per_second": prompt_len / prefill_s, "decode_tokens_per_second": n_decode / decode_s}


# ---------------------------------------------------------------------------
# transformers

def bench_hf(cfg, mode, prompt_len, n_decode, deadline):
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    conf = LlamaConfig(**{k: v for k, v in cfg.items() if k not in ("architectures",)})
    torch.set_default_dtype(torch.bfloat16)
    with torch.device("cuda"):
        model = LlamaForCausalLM(conf).eval()
    torch.set_default_dtype(torch.float32)
    prompt = torch.randint(0, cfg["vocab_size"], (1, prompt_len), device="cuda")
    with torch.inference_mode():
        model(prompt)  # warm-up
        t0 = now()
        model(prompt)
        prefill_s = now() - t0
        gen = dict(max_new_tokens=n_decode, min_new_tokens=n_decode, do_sample=False)
        if mode == "compile":
            model.generation_config.cache_implementation = "static"
            model.forward = torch.compile(model.forward, mode="reduce-overhead", fullgraph=False)
        short = prompt[:, :16]
        model.generate(short, **dict(gen, max_new_tokens=4, min_new_tokens=4))  # warm-up / compile
        if time.time() > deadline:
            return {"prefill_tokens_per_second": prompt_len / prefill_s, "skipped_decode": "time budget"}
        t0 = now()
        model.generate(short, **dict(gen, max_new_tokens=1, min_new_tokens=1))
        first_s = now() - t0
        t0 = now()
        model.generate(short, **gen)
        total_s = now() - t0
    decode_s = max(total_s - first_s, 1e-9)
    return {"prefill_tokens_per_second": prompt_len / prefill_s,
            "decode_tokens_per_second": (n_decode - 1) / decode_s,
            "note": "prefill timed eagerly; decode through generate() (includes its per-token overhead)"}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("config")
    ap.add_argument("--impl", default="auto", choices=["auto", "hf", "plain"])
    ap.add_argument("--modes", default="eager,compile")
    ap.add_argument("--prompt-len", type=int, default=1024)
    ap.add_argument("--decode-tokens", type=int, default=128)
    ap.add_argument("--budget-s", type=float, default=240)
    ap.add_argument("--json")
    a = ap.parse_args()
    if not torch.cuda.is_available():
        sys.exit("torch_baseline: no CUDA device visible to PyTorch")
    cfg = json.load(open(a.config))
    impl = a.impl
    if impl == "auto":
        try:
            import transformers  # noqa: F401
            impl = "hf"
        except Exception:
            impl = "plain"
    deadline = time.time() + a.budget_s
    res = {"impl": impl, "torch": torch.__version__, "device": torch.cuda.get_device_name(0),
           "prompt_len": a.prompt_len, "decode_tokens": a.decode_tokens, "modes": {}}
    for mode in [m for m in a.modes.split(",") if m]:
        if time.time() > deadline:
            res["modes"][mode] = {"skipped": "time budget"}
            continue
        t0 = time.time()
        try:
            fn = bench_hf if impl == "hf" else bench_plain
            r = fn(cfg, mode, a.prompt_len, a.decode_tokens, deadline)
        except Exception as e:  # record and go on: one failing mode must not hide the others
            r = {"error": f"{type(e).__name__}: {e}"[:500]}
            if impl == "hf":
                try:
                    r["plain"] = bench_plain(cfg, mode, a.prompt_len, a.decode_tokens, deadline)
                except Exception as e2:
                    r["plain_error"] = f"{type(e2).__name__}: {e2}"[:500]
        r["wall_s"] = round(time.time() - t0, 1)
        res["modes"][mode] = r
        torch.cuda.empty_cache()
        print(f"torch_baseline: {impl} {mode}: {r}", flush=True)
    text = json.dumps(res, indent=2)
    if a.json:
        open(a.json, "w").write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
