// Finding special-token text ("<|eot_id|>") inside a prompt.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/tokenizer/tokenizer.h"

namespace lac {

class SpecialMatcher {
 public:
  explicit SpecialMatcher(const std::vector<SpecialToken>& specials);

  struct Match {
    size_t pos = std::string_view::npos;  // npos: none
    size_t len = 0;
    uint32_t id = 0;
  };
  // The leftmost special token in `text` at or after `from`; the longest one
  // where several start at the same byte.
  Match find(std::string_view text, size_t from) const;

  bool empty() const { return specials_.empty(); }

 private:
  std::vector<SpecialToken> specials_;         // longest first
  std::array<bool, 256> first_byte_{};         // bytes a special token starts with
};

// Meta's llama3 tokenizer.py cuts text before tiktoken sees it: into chunks of
// at most 400000 code points, each cut again wherever a run of whitespace or of
// non-whitespace (Python's str.isspace) grows past 25000 code points.
// Appends the cuts of `text` (valid UTF-8) to `out`.
void metaChunks(std::string_view text, std::vector<std::string_view>& out,
                size_t max_chars = 400000, size_t max_run = 25000);

}  // namespace lac
