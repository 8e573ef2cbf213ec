"""Test fixture for hf_reader_test: a tiny Llama as Hugging Face folders.

    make_hf_fixture.py OUT_DIR
    make_hf_fixture.py OUT_DIR --llama3-tokenizer PATH

The first writes OUT_DIR/single (model.safetensors), OUT_DIR/sharded (2
shards, merges as "a b" strings), OUT_DIR/reference.safetensors (the same
tensors in Meta's names and layout, f32), all with a tiny tiktoken vocabulary
(OUT_DIR/tiny_tokenizer.model). The second writes only tokenizer.json and
tokenizer_config.json for the real Llama 3 tokenizer at PATH.
"""
import argparse
import base64
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..", "scripts"))
from tiny_models import hf_writer  # noqa: E402


def tiny_tiktoken(path):
    """256 byte tokens and a few merged ones, in tiktoken's "base64 rank" format."""
    toks = [bytes([b]) for b in range(256)] + [b"he", b"ll", b"hell", b"hello", b" w", b" wo"]
    with open(path, "w") as f:
        for rank, t in enumerate(toks):
            f.write(f"{base64.b64encode(t).decode()} {rank}\n")
    return len(toks)


def bf16_exact(a):
    bits = hf_writer.to_bf16_bits(a).astype(np.uint32) << 16
    return bits.view(np.float32)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out_dir")
    ap.add_argument("--llama3-tokenizer")
    args = ap.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    if args.llama3_tokenizer:
        tok, config, _ = hf_writer.tokenizer_files(args.llama3_tokenizer, 131072)
        hf_writer.write_json(os.path.join(args.out_dir, "tokenizer.json"), tok)
        hf_writer.write_json(os.path.join(args.out_dir, "tokenizer_config.json"), config)
        return
    tok_path = os.path.join(args.out_dir, "tiny_tokenizer.model")
    n_base = tiny_tiktoken(tok_path)

    params = {"dim": 64, "n_layers": 2, "n_heads": 4, "n_kv_heads": 2, "vocab_size": n_base + 256,
              "multiple_of": 32, "ffn_dim_multiplier": None, "norm_eps": 1e-5, "rope_theta": 500000.0,
              "use_scaled_rope": True, "ffn_dim": 96, "max_seq_len": 128}
    d, hd, ffn, v = params["dim"], params["dim"] // params["n_heads"], params["ffn_dim"], params["vocab_size"]
    shapes = {"tok_embeddings.weight": (v, d), "norm.weight": (d,), "output.weight": (v, d)}
    for i in range(params["n_layers"]):
        p = f"layers.{i}."
        shapes.update({p + "attention_norm.weight": (d,), p + "ffn_norm.weight": (d,),
                       p + "attention.wq.weight": (params["n_heads"] * hd, d),
                       p + "attention.wk.weight": (params["n_kv_heads"] * hd, d),
                       p + "attention.wv.weight": (params["n_kv_heads"] * hd, d),
                       p + "attention.wo.weight": (d, params["n_heads"] * hd),
                       p + "feed_forward.w1.weight": (ffn, d), p + "feed_forward.w2.weight": (d, ffn),
                       p + "feed_forward.w3.weight": (ffn, d)})
    rng = np.random.default_rng(1234)
    tensors = {n: bf16_exact(rng.standard_normal(s).astype(np.float32)) for n, s in shapes.items()}

    hf_writer.write_hf(os.path.join(args.out_dir, "single"), params, tensors, tok_path)
    hf_writer.write_hf(os.path.join(args.out_dir, "sharded"), params, tensors, tok_path, shards=2,
                       merges_as="strings")
    hf_writer.write_safetensors(os.path.join(args.out_dir, "reference.safetensors"), list(tensors.items()), "F32")


if __name__ == "__main__":
    main()
