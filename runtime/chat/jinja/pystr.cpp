// Python's str semantics on UTF-8 text: see pystr.h.
#include "runtime/chat/jinja/pystr.h"

#include <algorithm>

#include "runtime/chat/jinja/error.h"
#include "runtime/chat/jinja/value.h"

namespace lac::chat::jinja {

// ---------------------------------------------------------------------------
// Unicode helpers

bool isPySpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Case mapping: ASCII and Latin-1 letters (chat templates case role names and
// keywords; a full Unicode table is out of scope, see docs/CHAT.md).
uint32_t toUpper(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  return c;
}
uint32_t toLower(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  return c;
}
bool isLowerCp(uint32_t c) { return toUpper(c) != c; }
bool isUpperCp(uint32_t c) { return toLower(c) != c; }
bool isAlphaCp(uint32_t c) { return isLowerCp(c) || isUpperCp(c) || c > 0xFF; }
bool isDigitCp(uint32_t c) { return c >= '0' && c <= '9'; }

std::string mapChars(const std::string& s, uint32_t (*f)(uint32_t)) {
  std::string out;
  for (uint32_t c : decodeUtf8(s)) appendUtf8(out, f(c));
  return out;
}

std::string capitalize(const std::string& s) {
  auto cps = decodeUtf8(s);
  std::string out;
  for (size_t i = 0; i < cps.size(); ++i) appendUtf8(out, i == 0 ? toUpper(cps[i]) : toLower(cps[i]));
  return out;
}

// Python's str.title(): a letter after a non-letter is upper, others lower.
std::string pyTitle(const std::string& s) {
  std::string out;
  bool prev_cased = false;
  for (uint32_t c : decodeUtf8(s)) {
    const bool cased = isAlphaCp(c);
    appendUtf8(out, cased ? (prev_cased ? toLower(c) : toUpper(c)) : c);
    prev_cased = cased;
  }
  return out;
}

// Jinja's title filter: words start after '-', whitespace, '(', '{', '[' or '<'.
std::string jinjaTitle(const std::string& s) {
  std::string out;
  bool start = true;
  for (uint32_t c : decodeUtf8(s)) {
    const bool sep = c == '-' || isPySpace(c) || c == '(' || c == '{' || c == '[' || c == '<';
    appendUtf8(out, sep ? c : (start ? toUpper(c) : toLower(c)));
    start = sep;
  }
  return out;
}

std::vector<std::string> pySplit(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit) {
  std::vector<std::string> out;
  if (!sep) {
    auto cps = decodeUtf8(s);
    size_t i = 0;
    while (i < cps.size()) {
      while (i < cps.size() && isPySpace(cps[i])) ++i;
      if (i >= cps.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        size_t end = cps.size();
        while (end > i && isPySpace(cps[end - 1])) --end;
        out.push_back(encodeUtf8(cps, i, end));
        break;
      }
      size_t j = i;
      while (j < cps.size() && !isPySpace(cps[j])) ++j;
      out.push_back(encodeUtf8(cps, i, j));
      i = j;
    }
    return out;
  }
  if (sep->empty()) fail("value error", "empty separator");
  size_t start = 0;
  for (;;) {
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) break;
    const size_t p = s.find(*sep, start);
    if (p == std::string::npos) break;
    out.push_back(s.substr(start, p - start));
    start = p + sep->size();
  }
  out.push_back(s.substr(start));
  return out;
}

std::vector<std::string> pyRsplit(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit) {
  if (maxsplit < 0) return pySplit(s, sep, maxsplit);
  if (!sep) {  // rare: whitespace rsplit with a limit
    auto parts = pySplit(s, sep, -1);
    if (static_cast<int64_t>(parts.size()) <= maxsplit + 1) return parts;
    // keep the last maxsplit words; the head is the original text up to them
    std::vector<std::string> tail(parts.end() - maxsplit, parts.end());
    auto cps = decodeUtf8(s);
    size_t end = cps.size();
    for (int64_t k = 0; k < maxsplit; ++k) {
      while (end > 0 && isPySpace(cps[end - 1])) --end;
      while (end > 0 && !isPySpace(cps[end - 1])) --end;
    }
    while (end > 0 && isPySpace(cps[end - 1])) --end;
    size_t begin = 0;
    while (begin < end && isPySpace(cps[begin])) ++begin;
    std::vector<std::string> out{encodeUtf8(cps, begin, end)};
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
  }
  if (sep->empty()) fail("value error", "empty separator");
  std::vector<std::string> rev;
  size_t end = s.size();
  while (static_cast<int64_t>(rev.size()) < maxsplit) {
    if (end < sep->size()) break;
    const size_t p = s.rfind(*sep, end - sep->size());
    if (p == std::string::npos) break;
    rev.push_back(s.substr(p + sep->size(), end - p - sep->size()));
    end = p;
  }
  rev.push_back(s.substr(0, end));
  return {rev.rbegin(), rev.rend()};
}

std::string replaceAll(const std::string& s, const std::string& from, const std::string& to, int64_t count) {
  std::string out;
  if (from.empty()) {  // Python inserts `to` between characters
    auto cps = decodeUtf8(s);
    int64_t n = 0;
    for (size_t i = 0; i <= cps.size(); ++i) {
      if (count < 0 || n < count) {
        out += to;
        ++n;
      }
      if (i < cps.size()) appendUtf8(out, cps[i]);
    }
    return out;
  }
  size_t start = 0;
  int64_t n = 0;
  for (;;) {
    const size_t p = (count >= 0 && n >= count) ? std::string::npos : s.find(from, start);
    if (p == std::string::npos) break;
    out.append(s, start, p - start);
    out += to;
    start = p + from.size();
    ++n;
  }
  out.append(s, start, std::string::npos);
  return out;
}

// Code-point index of a byte offset (for find / index).
int64_t cpIndex(const std::string& s, size_t byte) {
  int64_t n = 0;
  for (size_t i = 0; i < byte && i < s.size(); ++i)
    if ((static_cast<uint8_t>(s[i]) & 0xC0) != 0x80) ++n;
  return n;
}

std::string pyStrip(const std::string& s, const std::optional<std::string>& chars, bool left, bool right) {
  const auto cps = decodeUtf8(s);
  std::vector<uint32_t> set;
  if (chars) set = decodeUtf8(*chars);
  const auto strip = [&](uint32_t c) {
    return chars ? std::find(set.begin(), set.end(), c) != set.end() : isPySpace(c);
  };
  size_t b = 0, e = cps.size();
  if (left)
    while (b < e && strip(cps[b])) ++b;
  if (right)
    while (e > b && strip(cps[e - 1])) --e;
  return encodeUtf8(cps, b, e);
}

std::string htmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

}  // namespace lac::chat::jinja
