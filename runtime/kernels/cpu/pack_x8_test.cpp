#include "runtime/kernels/cpu/pack_x8.h"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

using cpu::fitsX8;
using cpu::packX8;
using cpu::unpackRowX8;
using cpu::unpackX8;

const DType kX8Types[] = {DType::Q8_0, DType::Q4_0, DType::Q4_1};

TEST(PackX8, RoundTripsAndKeepsTheSize) {
  Rng rng(5);
  for (DType t : kX8Types)
    for (int64_t out : {8, 24})
      for (int64_t in : {32, 96}) {
        SCOPED_TRACE(::testing::Message() << dtypeName(t) << " " << out << "x" << in);
        std::vector<uint8_t> w = rng.weights(t, out, in);
        std::vector<uint8_t> packed(w.size(), 0xAA), back(w.size(), 0x55);
        packX8(t, w.data(), out, in, packed.data());
        EXPECT_NE(packed, w);  // something moved
        unpackX8(t, packed.data(), out, in, back.data());
        EXPECT_EQ(back, w);
        const size_t row_bytes = *rowBytes(t, in);
        std::vector<uint8_t> row(row_bytes);
        for (int64_t o = 0; o < out; ++o) {
          unpackRowX8(t, packed.data(), in, o, row.data());
          ASSERT_EQ(0, std::memcmp(row.data(), w.data() + o * row_bytes, row_bytes)) << "row " << o;
        }
      }
}

// The documented byte positions (docs/FORMAT.md): superblock (g, b) holds the
// 8 scales first, then quant byte j of row r at qs[(j/4)*32 + r*4 + j%4].
TEST(PackX8, ByteLayoutAsDocumented) {
  const int64_t out = 16, in = 64, nb = 2;
  Rng rng(9);
  std::vector<uint8_t> w = rng.weights(DType::Q4_1, out, in), packed(w.size());
  packX8(DType::Q4_1, w.data(), out, in, packed.data());
  const auto* blocks = reinterpret_cast<const cpu::BlockQ4_1*>(w.data());
  const auto* supers = reinterpret_cast<const cpu::SuperQ4_1x8*>(packed.data());
  for (int64_t o = 0; o < out; ++o)
    for (int64_t b = 0; b < nb; ++b) {
      const cpu::BlockQ4_1& blk = blocks[o * nb + b];
      const cpu::SuperQ4_1x8& s = supers[(o / 8) * nb + b];
      const int r = static_cast<int>(o % 8);
      ASSERT_EQ(s.d[r], blk.d);
      ASSERT_EQ(s.m[r], blk.m);
      for (int j = 0; j < 16; ++j) ASSERT_EQ(s.qs[(j / 4) * 32 + r * 4 + j % 4], blk.qs[j]) << o << " " << b << " " << j;
    }
}

TEST(PackX8, Fits) {
  EXPECT_TRUE(fitsX8(DType::Q4_0, 8, 32));
  EXPECT_TRUE(fitsX8(DType::Q8_0, 49152, 576));
  EXPECT_FALSE(fitsX8(DType::Q4_1, 12, 32));  // rows not a multiple of 8
  EXPECT_FALSE(fitsX8(DType::Q4_1, 8, 48));   // columns not whole blocks
  EXPECT_FALSE(fitsX8(DType::F16, 8, 32));
  EXPECT_FALSE(fitsX8(DType::Q4_K, 8, 256));
}

}  // namespace
}  // namespace lac::kernels::test
