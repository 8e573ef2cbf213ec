#!/usr/bin/env python3
"""A Llama 3 forward pass and greedy generation with the semantics of Meta's
reference implementation (llama/model.py and llama/generation.py of the
llama3 / llama-models repositories), written from their documented behaviour
for LAC's goldens. float32 on the CPU.

What it follows (and LAC must match):
  * rotary embedding as complex multiplication: freqs_cis = polar(1, t * f)
    with f_i = theta^(-2i/head_dim), i < head_dim/2, optionally rescaled by
    Llama 3.1's apply_scaling (factor 8, low/high frequency factors 1 and 4,
    original context 8192); q and k are viewed as head_dim/2 complex numbers
    made of ADJACENT pairs (x[2i], x[2i+1]) (the interleaved layout of Meta's
    checkpoints; Hugging Face permutes wq/wk to use rotate_half instead);
  * grouped-query attention by repeating each K/V head n_heads/n_kv_heads
    times (repeat_kv), scores / sqrt(head_dim), the causal mask
    (-inf above the diagonal) widened by start_pos zero columns, softmax in
    float32;
  * a KV cache [max_batch, max_seq_len, n_kv_heads, head_dim] per layer,
    written at [start_pos, start_pos + seqlen);
  * RMSNorm computed in float32 then cast back (type_as), times the weight;
  * FeedForward w2(silu(w1 x) * w3 x) with Meta's hidden size rule;
  * pre-norm residual blocks, the final norm, the untied `output` projection.
Generation (generate): Meta's batched greedy loop: prompts of different
lengths padded into one [batch, total_len] tensor; decoding starts at the
shortest prompt's length, and positions still inside a longer prompt are
forced to the prompt's token.

Usage as a module: load(ckpt_dir) -> Transformer; generate(model, prompts, n).
As a script: meta_reference.py CKPT_DIR "text"... prints greedy tokens.
"""
import json
import math
import os
import sys
from dataclasses import dataclass
from typing import List, Optional

import torch
import torch.nn.functional as F
from torch import nn


@dataclass
class Args:
    dim: int
    n_layers: int
    n_heads: int
    n_kv_heads: Optional[int]
    vocab_size: int
    multiple_of: int
    ffn_dim_multiplier: Optional[float]
    norm_eps: float
    rope_theta: float
    use_scaled_rope: bool
    max_batch_size: int = 8
    max_seq_len: int = 256

    @staticmethod
    def from_params(path, **kw):
        with open(path) as f:
            p = json.load(f)
        return Args(dim=p["dim"], n_layers=p["n_layers"], n_heads=p["n_heads"], n_kv_heads=p.get("n_kv_heads"),
                    vocab_size=p["vocab_size"], multiple_of=p.get("multiple_of", 256),
                    ffn_dim_multiplier=p.get("ffn_dim_multiplier"), norm_eps=p.get("norm_eps", 1e-5),
                    rope_theta=p.get("rope_theta", 10000.0), use_scaled_rope=bool(p.get("use_scaled_rope", False)),
                    **kw)


# ---- rotary embedding ----------------------------------------------------------

def llama31_scaling(freqs: torch.Tensor, factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                    original_context=8192) -> torch.Tensor:
    """Llama 3.1's frequency rescaling: long wavelengths divided by `factor`,
    short ones kept, a linear blend (in 1/wavelength) in between."""
    low_wavelen = original_context / low_freq_factor
    high_wavelen = original_context / high_freq_factor
    out = []
    for f in freqs.tolist():
        wavelen = 2 * math.pi / f
        if wavelen < high_wavelen:
            out.append(f)
        elif wavelen > low_wavelen:
            out.append(f / factor)
        else:
            smooth = (original_context / wavelen - low_freq_factor) / (high_freq_factor - low_freq_factor)
            out.append((1 - smooth) * f / factor + smooth * f)
    return torch.tensor(out, dtype=freqs.dtype)


def rotary_table(head_dim: int, end: int, theta: float, scaled: bool) -> torch.Tensor:
    """[end, head_dim / 2] complex64: e^{i t f_k} for positions t < end."""
    freqs = 1.0 / (theta ** (torch.arange(0, head_dim, 2)[: head_dim // 2].float() / head_dim))
    if scaled:
        freqs = llama31_scaling(freqs)
    angles = torch.outer(torch.arange(end, dtype=torch.float32), freqs)  # [end, head_dim / 2]
    return torch.polar(torch.ones_like(angles), angles)


def rotate(x: torch.Tensor, table: torch.Tensor) -> torch.Tensor:
    """x: [batch, seq, heads, head_dim]; table: [seq, head_dim / 2] complex.
    Adjacent pairs (x[2i], x[2i+1]) are the complex numbers rotated."""
    xc = torch.view_as_complex(x.float().reshape(*x.shape[:-1], -1, 2))  # [b, s, h, hd/2]
    rotated = xc * table.view(1, table.shape[0], 1, table.shape[1])
    return torch.view_as_real(rotated).flatten(3).type_as(x)


def repeat_heads(x: torch.Tensor, times: int) -> torch.Tensor:
    """[b, s, kv_heads, hd] -> [b, s, kv_heads * times, hd]; each head repeated
    `times` times in a row (query head j uses kv head j // times)."""
    if times == 1:
        return x
    b, s, h, d = x.shape
    return x[:, :, :, None, :].expand(b, s, h, times, d).reshape(b, s, h * times, d)


# ---- modules -------------------------------------------------------------------

class RMSNorm(nn.Module):
    def __init__(self, dim: int, eps: float):
        super().__init__()
        self.eps = eps
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        xf = x.float()
        normed = xf * torch.rsqrt(xf.pow(2).mean(-1, keepdim=True) + self.eps)
        return normed.type_as(x) * self.weight


class Attention(nn.Module):
    def __init__(self, a: Args):
        super().__init__()
        self.n_heads = a.n_heads
        self.n_kv_heads = a.n_kv_heads or a.n_heads
        self.head_dim = a.dim // a.n_heads
        self.wq = nn.Linear(a.dim, self.n_heads * self.head_dim, bias=False)
        self.wk = nn.Linear(a.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wv = nn.Linear(a.dim, self.n_kv_heads * self.head_dim, bias=False)
        self.wo = nn.Linear(self.n_heads * self.head_dim, a.dim, bias=False)
        shape = (a.max_batch_size, a.max_seq_len, self.n_kv_heads, self.head_dim)
        self.register_buffer("cache_k", torch.zeros(shape), persistent=False)
        self.register_buffer("cache_v", torch.zeros(shape), persistent=False)

    def forward(self, x, start_pos: int, table, mask):
        b, s, _ = x.shape
        q = self.wq(x).view(b, s, self.n_heads, self.head_dim)
        k = self.wk(x).view(b, s, self.n_kv_heads, self.head_dim)
        v = self.wv(x).view(b, s, self.n_kv_heads, self.head_dim)
        q, k = rotate(q, table), rotate(k, table)
        self.cache_k[:b, start_pos:start_pos + s] = k
        self.cache_v[:b, start_pos:start_pos + s] = v
        rep = self.n_heads // self.n_kv_heads
        keys = repeat_heads(self.cache_k[:b, :start_pos + s], rep).transpose(1, 2)    # [b, h, L, hd]
        values = repeat_heads(self.cache_v[:b, :start_pos + s], rep).transpose(1, 2)  # [b, h, L, hd]
        q = q.transpose(1, 2)                                                           # [b, h, s, hd]
        scores = q @ keys.transpose(2, 3) / math.sqrt(self.head_dim)                    # [b, h, s, L]
        if mask is not None:
            scores = scores + mask
        probs = F.softmax(scores.float(), dim=-1).type_as(q)
        out = (probs @ values).transpose(1, 2).contiguous().view(b, s, -1)              # [b, s, h * hd]
        return self.wo(out)


def ffn_hidden(a: Args) -> int:
    hidden = int(2 * (4 * a.dim) / 3)
    if a.ffn_dim_multiplier is not None:
        hidden = int(a.ffn_dim_multiplier * hidden)
    return a.multiple_of * ((hidden + a.multiple_of - 1) // a.multiple_of)


class FeedForward(nn.Module):
    def __init__(self, a: Args):
        super().__init__()
        h = ffn_hidden(a)
        self.w1 = nn.Linear(a.dim, h, bias=False)
        self.w2 = nn.Linear(h, a.dim, bias=False)
        self.w3 = nn.Linear(a.dim, h, bias=False)

    def forward(self, x):
        return self.w2(F.silu(self.w1(x)) * self.w3(x))


class Block(nn.Module):
    def __init__(self, a: Args):
        super().__init__()
        self.attention = Attention(a)
        self.feed_forward = FeedForward(a)
        self.attention_norm = RMSNorm(a.dim, a.norm_eps)
        self.ffn_norm = RMSNorm(a.dim, a.norm_eps)

    def forward(self, x, start_pos, table, mask):
        h = x + self.attention(self.attention_norm(x), start_pos, table, mask)
        return h + self.feed_forward(self.ffn_norm(h))


class Transformer(nn.Module):
    def __init__(self, a: Args):
        super().__init__()
        self.args = a
        self.tok_embeddings = nn.Embedding(a.vocab_size, a.dim)
        self.layers = nn.ModuleList(Block(a) for _ in range(a.n_layers))
        self.norm = RMSNorm(a.dim, a.norm_eps)
        self.output = nn.Linear(a.dim, a.vocab_size, bias=False)
        # Meta precomputes twice max_seq_len positions.
        self.table = rotary_table(a.dim // a.n_heads, 2 * a.max_seq_len, a.rope_theta, a.use_scaled_rope)

    @torch.inference_mode()
    def forward(self, tokens: torch.Tensor, start_pos: int) -> torch.Tensor:
        """tokens [b, s] at positions start_pos.. -> logits [b, s, vocab] f32."""
        b, s = tokens.shape
        h = self.tok_embeddings(tokens)
        table = self.table[start_pos:start_pos + s]
        mask = None
        if s > 1:
            causal = torch.triu(torch.full((s, s), float("-inf")), diagonal=1)
            mask = torch.hstack([torch.zeros((s, start_pos)), causal]).type_as(h)  # [s, start_pos + s]
        for layer in self.layers:
            h = layer(h, start_pos, table, mask)
        return self.output(self.norm(h)).float()


def load(ckpt_dir: str, max_batch_size=8, max_seq_len=256) -> Transformer:
    """params.json + consolidated.00.pth (one shard) -> the model in float32."""
    a = Args.from_params(os.path.join(ckpt_dir, "params.json"), max_batch_size=max_batch_size,
                         max_seq_len=max_seq_len)
    state = torch.load(os.path.join(ckpt_dir, "consolidated.00.pth"), map_location="cpu", weights_only=True)
    state = {k: v.float() for k, v in state.items() if not k.endswith("rope.freqs")}
    model = Transformer(a)
    missing, unexpected = model.load_state_dict(state, strict=False)
    missing = [m for m in missing if not m.endswith(("cache_k", "cache_v"))]
    if missing or unexpected:
        raise ValueError(f"checkpoint mismatch: missing {missing}, unexpected {unexpected}")
    return model.eval()


@torch.inference_mode()
def generate(model: Transformer, prompts: List[List[int]], max_gen_len: int, pad_id: int = -1):
    """Meta's batched greedy loop (no stop tokens). Returns, per prompt, the
    generated ids and the logits [vocab] at its last prompt position."""
    bsz = len(prompts)
    lens = [len(p) for p in prompts]
    total = max(lens) + max_gen_len
    assert bsz <= model.args.max_batch_size and total <= model.args.max_seq_len
    tokens = torch.full((bsz, total), pad_id, dtype=torch.long)
    for i, p in enumerate(prompts):
        tokens[i, :len(p)] = torch.tensor(p)
    in_prompt = tokens != pad_id
    last_logits = [None] * bsz
    prev = 0
    for cur in range(min(lens), total):
        logits = model.forward(tokens[:, prev:cur], prev)  # [b, cur - prev, vocab]
        for i in range(bsz):
            if lens[i] == cur:  # cur - 1 is prompt i's last position
                last_logits[i] = logits[i, -1].clone()
        nxt = torch.argmax(logits[:, -1], dim=-1)
        tokens[:, cur] = torch.where(in_prompt[:, cur], tokens[:, cur], nxt)
        prev = cur
    gen = [tokens[i, lens[i]:lens[i] + max_gen_len].tolist() for i in range(bsz)]
    return gen, last_logits


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from meta_tokenizer import load_tokenizer
    tok = load_tokenizer(os.path.join(sys.argv[1], "tokenizer.model"))
    model = load(sys.argv[1])
    prompts = [[tok.bos_id] + tok.encode(t) for t in sys.argv[2:]]
    gen, _ = generate(model, prompts, 16)
    for t, g in zip(sys.argv[2:], gen):
        print(repr(t), "->", g)


if __name__ == "__main__":
    main()
