// The tokenizer as data: what a checkpoint reader produces (compiler/import),
// what the artifact carries (plan.fbs Tokenizer) and what Tokenizer::create
// takes (tokenizer.h). One struct for both sides; header only, no PCRE2, so
// the compiler can include it without linking the runtime tokenizer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lac {

enum class TokenizerKind { None, Tiktoken, Gpt2Bpe };

inline std::string_view tokenizerKindName(TokenizerKind k) {
  switch (k) {
    case TokenizerKind::None: return "none";
    case TokenizerKind::Tiktoken: return "tiktoken";
    case TokenizerKind::Gpt2Bpe: return "gpt2-bpe";
  }
  return "?";
}

struct SpecialToken {
  std::string text;  // "<|eot_id|>"
  uint32_t id = 0;
};

struct TokenizerData {
  TokenizerKind kind = TokenizerKind::None;
  // Raw bytes of every token, indexed by id (tiktoken: the id is the rank).
  // Special tokens sit at their ids with their text as bytes.
  std::vector<std::string> tokens;
  // GPT-2 BPE merges in priority order, as raw-byte pairs. Unused by tiktoken.
  std::vector<std::pair<std::string, std::string>> merges;
  std::vector<SpecialToken> special_tokens;
  // Pre-tokenizer: a known name ("llama3", "llama-bpe", "gpt2", "smollm"),
  // "regex" or an empty name with the regex itself, or "none" (no splitting).
  std::string pre_tokenizer;
  std::string pre_tokenizer_regex;
  std::optional<uint32_t> bos_id;
  std::optional<uint32_t> eos_id;
  std::optional<uint32_t> pad_id;
  std::optional<uint32_t> unk_id;
  bool add_bos = false;  // whether prompts start with BOS
  std::string source;    // where it came from, for messages ("tokenizer.json"); may be empty
};

}  // namespace lac
