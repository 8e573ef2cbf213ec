#include "runtime/core/result.h"

#include <gtest/gtest.h>

namespace lac {
namespace {

Result<int> half(int x) {
  LAC_CHECK_OR_RETURN(x % 2 == 0, Error::InvalidArgument, "%d is odd", x);
  return x / 2;
}

Result<int> quarter(int x) {
  LAC_ASSIGN_OR_RETURN(int h, half(x));
  LAC_ASSIGN_OR_RETURN(int q, half(h));
  return q;
}

TEST(Result, ValueAndError) {
  EXPECT_EQ(*half(8), 4);
  auto r = half(3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::InvalidArgument);
  EXPECT_EQ(r.message(), "3 is odd");
  EXPECT_EQ(r.status().toString(), "invalid argument: 3 is odd");
}

TEST(Result, Propagates) {
  EXPECT_EQ(*quarter(8), 2);
  auto r = quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "3 is odd");
}

TEST(Result, ExitCodesAreDistinctPerKind) {
  EXPECT_EQ(exitCodeFor(Error::Ok), 0);
  EXPECT_EQ(exitCodeFor(Error::InvalidArgument), 2);
  EXPECT_EQ(exitCodeFor(Error::InvalidCheckpoint), 4);
  EXPECT_NE(exitCodeFor(Error::Unsupported), exitCodeFor(Error::InvalidCheckpoint));
}

// Found by the hf_config and meta_params fuzzers (test/fuzz-corpus/
// {hf_config,meta_params}/crash-*): a JSON key or value with "\n" in it,
// quoted in a refusal, made a two-line message. makeError escapes control
// characters, so every message is one line whatever it quotes.
TEST(Result, MessagesAreOneLine) {
  Status s = makeError(Error::Unsupported, "unknown key 'n_layer\nx\t\x01y'");
  EXPECT_EQ(s.message, "unknown key 'n_layer\\nx\\t\\x01y'");
  auto f = []() -> VoidResult { LAC_FAIL(Error::InvalidCheckpoint, "architecture '%s'", "a\r\nb\x7f"); };
  EXPECT_EQ(f().status().message, "architecture 'a\\r\\nb\\x7f'");
  EXPECT_EQ(oneLine("plain ascii and UTF-8 \xc3\xa9 stay"), "plain ascii and UTF-8 \xc3\xa9 stay");
}

}  // namespace
}  // namespace lac
