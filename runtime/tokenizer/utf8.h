// UTF-8 decoding with the Unicode standard's well-formedness rules
// (Table 3-7: no overlongs, no surrogates, nothing above U+10FFFF).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lac::utf8 {

// One step of decoding at the start of `s`:
//   > 0  a well-formed character of that many bytes (its code point in *cp)
//   == 0 `s` is a proper prefix of a well-formed character (needs more bytes)
//   < 0  an ill-formed sequence: -n bytes form its maximal invalid subpart
// `s` must not be empty.
int step(std::string_view s, uint32_t* cp);

// Offset of the first ill-formed (or truncated) byte, or npos if `s` is valid.
size_t firstInvalid(std::string_view s);

// Appends `s` to `out` with every maximal invalid subpart (and a truncated
// tail) replaced by U+FFFD, as Python's bytes.decode(errors="replace").
void appendReplacingInvalid(std::string_view s, std::string& out);

// Appends the UTF-8 encoding of `cp` to `out`.
void append(uint32_t cp, std::string& out);

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Python's str.isspace(): White_Space plus U+001C..U+001F (bidi class B/S).
bool isPythonSpace(uint32_t cp);

}  // namespace lac::utf8
