#include "runtime/core/dtype.h"
#include "runtime/core/half.h"

#include <gtest/gtest.h>

#include <cmath>

namespace lac {
namespace {

TEST(DType, BlockSizesMatchGgml) {
  EXPECT_EQ(dtypeInfo(DType::Q8_0).blockBytes, 34u);
  EXPECT_EQ(dtypeInfo(DType::Q4_0).blockBytes, 18u);
  EXPECT_EQ(dtypeInfo(DType::Q4_1).blockBytes, 20u);
  EXPECT_EQ(dtypeInfo(DType::Q5_0).blockBytes, 22u);
  EXPECT_EQ(dtypeInfo(DType::Q5_1).blockBytes, 24u);
  EXPECT_EQ(dtypeInfo(DType::Q4_K).blockBytes, 144u);
  EXPECT_EQ(dtypeInfo(DType::Q5_K).blockBytes, 176u);
  EXPECT_EQ(dtypeInfo(DType::Q6_K).blockBytes, 210u);
  EXPECT_EQ(*rowBytes(DType::Q4_1, 576), 18u * 20u);
  EXPECT_FALSE(rowBytes(DType::Q4_1, 33).has_value());
  EXPECT_EQ(*dtypeFromGgmlType(30), DType::BF16);
  EXPECT_FALSE(dtypeFromGgmlType(4).has_value());  // removed Q4_2
  EXPECT_EQ(*dtypeFromName("q6_k"), DType::Q6_K);
}

TEST(Half, KnownValues) {
  EXPECT_EQ(f16ToFloat(0x3c00), 1.0f);
  EXPECT_EQ(f16ToFloat(0xc000), -2.0f);
  EXPECT_EQ(f16ToFloat(0x7bff), 65504.0f);
  EXPECT_EQ(f16ToFloat(0x0001), std::ldexp(1.0f, -24));
  EXPECT_EQ(bf16ToFloat(0x3f80), 1.0f);
  EXPECT_EQ(floatToBf16(1.0f), 0x3f80);
  EXPECT_EQ(floatToF16(1.0f), 0x3c00);
  EXPECT_EQ(floatToF16(65504.0f), 0x7bff);
  EXPECT_EQ(floatToF16(1e6f), 0x7c00);
}

TEST(Half, F16RoundTripsEveryFiniteValue) {
  for (uint32_t h = 0; h < 0x10000; ++h) {
    if ((h & 0x7c00) == 0x7c00) continue;  // inf/nan
    EXPECT_EQ(floatToF16(f16ToFloat(static_cast<uint16_t>(h))), h) << std::hex << h;
  }
}

}  // namespace
}  // namespace lac
