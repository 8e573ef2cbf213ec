#!/usr/bin/env python3
"""Writes a GGUF of a bigger Llama body with random weights around a real
model's vocabulary: the tokenizer and chat metadata of SRC (SmolLM2), the
layer shapes given here (default: Llama 3.2 1B: dim 2048, 16 layers, 32/8
heads, ffn 8192, tied embeddings), every matrix quantized to --type. Both
llama.cpp and LAC read the same file, so a benchmark compares the engines on
a 1B-class model without downloading one.

  python3 scripts/bench/make_body_gguf.py SmolLM2.gguf body-q4_0.gguf --type q4_0
"""
import argparse

import numpy as np
import gguf
from gguf import GGUFReader, GGUFValueType, GGUFWriter, GGMLQuantizationType

from requantize_gguf import FILE_TYPE, field_value, finish


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("src", help="a Llama GGUF whose tokenizer and chat metadata are copied")
    ap.add_argument("dst")
    ap.add_argument("--type", choices=sorted(FILE_TYPE), default="q4_0")
    ap.add_argument("--dim", type=int, default=2048)
    ap.add_argument("--layers", type=int, default=16)
    ap.add_argument("--heads", type=int, default=32)
    ap.add_argument("--kv-heads", type=int, default=8)
    ap.add_argument("--ffn", type=int, default=8192)
    ap.add_argument("--context", type=int, default=8192)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    qtype = GGMLQuantizationType[a.type.upper()]
    r = GGUFReader(a.src)
    arch = "llama"
    vocab = len(r.fields["tokenizer.ggml.tokens"].data)
    w = GGUFWriter(a.dst, arch)
    for name, f in r.fields.items():
        if name.startswith(("tokenizer.", "general.name")):
            value, sub = field_value(f)
            if f.types[0] == GGUFValueType.ARRAY:
                w.add_key_value(name, value, GGUFValueType.ARRAY, sub_type=sub)
            else:
                w.add_key_value(name, value, f.types[0])
    head_dim = a.dim // a.heads
    w.add_uint32("general.file_type", FILE_TYPE[a.type])
    w.add_context_length(a.context)
    w.add_embedding_length(a.dim)
    w.add_block_count(a.layers)
    w.add_feed_forward_length(a.ffn)
    w.add_head_count(a.heads)
    w.add_head_count_kv(a.kv_heads)
    w.add_rope_dimension_count(head_dim)
    w.add_rope_freq_base(500000.0)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(vocab)

    rng = np.random.default_rng(a.seed)

    def matrix(name, out, inp):
        x = rng.standard_normal((out, inp), dtype=np.float32) * np.float32(0.02)
        w.add_tensor(name, gguf.quants.quantize(x, qtype), raw_dtype=qtype)

    def norm(name):
        w.add_tensor(name, np.ones(a.dim, dtype=np.float32))

    matrix("token_embd.weight", vocab, a.dim)  # tied: the lm_head too
    norm("output_norm.weight")
    kv = a.kv_heads * head_dim
    for i in range(a.layers):
        p = f"blk.{i}."
        norm(p + "attn_norm.weight")
        matrix(p + "attn_q.weight", a.dim, a.dim)
        matrix(p + "attn_k.weight", kv, a.dim)
        matrix(p + "attn_v.weight", kv, a.dim)
        matrix(p + "attn_output.weight", a.dim, a.dim)
        norm(p + "ffn_norm.weight")
        matrix(p + "ffn_gate.weight", a.ffn, a.dim)
        matrix(p + "ffn_up.weight", a.ffn, a.dim)
        matrix(p + "ffn_down.weight", a.dim, a.ffn)
    finish(w)


if __name__ == "__main__":
    main()
