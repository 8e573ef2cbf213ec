#!/usr/bin/env python3
"""Token-id goldens for runtime/tokenizer from the REFERENCE tokenizers.

Not run in CI: it needs pip packages and the real vocabularies. Run by hand:

  pip install tiktoken tokenizers            # llama-cpp-python optional
  scripts/goldens/make-tokenizer-goldens.py [--gguf PATH] [--tiktoken PATH]

Reads test/goldens/tokenizer/corpus.json (a list of strings) and writes
test/goldens/tokenizer/{llama3,smollm2}.json: a list of
  {"text": str, "ids": [...], "ids_special": [...]}
where "ids" encodes special-token text as plain text and "ids_special"
recognizes it (one id per special token). Neither adds BOS/EOS.

References:
  Llama 3:  tiktoken (OpenAI's Rust BPE), an Encoding built from Meta's
            tokenizer.model with Meta's pattern and 256 special tokens, driven
            exactly like Meta's llama3 tokenizer.py: the text is cut into
            chunks of <= 400000 code points, each cut again after runs of more
            than 25000 whitespace / non-whitespace code points, and each piece
            is encoded with allowed_special=set(), disallowed_special=()
            ("ids") or allowed_special="all" ("ids_special").
  SmolLM2:  llama.cpp (llama-cpp-python, vocab_only) when importable:
            tokenize(add_bos=False, special=False / True). Otherwise Hugging
            Face `tokenizers` with a tokenizer.json rebuilt from the GGUF's
            tokens and merges and SmolLM2's own pre-tokenizer config
            (Sequence[Digits(individual_digits), ByteLevel(use_regex)], BPE
            without ignore_merges, no unk token); "ids" then come from
            encode_special_tokens=True. The file records which one was used.
"""
import argparse
import base64
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
from tiny_models.llama3_tokenizer import PATTERN, SPECIAL_TOKENS, NUM_BASE_TOKENS  # noqa: E402

GOLDEN_DIR = ROOT / "test" / "goldens" / "tokenizer"

# --- Llama 3 (tiktoken, Meta's driver) ---------------------------------------

TIKTOKEN_MAX_ENCODE_CHARS = 400_000
MAX_NO_WHITESPACES_CHARS = 25_000


def split_runs(s, max_len):
    """Meta's _split_whitespaces_or_nonwhitespaces (str.isspace runs)."""
    cur_len = 0
    cur_space = s[0].isspace() if s else False
    start = 0
    for i, ch in enumerate(s):
        now_space = ch.isspace()
        if cur_space ^ now_space:
            cur_len = 1
            cur_space = now_space
        else:
            cur_len += 1
            if cur_len > max_len:
                yield s[start:i]
                start = i
                cur_len = 1
    yield s[start:]


def llama3_encoder(path):
    import tiktoken
    ranks = {}
    with open(path, "rb") as f:
        for line in f:
            if line.strip():
                tok, rank = line.split()
                ranks[base64.b64decode(tok)] = int(rank)
    assert len(ranks) == NUM_BASE_TOKENS
    specials = {t: NUM_BASE_TOKENS + i for i, t in enumerate(SPECIAL_TOKENS)}
    enc = tiktoken.Encoding(name="llama3", pat_str=PATTERN, mergeable_ranks=ranks,
                            special_tokens=specials)

    def encode(text, special):
        out = []
        for i in range(0, len(text), TIKTOKEN_MAX_ENCODE_CHARS):
            for sub in split_runs(text[i:i + TIKTOKEN_MAX_ENCODE_CHARS], MAX_NO_WHITESPACES_CHARS):
                if special:
                    out += enc.encode(sub, allowed_special="all")
                else:
                    out += enc.encode(sub, allowed_special=set(), disallowed_special=())
        return out

    return encode, f"tiktoken {tiktoken.__version__} (Meta tokenizer.py chunking)"


# --- SmolLM2 (llama.cpp, or HF tokenizers rebuilt from the GGUF) --------------

def gguf_vocab(path):
    import gguf
    r = gguf.GGUFReader(path)

    def strings(key):
        f = r.fields[key]
        return [bytes(f.parts[i]).decode("utf-8") for i in f.data]

    def scalar(key):
        f = r.fields[key]
        return f.parts[f.data[0]][0]

    assert bytes(r.fields["tokenizer.ggml.model"].parts[-1]).decode() == "gpt2"
    assert bytes(r.fields["tokenizer.ggml.pre"].parts[-1]).decode() == "smollm"
    types = [int(r.fields["tokenizer.ggml.token_type"].parts[i][0])
             for i in r.fields["tokenizer.ggml.token_type"].data]
    return strings("tokenizer.ggml.tokens"), strings("tokenizer.ggml.merges"), types


def smollm2_hf(path):
    import tokenizers
    tokens, merges, types = gguf_vocab(path)
    tj = {
        "version": "1.0",
        "truncation": None,
        "padding": None,
        "added_tokens": [
            {"id": i, "content": t, "single_word": False, "lstrip": False, "rstrip": False,
             "normalized": False, "special": True}
            for i, (t, ty) in enumerate(zip(tokens, types)) if ty == 3  # CONTROL
        ],
        "normalizer": None,
        "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
            {"type": "Digits", "individual_digits": True},
            {"type": "ByteLevel", "add_prefix_space": False, "trim_offsets": True, "use_regex": True},
        ]},
        "post_processor": None,
        "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                    "use_regex": True},
        "model": {"type": "BPE", "dropout": None, "unk_token": None,
                  "continuing_subword_prefix": None, "end_of_word_suffix": None,
                  "fuse_unk": False, "byte_fallback": False, "ignore_merges": False,
                  "vocab": {t: i for i, t in enumerate(tokens)},
                  "merges": merges},
    }
    tok = tokenizers.Tokenizer.from_str(json.dumps(tj))

    def encode(text, special):
        tok.encode_special_tokens = not special
        return tok.encode(text, add_special_tokens=False).ids

    return encode, (f"HF tokenizers {tokenizers.__version__}, tokenizer.json rebuilt from "
                    f"{os.path.basename(path)} (Digits+ByteLevel, as SmolLM2's tokenizer.json)")


def smollm2_llamacpp(path):
    import llama_cpp
    llm = llama_cpp.Llama(model_path=path, vocab_only=True, verbose=False)

    def encode(text, special):
        return llm.tokenize(text.encode("utf-8"), add_bos=False, special=special)

    return encode, f"llama.cpp via llama-cpp-python {llama_cpp.__version__} (vocab_only)"


# --- Driver -------------------------------------------------------------------

def write(name, encode, reference, corpus):
    rows = [{"text": t, "ids": encode(t, False), "ids_special": encode(t, True)} for t in corpus]
    out = {"reference": reference, "cases": rows}
    path = GOLDEN_DIR / f"{name}.json"
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {path}: {len(rows)} cases, {reference}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tiktoken", default=str(ROOT.parent / "shared/data/llama3/tokenizer.model"))
    ap.add_argument("--gguf", default=os.path.expanduser("~/.cache/lac/SmolLM2-135M-Instruct.Q4_1.gguf"))
    ap.add_argument("--smollm2-reference", choices=["auto", "llamacpp", "hf"], default="auto")
    args = ap.parse_args()
    corpus = json.load(open(GOLDEN_DIR / "corpus.json", encoding="utf-8"))

    write("llama3", *llama3_encoder(args.tiktoken), corpus)

    ref = args.smollm2_reference
    if ref == "auto":
        try:
            import llama_cpp  # noqa: F401
            ref = "llamacpp"
        except ImportError:
            ref = "hf"
    make = smollm2_llamacpp if ref == "llamacpp" else smollm2_hf
    write("smollm2", *make(args.gguf), corpus)


if __name__ == "__main__":
    main()
