#include "compiler/import/gpt2_bytes.h"

#include <array>
#include <cstdint>

namespace lac::import {

namespace {

bool mapsToItself(uint32_t b) { return (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || (b >= 0xae && b <= 0xff); }

// byte -> code point
std::array<uint32_t, 256> buildByteToCp() {
  std::array<uint32_t, 256> t{};
  uint32_t next = 256;
  for (uint32_t b = 0; b < 256; ++b) t[b] = mapsToItself(b) ? b : next++;
  return t;
}
const std::array<uint32_t, 256>& byteToCp() {
  static const auto t = buildByteToCp();
  return t;
}

void appendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xc0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    out += static_cast<char>(0xe0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

}  // namespace

std::optional<std::string> gpt2CharsToBytes(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    uint32_t cp;
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      cp = c;
      i += 1;
    } else if ((c & 0xe0) == 0xc0 && i + 1 < s.size()) {
      cp = (c & 0x1fu) << 6 | (static_cast<unsigned char>(s[i + 1]) & 0x3fu);
      i += 2;
    } else {
      return std::nullopt;  // every GPT-2 byte character is below U+0800
    }
    if (cp < 256 && mapsToItself(cp)) {
      out += static_cast<char>(cp);
    } else if (cp >= 256 && cp < 256 + 68) {
      uint32_t k = cp - 256, b = 0;
      for (; b < 256; ++b) {
        if (!mapsToItself(b) && k-- == 0) break;
      }
      out += static_cast<char>(b);
    } else {
      return std::nullopt;
    }
  }
  return out;
}

std::string bytesToGpt2Chars(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char b : bytes) appendUtf8(out, byteToCp()[b]);
  return out;
}

}  // namespace lac::import
