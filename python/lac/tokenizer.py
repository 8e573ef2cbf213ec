"""Meta's Tokenizer and ChatFormat (llama3 llama/tokenizer.py) on the artifact's tokenizer.

The vocabulary, merges and special tokens come from the compiled .lac; the
encoding runs in C++ (runtime/tokenizer). The arguments and the rules for
special tokens are tiktoken's, as Meta's Tokenizer passes them:

    tok.encode("Hi<|eot_id|>", bos=True, eos=False)              # the tag is text
    tok.encode("Hi<|eot_id|>", bos=True, eos=False, allowed_special="all")  # one token
    tok.encode("<|eot_id|>", bos=False, eos=False, disallowed_special="all")  # ValueError
"""

from __future__ import annotations

import json

import re
from typing import AbstractSet, Collection, Dict, List, Literal, Sequence, TypedDict, Union

from . import _runtime

Role = Literal["system", "user", "assistant"]


class Message(TypedDict):
    role: Role
    content: str


Dialog = Sequence[Message]


def _check_text(s: object, what: str) -> str:
    if not isinstance(s, str):
        raise TypeError(f"{what} must be a str, got {type(s).__name__}")
    try:
        s.encode("utf-8")
    except UnicodeEncodeError as e:
        raise ValueError(f"{what} is not valid UTF-8 text: {e.reason} at position {e.start}") from None
    return s


def _special_set(value: Union[Literal["all"], Collection[str]], name: str) -> Union[Literal["all"], frozenset]:
    if value == "all":
        return "all"
    if isinstance(value, str):
        raise TypeError(f"{name} must be 'all' or a collection of special-token strings, got the str {value!r}")
    try:
        return frozenset(value)
    except TypeError:
        raise TypeError(f"{name} must be 'all' or a collection of special-token strings") from None


class Tokenizer:
    """The model's tokenizer with Meta's attributes: n_words, bos_id, eos_id, pad_id, stop_tokens."""

    def __init__(self, model: _runtime.Model):
        self._model = model
        self.n_words: int = model.n_words
        self.bos_id: int = model.bos_id if model.bos_id is not None else -1
        self.eos_id: int = model.eos_id if model.eos_id is not None else -1
        self.pad_id: int = -1
        self.stop_tokens = set(model.stop_ids)
        self._special_tokens: Dict[str, int] | None = None

    @property
    def special_tokens(self) -> Dict[str, int]:
        """{text: id} of every special token."""
        if self._special_tokens is None:
            self._special_tokens = dict(self._model.special_tokens())
        return self._special_tokens

    def encode(
        self,
        s: str,
        *,
        bos: bool,
        eos: bool,
        allowed_special: Union[Literal["all"], AbstractSet[str]] = frozenset(),
        disallowed_special: Union[Literal["all"], Collection[str]] = (),
    ) -> List[int]:
        """Text -> token ids, as Meta's Tokenizer.encode (tiktoken's special-token rules)."""
        _check_text(s, "s")
        allowed = _special_set(allowed_special, "allowed_special")
        disallowed = _special_set(disallowed_special, "disallowed_special")
        specials = self.special_tokens
        if allowed == "all":
            allowed = frozenset(specials)
        unknown = allowed - specials.keys()
        if unknown:
            raise ValueError(f"allowed_special: {sorted(unknown)[0]!r} is not a special token of this model")
        if disallowed == "all":
            disallowed = frozenset(specials) - allowed
        for tok in disallowed:
            if tok in s:
                raise ValueError(
                    f"Encountered text corresponding to disallowed special token {tok!r}. Pass "
                    f"allowed_special={{{tok!r}}} to encode it as the special token, or disallowed_special=() to "
                    f"encode it as normal text."
                )
        if not allowed or not any(tok in s for tok in allowed):
            return list(self._model.encode(s, bool(bos), bool(eos), False))
        if allowed == frozenset(specials):
            return list(self._model.encode(s, bool(bos), bool(eos), True))
        # Some specials only: split on them (longest first), the rest is plain text.
        pattern = re.compile("|".join(re.escape(t) for t in sorted(allowed, key=len, reverse=True)))
        ids: List[int] = list(self._model.encode("", bool(bos), False, False))  # [BOS] or [] (raises if none)
        pos = 0
        for m in pattern.finditer(s):
            if m.start() > pos:
                ids += self._model.encode(s[pos : m.start()], False, False, False)
            ids.append(specials[m.group(0)])
            pos = m.end()
        if pos < len(s):
            ids += self._model.encode(s[pos:], False, False, False)
        if eos:
            ids += self._model.encode("", False, True, False)
        return ids

    def decode(self, t: Sequence[int]) -> str:
        """Token ids -> text; invalid UTF-8 becomes U+FFFD (Python's errors='replace')."""
        try:
            ids = [int(x) for x in t]
        except (TypeError, ValueError):
            raise TypeError("decode() takes a sequence of token ids (ints)") from None
        return self._model.decode(ids)


class ChatFormat:
    """The model's chat format: encode_dialog_prompt(dialog) -> the prompt's token ids.

    Meta-format Llama 3 checkpoints use Meta's header format (token-exact with
    Meta's ChatFormat); others the checkpoint's own Jinja chat template.
    """

    def __init__(self, tokenizer: Tokenizer):
        self.tokenizer = tokenizer

    def encode_header(self, message: Message) -> List[int]:
        self._require_llama3()
        sp = self.tokenizer.special_tokens
        tokens = [sp["<|start_header_id|>"]]
        tokens += self.tokenizer.encode(message["role"], bos=False, eos=False)
        tokens.append(sp["<|end_header_id|>"])
        tokens += self.tokenizer.encode("\n\n", bos=False, eos=False)
        return tokens

    def encode_message(self, message: Message) -> List[int]:
        tokens = self.encode_header(message)
        tokens += self.tokenizer.encode(message["content"].strip(), bos=False, eos=False)
        tokens.append(self.tokenizer.special_tokens["<|eot_id|>"])
        return tokens

    def encode_dialog_prompt(self, dialog: Dialog) -> List[int]:
        return list(self.tokenizer._model.encode_dialog(dialog_messages(dialog, 0)))

    def _require_llama3(self) -> None:
        fmt = self.tokenizer._model.chat_format
        # Meta's header format needs Meta's header tokens: a llama3 artifact,
        # or one that carries its own (Llama 3) template over that vocabulary.
        if fmt != "llama3" and not (fmt == "jinja" and "<|start_header_id|>" in self.tokenizer.special_tokens):
            raise _runtime.UnsupportedError(
                f"encode_header/encode_message are Llama 3's header format; this model's chat format is {fmt} "
                f"(use encode_dialog_prompt)"
            )


def dialog_messages(dialog: object, index: int) -> List[tuple]:
    """[(role, content or None, other keys as JSON or "", has tool_calls), ...] of a dialog, with clear errors for the wrong shapes.

    Keys beyond role and content (tool_calls, tool_call_id, name, ...) reach the model's own Jinja
    chat template as transformers passes them (keys whose value is None dropped); content may be
    None only beside tool_calls.
    """
    if isinstance(dialog, (str, bytes)) or not isinstance(dialog, Sequence):
        raise TypeError(f"dialog {index} must be a list of messages ({{'role': ..., 'content': ...}}), "
                        f"got {type(dialog).__name__}")
    out = []
    for k, m in enumerate(dialog):
        if not isinstance(m, dict):
            raise TypeError(f"dialog {index} message {k} must be a dict with 'role' and 'content', "
                            f"got {type(m).__name__}")
        extra = {key: v for key, v in m.items() if key not in ("role", "content") and v is not None}
        for key in ("role", "content"):
            if key == "content" and m.get(key) is None and "tool_calls" in extra:
                continue
            if key not in m:
                raise ValueError(f"dialog {index} message {k} has no {key!r}")
            if not isinstance(m[key], str):
                raise TypeError(f"dialog {index} message {k}: {key!r} must be a str, got {type(m[key]).__name__}")
        content = m.get("content")
        if content is not None:
            _check_text(content, f"dialog {index} message {k} content")
        try:
            extra_json = json.dumps(extra, ensure_ascii=False) if extra else ""
        except (TypeError, ValueError) as e:
            raise TypeError(f"dialog {index} message {k}: its other keys must be JSON values ({e})") from None
        out.append((m["role"], content, extra_json, "tool_calls" in extra))
    return out
