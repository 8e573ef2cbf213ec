#include "runtime/serve/text_stream.h"

#include <gtest/gtest.h>

#include "runtime/tokenizer/testdata.h"
#include "runtime/tokenizer/utf8.h"

namespace lac::serve {
namespace {

TEST(HeldBack, LongestTailThatStartsAStopString) {
  EXPECT_EQ(heldBackLength("Hello\nUs", {"\nUser:"}), 3u);
  EXPECT_EQ(heldBackLength("Hello", {"\nUser:"}), 0u);
  EXPECT_EQ(heldBackLength("ab", {"b", "abc"}), 2u);
  EXPECT_EQ(heldBackLength("xyz", {"zz", "yzq"}), 2u);
  EXPECT_EQ(heldBackLength("", {"a"}), 0u);
}

class TextStreamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string path = testdata::llama3TokenizerPath();
    if (path.empty()) GTEST_SKIP() << "no Llama 3 tokenizer (../shared/data/llama3)";
    auto data = testdata::loadLlama3(path);
    ASSERT_TRUE(data.ok()) << data.message();
    auto tok = Tokenizer::create(*data);
    ASSERT_TRUE(tok.ok()) << tok.message();
    tok_.emplace(std::move(*tok));
  }
  std::vector<int32_t> encode(const std::string& text) {
    auto ids = tok_->encode(text, false, false, SpecialMode::Plain);
    EXPECT_TRUE(ids.ok());
    return std::vector<int32_t>(ids->begin(), ids->end());
  }
  std::optional<Tokenizer> tok_;
};

TEST_F(TextStreamTest, PiecesAreWholeCharactersAndAddUp) {
  const std::string text = "naïve café 🙂 — 東京 ok";
  TextStream s(*tok_, {});
  std::string all;
  for (int32_t id : encode(text)) {
    auto p = s.push(id);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(utf8::firstInvalid(p->text), std::string::npos) << p->text;
    EXPECT_FALSE(p->stopped);
    all += p->text;
  }
  all += s.finish();
  EXPECT_EQ(all, text);
}

TEST_F(TextStreamTest, StopStringIsCutAndNeverLeaks) {
  TextStream s(*tok_, {"\nUser:", "###"});
  std::string out;
  bool stopped = false;
  for (int32_t id : encode("The answer is 4.\nUser: and more")) {
    auto p = s.push(id);
    ASSERT_TRUE(p.ok());
    out += p->text;
    EXPECT_EQ(out.find('\n'), std::string::npos) << "released text that may start a stop string: " << out;
    if (p->stopped) {
      stopped = true;
      break;
    }
  }
  EXPECT_TRUE(stopped);
  EXPECT_EQ(out, "The answer is 4.");
  EXPECT_EQ(s.finish(), "");
}

TEST_F(TextStreamTest, HeldTextIsReleasedWhenItCannotStop) {
  TextStream s(*tok_, {"\nUser:"});
  std::string out;
  for (int32_t id : encode("a\nUse it")) {
    auto p = s.push(id);
    ASSERT_TRUE(p.ok());
    EXPECT_FALSE(p->stopped);
    out += p->text;
  }
  out += s.finish();
  EXPECT_EQ(out, "a\nUse it");
}

}  // namespace
}  // namespace lac::serve
