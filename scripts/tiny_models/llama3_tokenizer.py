"""Facts about Meta's Llama 3 tokenizer, shared by the tiny-model writers.

The tiktoken file (tokenizer.model) holds 128000 "base64 rank" lines; Meta's
tokenizer.py appends 256 special tokens. Hugging Face and GGUF describe the
same tokenizer as byte-level BPE with explicit merges, which bpe_merges()
recovers from the ranks (a merge's rank is the rank of the token it makes).
"""
import base64
import functools

PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}"
           r"| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+")

NUM_BASE_TOKENS = 128000
SPECIAL_TOKENS = [
    "<|begin_of_text|>",
    "<|end_of_text|>",
    "<|reserved_special_token_0|>",
    "<|reserved_special_token_1|>",
    "<|reserved_special_token_2|>",
    "<|reserved_special_token_3|>",
    "<|start_header_id|>",
    "<|end_header_id|>",
    "<|reserved_special_token_4|>",
    "<|eot_id|>",
] + [f"<|reserved_special_token_{i}|>" for i in range(5, 256 - 5)]
assert len(SPECIAL_TOKENS) == 256

BOS_ID = 128000
EOS_ID = 128001
EOT_ID = 128009

# Llama 3 Instruct's chat template (header / eot format), as HF and GGUF carry it.
CHAT_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    "+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}"
    "{% set content = bos_token + content %}{% endif %}{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)


def load_ranks(path):
    """tokenizer.model -> {token bytes: rank}."""
    ranks = {}
    with open(path, "rb") as f:
        for line in f:
            if not line.strip():
                continue
            tok, rank = line.split()
            ranks[base64.b64decode(tok)] = int(rank)
    return ranks


def bpe_merges(ranks):
    """The merge list, in priority order, equivalent to tiktoken's ranks.

    tiktoken applies the lowest-ranked adjacent pair whose concatenation is a
    token; a merge list says the same if it holds, for every token, each way of
    splitting it into two tokens, ranked by the token they make (a few Llama 3
    tokens are reachable only through a split that is not the last BPE step,
    so one merge per token is not enough). Ties are ordered by the ranks of the
    parts. This is also how Hugging Face's Llama 3 tokenizer.json was made.
    """
    merges = []
    for token, rank in ranks.items():
        if len(token) < 2:
            continue
        local = []
        for i in range(1, len(token)):
            left, right = token[:i], token[i:]
            if left in ranks and right in ranks:
                local.append((ranks[left], ranks[right], left, right, rank))
        local.sort()
        merges.extend((rank, l, r) for _, _, l, r, rank in local)
    merges.sort(key=lambda m: m[0])
    return [(l, r) for _, l, r in merges]


@functools.lru_cache(maxsize=None)
def bytes_to_unicode():
    """GPT-2's byte -> printable character map (bytes that are printable map to themselves)."""
    keep = list(range(0x21, 0x7F)) + list(range(0xA1, 0xAD)) + list(range(0xAE, 0x100))
    table, extra = {}, 0
    for b in range(256):
        if b in keep:
            table[b] = chr(b)
        else:
            table[b] = chr(256 + extra)
            extra += 1
    return table


def to_gpt2_chars(token_bytes):
    t = bytes_to_unicode()
    return "".join(t[b] for b in token_bytes)
