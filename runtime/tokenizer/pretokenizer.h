// Pre-tokenization: cutting text into pieces that BPE merges separately.
//
// A pre-tokenizer is a sequence of regex stages. Each stage splits every
// piece of the previous stage into its matches and the gaps between them
// (HF's Split "Isolated" behaviour, llama.cpp's unicode_regex_split), so the
// pieces always cover the text. Regexes run under PCRE2 with UTF + UCP, JIT
// compiled where the platform supports it; `\s` / `\S` are rewritten to the
// Unicode White_Space property (what Rust's regex, used by tiktoken and HF,
// means by them; PCRE2 10.42 leaves out U+0085).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/result.h"

namespace lac {

class PreTokenizer {
 public:
  // A known name ("llama3", "llama-bpe", "gpt2", "gpt-2", "smollm"), an
  // empty name or "regex" and one regex, or "none" (no splitting). Error::Unsupported for other names,
  // Error::InvalidArtifact for a regex that does not compile.
  static Result<PreTokenizer> create(std::string_view name, std::string_view regex);

  // Appends the pieces of `text` (valid UTF-8) to `out`, in order.
  // Fails only if PCRE2 gives up (Error::Internal, e.g. a resource limit).
  VoidResult split(std::string_view text, std::vector<std::string_view>& out) const;

  struct Stage;

 private:
  std::vector<std::shared_ptr<const Stage>> stages_;
};

// Meta's Llama 3 pattern and GPT-2's, as published.
extern const char* const kLlama3Pattern;
extern const char* const kGpt2Pattern;

// `\s` -> [\t-\r\x{85}\p{Z}] and `\S` -> its complement; inside a class `\s`
// becomes the ranges and `\S` is left alone.
std::string rewriteWhitespaceClasses(std::string_view pattern);

}  // namespace lac
