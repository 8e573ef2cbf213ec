#include <gtest/gtest.h>

#include "runtime/tokenizer/special_tokens.h"
#include "runtime/tokenizer/utf8.h"

namespace lac {
namespace {

std::string replaced(std::string_view s) {
  std::string out;
  utf8::appendReplacingInvalid(s, out);
  return out;
}

const std::string R = "\xEF\xBF\xBD";

TEST(Utf8, Step) {
  uint32_t cp = 0;
  EXPECT_EQ(utf8::step("A", &cp), 1);
  EXPECT_EQ(cp, 'A');
  EXPECT_EQ(utf8::step("\xC3\xA9", &cp), 2);
  EXPECT_EQ(cp, 0xE9u);
  EXPECT_EQ(utf8::step("\xF0\x9F\x98\x80", &cp), 4);
  EXPECT_EQ(cp, 0x1F600u);
  EXPECT_EQ(utf8::step("\xF0\x9F", &cp), 0);       // needs more
  EXPECT_EQ(utf8::step("\x80", &cp), -1);          // lone continuation
  EXPECT_EQ(utf8::step("\xE0\x80\x80", &cp), -1);  // overlong
  EXPECT_EQ(utf8::step("\xED\xA0\x80", &cp), -1);  // surrogate
  EXPECT_EQ(utf8::step("\xF4\x90\x80\x80", &cp), -1);  // > U+10FFFF
  EXPECT_EQ(utf8::step("\xE2\x82x", &cp), -2);
}

TEST(Utf8, FirstInvalid) {
  EXPECT_EQ(utf8::firstInvalid(""), std::string_view::npos);
  EXPECT_EQ(utf8::firstInvalid("plain ascii text, long enough for the fast path"), std::string_view::npos);
  EXPECT_EQ(utf8::firstInvalid("héllo 你好 😀"), std::string_view::npos);
  EXPECT_EQ(utf8::firstInvalid("0123456789abcdef\xC3"), 16u);
  EXPECT_EQ(utf8::firstInvalid("ab\xFF"), 2u);
}

// Python: bytes.decode("utf-8", errors="replace").
TEST(Utf8, ReplacementMatchesPython) {
  EXPECT_EQ(replaced("a\xE2\x82" "b"), "a" + R + "b");
  EXPECT_EQ(replaced("\xF0\x9F\x98"), R);
  EXPECT_EQ(replaced("\xED\xA0\x80"), R + R + R);
  EXPECT_EQ(replaced("\xC0\xAF"), R + R);
  EXPECT_EQ(replaced("\xFF\xFE"), R + R);
  EXPECT_EQ(replaced("ok"), "ok");
}

TEST(Utf8, PythonSpace) {
  for (uint32_t c : {0x09u, 0x0Au, 0x0Du, 0x1Cu, 0x1Fu, 0x20u, 0x85u, 0xA0u, 0x2000u, 0x200Au, 0x3000u})
    EXPECT_TRUE(utf8::isPythonSpace(c)) << c;
  for (uint32_t c : {0x08u, 0x21u, 0x200Bu, 0x180Eu, 0xFEFFu, 0x61u}) EXPECT_FALSE(utf8::isPythonSpace(c)) << c;
}

std::vector<std::string> chunks(std::string_view s, size_t max_chars, size_t max_run) {
  std::vector<std::string_view> v;
  metaChunks(s, v, max_chars, max_run);
  return {v.begin(), v.end()};
}

// The cuts of Meta's tokenizer.py, with small limits.
TEST(MetaChunks, CutsLikeTokenizerPy) {
  using V = std::vector<std::string>;
  EXPECT_EQ(chunks("aaaaa", 100, 2), (V{"aa", "aa", "a"}));
  EXPECT_EQ(chunks("ab   cd", 100, 2), (V{"ab  ", " cd"}));
  EXPECT_EQ(chunks("abcdef", 4, 100), (V{"abcd", "ef"}));
  EXPECT_EQ(chunks("éééé", 3, 100), (V{"ééé", "é"}));  // code points, not bytes
  EXPECT_EQ(chunks("x", 100, 2), (V{"x"}));
}

}  // namespace
}  // namespace lac
