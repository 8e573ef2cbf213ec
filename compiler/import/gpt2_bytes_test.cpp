#include "compiler/import/gpt2_bytes.h"

#include <gtest/gtest.h>

namespace lac::import {
namespace {

TEST(Gpt2Bytes, KnownCharacters) {
  // Values from GPT-2's bytes_to_unicode(): space -> U+0120 'Ġ', newline -> U+010A 'Ċ'.
  EXPECT_EQ(*gpt2CharsToBytes("\xC4\xA0hello"), " hello");
  EXPECT_EQ(*gpt2CharsToBytes("\xC4\x8A"), "\n");
  EXPECT_EQ(bytesToGpt2Chars(" "), "\xC4\xA0");
  EXPECT_EQ(bytesToGpt2Chars(std::string(1, '\0')), "\xC4\x80");
  EXPECT_FALSE(gpt2CharsToBytes("\xE4\xB8\xAD").has_value());  // a CJK char is not a byte char
}

TEST(Gpt2Bytes, RoundTripsAllBytes) {
  std::string all;
  for (int b = 0; b < 256; ++b) all += static_cast<char>(b);
  EXPECT_EQ(*gpt2CharsToBytes(bytesToGpt2Chars(all)), all);
}

}  // namespace
}  // namespace lac::import
