// Python's str semantics on UTF-8 text, for the template engine's filters and
// str methods: whitespace (str.isspace), case mapping, title, split, strip,
// replace, and code-point indexes. Case mapping covers ASCII and Latin-1
// letters only (docs/CHAT.md, out of scope).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lac::chat::jinja {

bool isPySpace(uint32_t c);    // str.isspace() of one code point
uint32_t toUpper(uint32_t c);  // ASCII and Latin-1
uint32_t toLower(uint32_t c);
bool isLowerCp(uint32_t c);
bool isUpperCp(uint32_t c);
bool isAlphaCp(uint32_t c);
bool isDigitCp(uint32_t c);

// `f` applied to every code point.
std::string mapChars(const std::string& s, uint32_t (*f)(uint32_t));
std::string capitalize(const std::string& s);  // str.capitalize()
std::string pyTitle(const std::string& s);     // str.title()
std::string jinjaTitle(const std::string& s);  // Jinja's title filter

// str.split / str.rsplit (sep unset: runs of whitespace; maxsplit < 0: all).
std::vector<std::string> pySplit(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit);
std::vector<std::string> pyRsplit(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit);
// str.replace (count < 0: all).
std::string replaceAll(const std::string& s, const std::string& from, const std::string& to, int64_t count);
// Code-point index of a byte offset (for find / index).
int64_t cpIndex(const std::string& s, size_t byte);
// str.strip / lstrip / rstrip (chars unset: Unicode whitespace).
std::string pyStrip(const std::string& s, const std::optional<std::string>& chars, bool left, bool right);
// Markup's escape(): & < > " ' as HTML entities.
std::string htmlEscape(const std::string& s);

}  // namespace lac::chat::jinja
