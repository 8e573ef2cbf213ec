#include "runtime/artifact/checksum.h"

#include <gtest/gtest.h>

#include <string_view>
#include <vector>

namespace lac::artifact {
namespace {

uint64_t hashOf(std::string_view s) { return xxh64({reinterpret_cast<const uint8_t*>(s.data()), s.size()}); }

// Reference values of XXH64 (seed 0), as published with xxHash and its ports.
TEST(Xxh64, MatchesReferenceVectors) {
  EXPECT_EQ(hashOf(""), 0xEF46DB3751D8E999ull);
  EXPECT_EQ(hashOf("a"), 0xD24EC4F1A98C6E5Bull);
  EXPECT_EQ(hashOf("abc"), 0x44BC2CF5AD770999ull);
  EXPECT_EQ(hashOf("Hello, World!"), 0xC49AACF8080FE47Full);
  EXPECT_EQ(hashOf("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ull);  // > 32 bytes
}

TEST(Xxh64, StreamingEqualsOneShotForEverySplit) {
  std::vector<uint8_t> data(300);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t len : {0, 1, 7, 31, 32, 33, 64, 100, 300}) {
    uint64_t whole = xxh64({data.data(), len});
    for (size_t step : {1, 3, 8, 17, 32, 50}) {
      Xxh64 h;
      for (size_t at = 0; at < len; at += step) h.update({data.data() + at, std::min(step, len - at)});
      EXPECT_EQ(h.digest(), whole) << "len " << len << " step " << step;
    }
  }
}

TEST(Xxh64, ZerosEqualExplicitZeros) {
  std::vector<uint8_t> zeros(10000, 0);
  Xxh64 h;
  h.update({zeros.data(), 5});
  h.updateZeros(9995);
  EXPECT_EQ(h.digest(), xxh64(zeros));
}

}  // namespace
}  // namespace lac::artifact
