#!/usr/bin/env python3
"""Writes a Meta-format Llama checkpoint folder without importing torch.

    write_meta(out_dir, params, tensors, tokenizer_model_path, n_shards=1)

gives out_dir/params.json (Meta's fields only), out_dir/tokenizer.model (a
copy) and out_dir/consolidated.NN.pth, each laid out byte for byte as
torch.save writes a state dict of bf16 CPU tensors (PyTorch 2.x,
caffe2/serialize/inline_container.cc + miniz, pickle protocol 2):

  zip entries  archive/data.pkl, archive/byteorder ("little"),
               archive/data/0, archive/data/1, ..., archive/version ("3\\n"),
               archive/.data/serialization_id
  each entry   stored (method 0), flags 0x0808 (data descriptor + UTF-8),
               zero sizes/CRC in the local header, then a 16-byte data
               descriptor; the local header's extra field is "FB" + padding
               of 'Z's so that the data starts at a multiple of 64 bytes
  the end      central directory, ZIP64 end-of-central-directory record and
               locator (torch opens every archive with MZ_ZIP_FLAG_WRITE_ZIP64),
               then the classic end-of-central-directory record
  data.pkl     {name: torch._utils._rebuild_tensor_v2(
                   persistent_id('storage', torch.BFloat16Storage, key, 'cpu', numel),
                   0, size, stride, False, collections.OrderedDict())}
               with the memo (BINPUT/BINGET) exactly as Python's pickler uses it.

Tensors are split across shards as Meta's model-parallel layers split them:
wq/wk/wv/w1/w3/output along dim 0 (ColumnParallelLinear), wo/w2 along dim 1
(RowParallelLinear), tok_embeddings along dim 0 (Llama 3 VocabParallelEmbedding;
embedding_split="dim" gives Llama 2's ParallelEmbedding, dim 1), 1-D tensors
replicated.

Run as a script it makes a small random test model (see main()).
"""

import json
import os
import shutil
import struct
import zlib

import numpy as np

META_PARAM_KEYS = ("dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "multiple_of",
                   "ffn_dim_multiplier", "norm_eps", "rope_theta", "use_scaled_rope")


# ---- bf16 ---------------------------------------------------------------------------

def f32_to_bf16_bits(a):
    """float32 array -> uint16 bf16 bits, round to nearest even (NaN kept NaN)."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounded = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    nan = np.isnan(np.asarray(a, dtype=np.float32))
    rounded = np.where(nan, (u >> 16) | 0x40, rounded)
    return rounded.astype(np.uint16)


def bf16_bits_to_f32(b):
    return (b.astype(np.uint32) << 16).view(np.float32)


# ---- Meta's FeedForward size and shard splits ---------------------------------------

def meta_ffn_dim(dim, multiple_of, ffn_dim_multiplier=None):
    hidden = 4 * dim
    hidden = int(2 * hidden / 3)
    if ffn_dim_multiplier is not None:
        hidden = int(ffn_dim_multiplier * hidden)
    return multiple_of * ((hidden + multiple_of - 1) // multiple_of)


def split_axis(name, embedding_split="vocab"):
    """Axis along which Meta's model-parallel layers split `name`; None: replicated."""
    if name == "tok_embeddings.weight":
        return 0 if embedding_split == "vocab" else 1
    leaf = name.split(".", 2)[-1] if name.startswith("layers.") else name
    if leaf in ("attention.wq.weight", "attention.wk.weight", "attention.wv.weight",
                "feed_forward.w1.weight", "feed_forward.w3.weight", "output.weight"):
        return 0
    if leaf in ("attention.wo.weight", "feed_forward.w2.weight"):
        return 1
    return None


# ---- pickle (protocol 2), as Python's Pickler writes it -----------------------------

class _Global:
    def __init__(self, module, name):
        self.module, self.name = module, name


class _Reduce:
    """An object pickled as func(*args) (+ optional BUILD state)."""
    def __init__(self, func, args, state=None, dictitems=None):
        self.func, self.args, self.state, self.dictitems = func, args, state, dictitems


class _Storage:
    def __init__(self, key, numel, type_name="BFloat16Storage"):
        self.key, self.numel, self.type_name = key, numel, type_name


class _Pickler:
    def __init__(self):
        self.out = bytearray()
        self.memo = {}  # id(obj) -> memo index
        self.keep = []  # keeps memoized objects alive so ids stay unique

    def memoize(self, obj):
        idx = len(self.memo)
        self.memo[id(obj)] = idx
        self.keep.append(obj)
        self.out += b"q" + bytes([idx]) if idx < 256 else b"r" + struct.pack("<I", idx)

    def get(self, obj):
        idx = self.memo[id(obj)]
        self.out += b"h" + bytes([idx]) if idx < 256 else b"j" + struct.pack("<I", idx)

    def save(self, obj):
        if obj is None:
            self.out += b"N"
        elif obj is True or obj is False:
            self.out += b"\x88" if obj else b"\x89"
        elif isinstance(obj, int):
            self.save_int(obj)
        elif id(obj) in self.memo:
            self.get(obj)
        elif isinstance(obj, str):
            b = obj.encode("utf-8")
            self.out += b"X" + struct.pack("<I", len(b)) + b
            self.memoize(obj)
        elif isinstance(obj, tuple):
            self.save_tuple(obj)
        elif isinstance(obj, dict):
            self.out += b"}"
            self.memoize(obj)
            self.save_items(list(obj.items()))
        elif isinstance(obj, _Global):
            self.out += b"c" + obj.module.encode() + b"\n" + obj.name.encode() + b"\n"
            self.memoize(obj)
        elif isinstance(obj, _Storage):  # persistent_id, like torch.serialization._save
            self.save(("storage", STORAGE_TYPES[obj.type_name], obj.key, "cpu", obj.numel))
            self.out += b"Q"
        elif isinstance(obj, _Reduce):
            self.save(obj.func)
            self.save(obj.args)
            self.out += b"R"
            self.memoize(obj)
            if obj.dictitems:
                self.save_items(obj.dictitems)
            if obj.state is not None:
                self.save(obj.state)
                self.out += b"b"
        else:
            raise TypeError(f"cannot pickle {type(obj)}")

    def save_int(self, v):
        if 0 <= v <= 0xFF:
            self.out += b"K" + bytes([v])
        elif 0 <= v <= 0xFFFF:
            self.out += b"M" + struct.pack("<H", v)
        elif -(1 << 31) <= v < (1 << 31):
            self.out += b"J" + struct.pack("<i", v)
        else:
            n = (v.bit_length() + 8) // 8  # pickle.encode_long: room for the sign bit
            self.out += b"\x8a" + bytes([n]) + v.to_bytes(n, "little", signed=True)

    def save_tuple(self, t):
        if not t:
            self.out += b")"
            return
        if len(t) <= 3:
            for x in t:
                self.save(x)
            self.out += bytes([0x84 + len(t)])
        else:
            self.out += b"("
            for x in t:
                self.save(x)
            self.out += b"t"
        self.memoize(t)

    def save_items(self, items):
        for i in range(0, len(items), 1000):  # pickle's _BATCHSIZE
            batch = items[i:i + 1000]
            if len(batch) == 1:
                self.save(batch[0][0])
                self.save(batch[0][1])
                self.out += b"s"
            else:
                self.out += b"("
                for k, v in batch:
                    self.save(k)
                    self.save(v)
                self.out += b"u"


ORDERED_DICT = _Global("collections", "OrderedDict")
REBUILD_TENSOR_V2 = _Global("torch._utils", "_rebuild_tensor_v2")
STORAGE_TYPES = {n: _Global("torch", n) for n in ("BFloat16Storage", "HalfStorage", "FloatStorage")}


def pickle_state_dict(shapes, ordered=False):
    """data.pkl for {name: tensor of shape}; tensor i uses storage key str(i)."""
    entries = []
    for i, (name, shape) in enumerate(shapes):
        numel = int(np.prod(shape)) if shape else 1
        stride, acc = [], 1
        for d in reversed(shape):
            stride.insert(0, acc)
            acc *= d
        hooks = _Reduce(ORDERED_DICT, ())
        args = (_Storage(str(i), numel), 0, tuple(int(d) for d in shape), tuple(stride), False, hooks)
        entries.append((name, _Reduce(REBUILD_TENSOR_V2, args)))
    p = _Pickler()
    p.out += b"\x80\x02"
    if ordered:  # a module's state_dict(): OrderedDict with a _metadata attribute
        p.save(_Reduce(ORDERED_DICT, (), state={"_metadata": {"": {"version": 1}}}, dictitems=entries))
    else:
        p.save(dict(entries))
    p.out += b"."
    return bytes(p.out)


# ---- zip, as PyTorchStreamWriter (miniz) writes it -----------------------------------

def _local_padding(offset, name_len):
    start = offset + 30 + name_len + 4
    pad = (64 - start % 64) % 64
    return b"FB" + struct.pack("<H", pad) + b"Z" * pad


def write_torch_zip(path, records, archive="archive"):
    """records: list of (name inside the archive folder, bytes)."""
    out, central = bytearray(), bytearray()
    for name, data in records:
        full = f"{archive}/{name}".encode("utf-8")
        crc = zlib.crc32(data) & 0xFFFFFFFF
        offset = len(out)
        extra = _local_padding(offset, len(full))
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, 0x0808, 0, 0, 0, 0, 0, 0, len(full), len(extra))
        out += full + extra
        assert len(out) % 64 == 0
        out += data
        out += struct.pack("<IIII", 0x08074B50, crc, len(data), len(data))  # data descriptor
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, 0x0808, 0, 0, 0, crc, len(data),
                               len(data), len(full), 0, 0, 0, 0, 0, offset)
        central += full
    if len(out) + len(central) >= 0xFFFFFFFF:
        raise ValueError("meta_writer: archives of 4 GiB or more are not supported")
    cd_offset, n = len(out), len(records)
    out += central
    eocd64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x002D, 0, 0, n, n, len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, eocd64, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(central), cd_offset, 0)
    with open(path, "wb") as f:
        f.write(out)


def write_pth(path, named_bf16, ordered=False):
    """named_bf16: list of (name, uint16 array of bf16 bits)."""
    pkl = pickle_state_dict([(n, list(a.shape)) for n, a in named_bf16], ordered=ordered)
    records = [("data.pkl", pkl), ("byteorder", b"little")]
    records += [(f"data/{i}", np.ascontiguousarray(a).astype("<u2").tobytes()) for i, (_, a) in enumerate(named_bf16)]
    records += [("version", b"3\n"), (".data/serialization_id", b"0" * 40)]
    write_torch_zip(path, records)


# ---- the checkpoint folder -----------------------------------------------------------

def write_meta(out_dir, params, tensors, tokenizer_model_path, n_shards=1, embedding_split="vocab",
               ordered=False):
    os.makedirs(out_dir, exist_ok=True)
    if "ffn_dim" in params:
        want = meta_ffn_dim(params["dim"], params.get("multiple_of", 256), params.get("ffn_dim_multiplier"))
        if want != params["ffn_dim"]:
            raise ValueError(f"ffn_dim {params['ffn_dim']} is not what Meta's FeedForward computes ({want})")
    with open(os.path.join(out_dir, "params.json"), "w") as f:
        json.dump({k: params[k] for k in META_PARAM_KEYS if params.get(k) is not None}, f, indent=2)
    shutil.copyfile(tokenizer_model_path, os.path.join(out_dir, "tokenizer.model"))

    shards = [[] for _ in range(n_shards)]
    for name, value in tensors.items():
        bits = f32_to_bf16_bits(np.asarray(value, dtype=np.float32))
        axis = split_axis(name, embedding_split) if n_shards > 1 else None
        if axis is None:
            pieces = [bits] * n_shards
        else:
            if bits.shape[axis] % n_shards:
                raise ValueError(f"{name}: dim {axis} ({bits.shape[axis]}) does not split into {n_shards} shards")
            pieces = np.split(bits, n_shards, axis=axis)
        for s in range(n_shards):
            shards[s].append((name, np.ascontiguousarray(pieces[s])))
    for s in range(n_shards):
        write_pth(os.path.join(out_dir, f"consolidated.{s:02d}.pth"), shards[s], ordered=ordered)


# ---- a small random model, for tests --------------------------------------------------

def write_small_tokenizer(path, n=256):
    """A tiktoken file with the 256 single bytes as ranks 0..255."""
    import base64
    with open(path, "w") as f:
        for i in range(n):
            f.write(f"{base64.b64encode(bytes([i])).decode()} {i}\n")


def small_model(vocab, dim=64, n_layers=2, n_heads=4, n_kv_heads=2, multiple_of=32, seed=0):
    rng = np.random.default_rng(seed)
    ffn = meta_ffn_dim(dim, multiple_of)
    hd = dim // n_heads
    params = dict(dim=dim, n_layers=n_layers, n_heads=n_heads, n_kv_heads=n_kv_heads, vocab_size=vocab,
                  multiple_of=multiple_of, norm_eps=1e-5, rope_theta=500000.0, ffn_dim=ffn)

    def w(*shape):  # values exactly representable in bf16
        return bf16_bits_to_f32(f32_to_bf16_bits(rng.standard_normal(shape).astype(np.float32) * 0.1))

    t = {"tok_embeddings.weight": w(vocab, dim)}
    for i in range(n_layers):
        p = f"layers.{i}."
        t[p + "attention.wq.weight"] = w(n_heads * hd, dim)
        t[p + "attention.wk.weight"] = w(n_kv_heads * hd, dim)
        t[p + "attention.wv.weight"] = w(n_kv_heads * hd, dim)
        t[p + "attention.wo.weight"] = w(dim, n_heads * hd)
        t[p + "feed_forward.w1.weight"] = w(ffn, dim)
        t[p + "feed_forward.w2.weight"] = w(dim, ffn)
        t[p + "feed_forward.w3.weight"] = w(ffn, dim)
        t[p + "attention_norm.weight"] = w(dim)
        t[p + "ffn_norm.weight"] = w(dim)
    t["norm.weight"] = w(dim)
    t["output.weight"] = w(vocab, dim)
    t["rope.freqs"] = w(hd // 2)  # old Meta checkpoints carry it; readers ignore it
    return params, t


def main():
    import argparse
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out_dir")
    ap.add_argument("--shards", type=int, default=1)
    ap.add_argument("--embedding-split", choices=["vocab", "dim"], default="vocab")
    ap.add_argument("--ordered", action="store_true", help="pickle an OrderedDict with _metadata (BUILD)")
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--tokenizer", help="tiktoken file (default: a 256-token one, vocab 512)")
    ap.add_argument("--expected", help="folder for <name>.f32 raw little-endian float32 of every tensor")
    a = ap.parse_args()
    os.makedirs(a.out_dir, exist_ok=True)
    tok = a.tokenizer
    n_ranks = None
    if tok is None:
        tok = os.path.join(a.out_dir, "_small_tokenizer.model")
        write_small_tokenizer(tok)
        n_ranks = 256
    else:
        with open(tok) as f:
            n_ranks = sum(1 for line in f if line.strip())
    params, tensors = small_model(vocab=n_ranks + 256, dim=a.dim)
    write_meta(a.out_dir, params, tensors, tok, n_shards=a.shards, embedding_split=a.embedding_split,
               ordered=a.ordered)
    if a.tokenizer is None:
        os.remove(tok)
    if a.expected:
        os.makedirs(a.expected, exist_ok=True)
        for name, v in tensors.items():
            np.asarray(v, dtype="<f4").tofile(os.path.join(a.expected, name + ".f32"))


if __name__ == "__main__":
    main()
