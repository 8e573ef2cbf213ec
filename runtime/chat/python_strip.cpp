// Python's str.strip() on UTF-8 text.
#include <cstdint>

#include "runtime/chat/chat_prompt.h"

namespace lac::chat {

namespace {

// Python's str.isspace() code points.
bool isPythonSpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 ||
         c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 ||
         c == 0x202F || c == 0x205F || c == 0x3000;
}

// Decodes the UTF-8 sequence s[0, len); nullopt-like 0xFFFFFFFF when invalid
// (an invalid sequence is never whitespace, which is all strip needs).
constexpr uint32_t kInvalid = 0xFFFFFFFF;

uint32_t decode(std::string_view s) {
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  if (s.size() == 1 && b(0) < 0x80) return b(0);
  if (s.size() < 2 || s.size() > 4) return kInvalid;
  const uint8_t lead_mask = s.size() == 2 ? 0x1F : s.size() == 3 ? 0x0F : 0x07;
  const uint8_t lead_tag = s.size() == 2 ? 0xC0 : s.size() == 3 ? 0xE0 : 0xF0;
  if ((b(0) & ~lead_mask & 0xFF) != lead_tag) return kInvalid;
  uint32_t c = b(0) & lead_mask;
  for (size_t i = 1; i < s.size(); ++i) {
    if ((b(i) & 0xC0) != 0x80) return kInvalid;
    c = (c << 6) | (b(i) & 0x3F);
  }
  return c;
}

// Length of the UTF-8 sequence a lead byte announces (1 for a stray byte).
size_t sequenceLength(uint8_t lead) {
  if (lead >= 0xF0) return 4;
  if (lead >= 0xE0) return 3;
  if (lead >= 0xC0) return 2;
  return 1;
}

// The first / last code point's byte length when it is whitespace, else 0.
size_t leadingSpace(std::string_view s) {
  const size_t len = sequenceLength(static_cast<uint8_t>(s[0]));
  if (len > s.size()) return 0;
  return isPythonSpace(decode(s.substr(0, len))) ? len : 0;
}

size_t trailingSpace(std::string_view s) {
  size_t start = s.size() - 1;  // walk back over up to 3 continuation bytes
  while (start > 0 && s.size() - start < 4 && (static_cast<uint8_t>(s[start]) & 0xC0) == 0x80) --start;
  const size_t len = s.size() - start;
  return isPythonSpace(decode(s.substr(start))) ? len : 0;
}

}  // namespace

std::string_view pythonStrip(std::string_view text) {
  while (!text.empty()) {
    const size_t n = leadingSpace(text);
    if (n == 0) break;
    text.remove_prefix(n);
  }
  while (!text.empty()) {
    const size_t n = trailingSpace(text);
    if (n == 0) break;
    text.remove_suffix(n);
  }
  return text;
}

}  // namespace lac::chat
