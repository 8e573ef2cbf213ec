// GPT-2's byte-level BPE stores each token as a string of printable Unicode
// characters, one per byte (bytes 0x21-0x7e, 0xa1-0xac, 0xae-0xff map to
// themselves; the other 68 bytes to U+0100 onwards, in order). HF
// tokenizer.json and GGUF "gpt2" vocabularies use this; ModelSpec stores raw
// bytes, so the readers decode with this.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lac::import {

// "Ġhello" -> " hello". nullopt if a character is not one of the 256.
std::optional<std::string> gpt2CharsToBytes(std::string_view token_utf8);
// The inverse: raw bytes -> GPT-2 characters (UTF-8).
std::string bytesToGpt2Chars(std::string_view bytes);

}  // namespace lac::import
