"""Writes a tiny model as a Hugging Face Llama checkpoint folder (numpy only).

    write_hf(out_dir, params, tensors, tokenizer_model_path, shards=1)

Produces config.json, model.safetensors (or model-0000k-of-0000N.safetensors
and model.safetensors.index.json), tokenizer.json, tokenizer_config.json and
generation_config.json, laid out as transformers' convert_llama_weights_to_hf.py
writes a Llama 3 model: HF tensor names, q/k rows permuted for HF's half-split
rotary, weights in bf16, the tokenizer as byte-level BPE.
"""
import json
import os
import struct

import numpy as np

from . import llama3_tokenizer as l3

# ---- names ------------------------------------------------------------------------

_LAYER_NAMES = {
    "attention.wq.weight": "self_attn.q_proj.weight",
    "attention.wk.weight": "self_attn.k_proj.weight",
    "attention.wv.weight": "self_attn.v_proj.weight",
    "attention.wo.weight": "self_attn.o_proj.weight",
    "feed_forward.w1.weight": "mlp.gate_proj.weight",
    "feed_forward.w2.weight": "mlp.down_proj.weight",
    "feed_forward.w3.weight": "mlp.up_proj.weight",
    "attention_norm.weight": "input_layernorm.weight",
    "ffn_norm.weight": "post_attention_layernorm.weight",
}
_TOP_NAMES = {
    "tok_embeddings.weight": "model.embed_tokens.weight",
    "norm.weight": "model.norm.weight",
    "output.weight": "lm_head.weight",
}


def hf_name(meta_name):
    if meta_name in _TOP_NAMES:
        return _TOP_NAMES[meta_name]
    _, layer, rest = meta_name.split(".", 2)
    return f"model.layers.{layer}.{_LAYER_NAMES[rest]}"


# ---- q/k permutation ------------------------------------------------------------------


def permute_rotary(w, n_heads):
    """HF's permute(): w.view(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(1, 2).reshape(dim1, dim2)."""
    dim1, dim2 = w.shape
    return w.reshape(n_heads, dim1 // n_heads // 2, 2, dim2).transpose(0, 2, 1, 3).reshape(dim1, dim2)


# ---- safetensors --------------------------------------------------------------------------


def to_bf16_bits(a):
    """float32 -> bf16 bit patterns (uint16), rounding to nearest even."""
    x = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    x = (x + 0x7FFF + ((x >> 16) & 1)) >> 16
    return x.astype(np.uint16)


def encode(a, dtype):
    """-> (safetensors dtype string, raw little-endian bytes)."""
    if dtype == "BF16":
        return "BF16", to_bf16_bits(a).astype("<u2").tobytes()
    if dtype == "F16":
        return "F16", np.asarray(a, dtype="<f2").tobytes()
    return "F32", np.asarray(a, dtype="<f4").tobytes()


def write_safetensors(path, named_arrays, dtype="BF16", metadata=None):
    """named_arrays: list of (name, float32 array). Returns total data bytes."""
    header, blobs, offset = {}, [], 0
    for name, a in named_arrays:
        st_dtype, raw = encode(a, dtype)
        header[name] = {"dtype": st_dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    header["__metadata__"] = metadata or {"format": "pt"}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)  # the data section starts 8-byte aligned
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)
    return offset


# ---- tokenizer ----------------------------------------------------------------------------


def tokenizer_files(tokenizer_model_path, max_seq_len, merges_as="pairs"):
    """-> (tokenizer.json dict, tokenizer_config.json dict, special token ids by text)."""
    ranks = l3.load_ranks(tokenizer_model_path)
    n_base = len(ranks)
    table = l3.bytes_to_unicode()

    def chars(token_bytes):
        return "".join(table[b] for b in token_bytes)

    specials = {s: n_base + i for i, s in enumerate(l3.SPECIAL_TOKENS)}
    vocab = {chars(tok): rank for tok, rank in ranks.items()}
    merges = [[chars(a), chars(b)] for a, b in l3.bpe_merges(ranks)]
    if merges_as == "strings":
        merges = [f"{a} {b}" for a, b in merges]
    bos = l3.SPECIAL_TOKENS[0]
    added = [{"id": i, "content": s, "single_word": False, "lstrip": False, "rstrip": False,
              "normalized": False, "special": True} for s, i in specials.items()]
    tok = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": added,
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Split", "pattern": {"Regex": l3.PATTERN}, "behavior": "Isolated", "invert": False},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": False},
        ]},
        "post_processor": {"type": "Sequence", "processors": [
            {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": False, "use_regex": True},
            {"type": "TemplateProcessing",
             "single": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
             "pair": [{"SpecialToken": {"id": bos, "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}},
                      {"SpecialToken": {"id": bos, "type_id": 1}}, {"Sequence": {"id": "B", "type_id": 1}}],
             "special_tokens": {bos: {"id": bos, "ids": [specials[bos]], "tokens": [bos]}}},
        ]},
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None, "continuing_subword_prefix": None,
                  "end_of_word_suffix": None, "fuse_unk": False, "byte_fallback": False, "ignore_merges": True,
                  "vocab": vocab, "merges": merges},
    }
    config = {
        "bos_token": bos,
        "eos_token": "<|eot_id|>",
        "chat_template": l3.CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": True,
        "model_input_names": ["input_ids", "attention_mask"],
        "model_max_length": max_seq_len,
        "tokenizer_class": "PreTrainedTokenizerFast",
    }
    return tok, config, specials


# ---- config ---------------------------------------------------------------------------------


def config_json(params, vocab_size, tied, bos_id, eos_id):
    c = {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": params["dim"],
        "num_hidden_layers": params["n_layers"],
        "num_attention_heads": params["n_heads"],
        "num_key_value_heads": params.get("n_kv_heads") or params["n_heads"],
        "head_dim": params["dim"] // params["n_heads"],
        "intermediate_size": params["ffn_dim"],
        "vocab_size": vocab_size,
        "rms_norm_eps": params["norm_eps"],
        "rope_theta": params.get("rope_theta", 10000.0),
        "max_position_embeddings": params["max_seq_len"],
        "tie_word_embeddings": tied,
        "hidden_act": "silu",
        "attention_bias": False,
        "mlp_bias": False,
        "bos_token_id": bos_id,
        "eos_token_id": eos_id,
        "torch_dtype": "bfloat16",
        "rope_scaling": None,
    }
    if params.get("use_scaled_rope"):
        # Llama 3.1's constants (Meta's apply_scaling).
        c["rope_scaling"] = {"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                             "high_freq_factor": 4.0, "original_max_position_embeddings": 8192}
    return c


def write_json(path, obj):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(obj, f, ensure_ascii=False, indent=2)


# ---- the folder -----------------------------------------------------------------------------


def hf_tensors(params, tensors):
    """Meta-named float32 arrays -> list of (HF name, array), q/k permuted."""
    n_heads = params["n_heads"]
    n_kv = params.get("n_kv_heads") or n_heads
    out = []
    for name, a in tensors.items():
        if name.endswith("attention.wq.weight"):
            a = permute_rotary(a, n_heads)
        elif name.endswith("attention.wk.weight"):
            a = permute_rotary(a, n_kv)
        out.append((hf_name(name), a))
    return out


def write_hf(out_dir, params, tensors, tokenizer_model_path, shards=1, merges_as="pairs"):
    os.makedirs(out_dir, exist_ok=True)
    tok, tok_config, specials = tokenizer_files(tokenizer_model_path, params["max_seq_len"], merges_as)
    bos_id = specials[l3.SPECIAL_TOKENS[0]]
    eos_id, eot_id = specials["<|end_of_text|>"], specials["<|eot_id|>"]
    tied = "output.weight" not in tensors

    write_json(os.path.join(out_dir, "config.json"),
                config_json(params, params["vocab_size"], tied, bos_id, eos_id))
    write_json(os.path.join(out_dir, "generation_config.json"),
                {"bos_token_id": bos_id, "eos_token_id": [eos_id, eot_id], "do_sample": True,
                 "temperature": 0.6, "top_p": 0.9})
    write_json(os.path.join(out_dir, "tokenizer.json"), tok)
    write_json(os.path.join(out_dir, "tokenizer_config.json"), tok_config)

    named = hf_tensors(params, tensors)
    if shards <= 1:
        write_safetensors(os.path.join(out_dir, "model.safetensors"), named)
        return
    # Split in order into `shards` groups of about equal size.
    total = sum(a.size for _, a in named)
    groups, acc = [[] for _ in range(shards)], 0
    for name, a in named:
        groups[min(shards - 1, acc * shards // max(total, 1))].append((name, a))
        acc += a.size
    weight_map, total_bytes = {}, 0
    for k, group in enumerate(groups):
        fname = f"model-{k + 1:05d}-of-{shards:05d}.safetensors"
        total_bytes += write_safetensors(os.path.join(out_dir, fname), group)
        weight_map.update({name: fname for name, _ in group})
    write_json(os.path.join(out_dir, "model.safetensors.index.json"),
                {"metadata": {"total_size": total_bytes}, "weight_map": weight_map})
