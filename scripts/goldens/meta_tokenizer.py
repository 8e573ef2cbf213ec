"""Meta's Llama 3 tokenizer semantics (llama/tokenizer.py) over tiktoken: the
byte-pair ranks of tokenizer.model, Llama 3's pre-tokenization pattern, and
the 256 special tokens numbered after the ordinary ones
(<|begin_of_text|> = 128000 for the real vocabulary)."""
import tiktoken
from tiktoken.load import load_tiktoken_bpe

PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
           r"|\s*[\r\n]+|\s+(?!\S)|\s+")
N_SPECIAL = 256


class MetaTokenizer:
    def __init__(self, path):
        ranks = load_tiktoken_bpe(path)
        n = len(ranks)
        names = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>",
                 "<|reserved_special_token_1|>", "<|finetune_right_pad_id|>", "<|step_id|>",
                 "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>", "<|eot_id|>", "<|python_tag|>"]
        names += [f"<|reserved_special_token_{i}|>" for i in range(2, 2 + N_SPECIAL - len(names))]
        self.special = {name: n + i for i, name in enumerate(names)}
        self.enc = tiktoken.Encoding(name="llama3", pat_str=PATTERN, mergeable_ranks=ranks,
                                     special_tokens=self.special)
        self.bos_id = self.special["<|begin_of_text|>"]

    def encode(self, text):
        """Ordinary text only: special-token text is encoded as plain bytes."""
        return self.enc.encode(text, disallowed_special=())


def load_tokenizer(path):
    return MetaTokenizer(path)
