"""GGUF writer for tiny test models (llama architecture, BF16 tensors).

write_gguf(out_path, params, tensors, tokenizer_model_path) writes what
llama.cpp's converter would write for a Llama 3 model: llama.* config keys,
tensors under GGUF names (token_embd, blk.N.attn_q, ...), a "gpt2" byte-level
BPE tokenizer (tokens and merges as GPT-2 byte-to-unicode strings, special
tokens literal with token type CONTROL) and the Llama 3 chat template.

Conventions (see compiler/import/model_spec.h): `tensors` holds float32 numpy
arrays under Meta names in Meta layouts, outermost-first ([out, in]); q/k are
already in Meta's rotary layout, which is also GGUF's, so nothing is permuted.
GGUFWriter takes numpy arrays outermost-first and reverses them into GGUF's
ne order itself. Values are stored as BF16 (the caller makes them exactly
representable). A missing output.weight means tied embeddings.
With params["use_scaled_rope"], Llama 3.1-style RoPE scaling is stored the way
llama.cpp does it: a rope_freqs.weight tensor of per-frequency divisors.
"""
import math

import numpy as np
import gguf
from gguf import GGMLQuantizationType, TokenType

from . import llama3_tokenizer as l3

# Meta name -> GGUF name; {i} is the layer index.
_GLOBAL_NAMES = {
    "tok_embeddings.weight": "token_embd.weight",
    "norm.weight": "output_norm.weight",
    "output.weight": "output.weight",
}
_LAYER_NAMES = {
    "attention.wq": "attn_q",
    "attention.wk": "attn_k",
    "attention.wv": "attn_v",
    "attention.wo": "attn_output",
    "feed_forward.w1": "ffn_gate",
    "feed_forward.w2": "ffn_down",
    "feed_forward.w3": "ffn_up",
    "attention_norm": "attn_norm",
    "ffn_norm": "ffn_norm",
}


def gguf_name(meta_name):
    if meta_name in _GLOBAL_NAMES:
        return _GLOBAL_NAMES[meta_name]
    parts = meta_name.split(".")
    if len(parts) >= 4 and parts[0] == "layers" and parts[-1] == "weight":
        inner = ".".join(parts[2:-1])
        if inner in _LAYER_NAMES:
            return f"blk.{int(parts[1])}.{_LAYER_NAMES[inner]}.weight"
    raise ValueError(f"no GGUF name for tensor {meta_name!r}")


def _to_gpt2(data: bytes) -> str:
    return l3.to_gpt2_chars(data)


def _llama3_rope_divisors(head_dim, theta, factor=8.0, low=1.0, high=4.0, original=8192):
    """The rope_freqs values llama.cpp's converter writes for Llama 3.1 scaling."""
    out = []
    for i in range(0, head_dim, 2):
        freq = 1.0 / (theta ** (i / head_dim))
        wavelen = 2 * math.pi / freq
        if wavelen < original / high:
            out.append(1.0)
        elif wavelen > original / low:
            out.append(factor)
        else:
            smooth = (original / wavelen - low) / (high - low)
            out.append(1.0 / ((1 - smooth) / factor + smooth))
    return np.array(out, dtype=np.float32)


def _add_config(w, params):
    head_dim = params["dim"] // params["n_heads"]
    w.add_name(params.get("name", "lac-tiny-llama"))
    w.add_file_type(gguf.LlamaFileType.MOSTLY_BF16)
    w.add_context_length(params["max_seq_len"])
    w.add_embedding_length(params["dim"])
    w.add_block_count(params["n_layers"])
    w.add_feed_forward_length(params["ffn_dim"])
    w.add_head_count(params["n_heads"])
    w.add_head_count_kv(params.get("n_kv_heads") or params["n_heads"])
    w.add_rope_freq_base(float(params["rope_theta"]))
    w.add_layer_norm_rms_eps(float(params["norm_eps"]))
    w.add_vocab_size(params["vocab_size"])
    w.add_rope_dimension_count(head_dim)


def _add_tokenizer(w, params, tokenizer_model_path):
    ranks = l3.load_ranks(tokenizer_model_path)
    n_ranks = len(ranks)
    by_id = [None] * n_ranks
    for token, rank in ranks.items():
        by_id[rank] = token
    tokens = [_to_gpt2(t) for t in by_id]
    types = [TokenType.NORMAL] * n_ranks
    for text in l3.SPECIAL_TOKENS:
        tokens.append(text)
        types.append(TokenType.CONTROL)
    vocab = params["vocab_size"]
    if len(tokens) > vocab:
        raise ValueError(f"tokenizer has {len(tokens)} tokens but vocab_size is {vocab}")
    while len(tokens) < vocab:  # pad to the embedding's rows
        tokens.append(f"<|lac_pad_{len(tokens)}|>")
        types.append(TokenType.CONTROL)

    w.add_tokenizer_model("gpt2")
    w.add_tokenizer_pre("llama-bpe")
    w.add_token_list(tokens)
    w.add_token_types(types)
    w.add_token_merges([_to_gpt2(a) + " " + _to_gpt2(b) for a, b in l3.bpe_merges(ranks)])
    w.add_bos_token_id(l3.BOS_ID)
    w.add_eos_token_id(l3.EOS_ID)
    w.add_eot_token_id(l3.EOT_ID)
    w.add_add_bos_token(True)
    w.add_chat_template(l3.CHAT_TEMPLATE)


def _add_tensors(w, params, tensors, matrix_type=GGMLQuantizationType.BF16):
    for name, x in tensors.items():
        x = np.ascontiguousarray(x, dtype=np.float32)
        qtype = matrix_type if x.ndim == 2 else GGMLQuantizationType.BF16
        data = gguf.quants.quantize(x, qtype)
        # `data` is uint8 in byte shape; GGUFWriter turns that back into the element shape.
        w.add_tensor(gguf_name(name), data, raw_dtype=qtype)
    if params.get("use_scaled_rope"):
        head_dim = params["dim"] // params["n_heads"]
        factor = float(params.get("rope_scale_factor", 8.0))
        w.add_tensor("rope_freqs.weight", _llama3_rope_divisors(head_dim, float(params["rope_theta"]), factor))


def write_gguf(out_path, params, tensors, tokenizer_model_path, matrix_type="bf16"):
    """Writes a GGUF v3 file; see the module docstring. matrix_type "q4_1"
    (or "q4_0", "q8_0") quantizes the matrices with gguf-py's reference
    quantizer; vectors stay bf16."""
    w = gguf.GGUFWriter(str(out_path), "llama")
    _add_config(w, params)
    _add_tokenizer(w, params, tokenizer_model_path)
    _add_tensors(w, params, tensors, GGMLQuantizationType[matrix_type.upper()])
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
