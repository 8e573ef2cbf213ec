#include "runtime/tokenizer/special_tokens.h"

#include <algorithm>

#include "runtime/tokenizer/utf8.h"

namespace lac {

// --- SpecialMatcher ------------------------------------------------------------------

SpecialMatcher::SpecialMatcher(const std::vector<SpecialToken>& specials) {
  for (const SpecialToken& s : specials) {
    if (s.text.empty()) continue;
    specials_.push_back(s);
    first_byte_[static_cast<uint8_t>(s.text[0])] = true;
  }
  std::stable_sort(specials_.begin(), specials_.end(),
                   [](const SpecialToken& a, const SpecialToken& b) { return a.text.size() > b.text.size(); });
}

SpecialMatcher::Match SpecialMatcher::find(std::string_view text, size_t from) const {
  if (specials_.empty()) return {};
  for (size_t i = from; i < text.size(); ++i) {
    if (!first_byte_[static_cast<uint8_t>(text[i])]) continue;
    const std::string_view rest = text.substr(i);
    for (const SpecialToken& s : specials_)
      if (rest.starts_with(s.text)) return {i, s.text.size(), s.id};
  }
  return {};
}

// --- Meta's chunking -------------------------------------------------------------------

namespace {

// _split_whitespaces_or_nonwhitespaces over one chunk.
void splitRuns(std::string_view s, size_t max_run, std::vector<std::string_view>& out) {
  size_t start = 0, run = 0;
  bool run_is_space = false;
  for (size_t i = 0; i < s.size();) {
    uint32_t cp = static_cast<uint8_t>(s[i]);
    size_t n = 1;
    if (cp >= 0x80) {
      const int len = utf8::step(s.substr(i), &cp);
      n = len > 0 ? static_cast<size_t>(len) : 1;  // input is valid; be safe anyway
    }
    const bool space = utf8::isPythonSpace(cp);
    if (i == 0) run_is_space = space;
    if (space != run_is_space) {
      run = 1;
      run_is_space = space;
    } else if (++run > max_run) {
      out.push_back(s.substr(start, i - start));
      start = i;
      run = 1;
    }
    i += n;
  }
  out.push_back(s.substr(start));
}

}  // namespace

void metaChunks(std::string_view text, std::vector<std::string_view>& out, size_t max_chars,
                size_t max_run) {
  size_t start = 0, chars = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<uint8_t>(text[i]) & 0xC0) == 0x80) continue;  // continuation byte
    if (chars == max_chars) {
      splitRuns(text.substr(start, i - start), max_run, out);
      start = i;
      chars = 0;
    }
    ++chars;
  }
  splitRuns(text.substr(start), max_run, out);
}

}  // namespace lac
