// The activation quantizer and the row dequantizer are internal to the CPU
// backend (not in the Backend struct): their fast paths are checked here
// directly, bit for bit.
#include "runtime/kernels/cpu/quantize_act.h"

#include "runtime/kernels/cpu/dequant.h"
#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

using cpu::Isa;

TEST(QuantizeAct, FastPathIsBitExact) {
  if (cpu::detectIsa() < Isa::Avx2) GTEST_SKIP() << "no AVX2";
  for (Isa isa : {Isa::Avx2, Isa::Avx512}) {
    if (cpu::detectIsa() < isa) continue;  // every ISA this machine has
    SCOPED_TRACE(isa == Isa::Avx2 ? "avx2" : "avx512");
    Rng rng(3);
    const int64_t n = 32 * 37;
    std::vector<float> x = rng.uniform(n, -5.0f, 5.0f);
    for (int j = 0; j < 32; ++j) x[64 + j] = 0.0f;  // an all-zero block
    x[5] = 127.5f / 127.0f * 5.0f;                   // ties
    std::vector<int8_t> q1(n), q2(n);
    std::vector<float> d1(n / 32), d2(n / 32), s1(n / 32), s2(n / 32);
    cpu::quantizeActRowRef(x.data(), n, q1.data(), d1.data(), s1.data());
    cpu::quantizeActRow(isa, x.data(), n, q2.data(), d2.data(), s2.data());
    EXPECT_EQ(q1, q2);
    EXPECT_EQ(d1, d2);
    EXPECT_EQ(s1, s2);
    EXPECT_EQ(d1[2], 0.0f);
    // Round trip within half a step.
    for (int64_t i = 0; i < n; ++i) EXPECT_LE(std::fabs(d1[i / 32] * q1[i] - x[i]), d1[i / 32] * 0.5001f);
  }
}

TEST(QuantizeAct, ResidualFastPathIsBitExact) {
  if (cpu::detectIsa() < Isa::Avx2) GTEST_SKIP() << "no AVX2";
  Rng rng(5);
  const int64_t n = 32 * 41;
  std::vector<float> x = rng.uniform(n, -7.0f, 7.0f);
  for (int j = 0; j < 32; ++j) x[96 + j] = 0.0f;  // an all-zero block
  for (int j = 0; j < 32; ++j) x[160 + j] = 1e-30f * float(j - 16);  // tiny values
  x[7] = 127.5f / 127.0f * 7.0f;  // a tie
  std::vector<float> r1(n), r2(n);
  cpu::quantizeActResidualRowRef(x.data(), n, r1.data());
  cpu::quantizeActResidualRow(Isa::Avx2, x.data(), n, r2.data());
  for (int64_t i = 0; i < n; ++i) ASSERT_EQ(r1[i], r2[i]) << i;  // bit for bit (no -0/+0 confusion: compared as floats)
  std::vector<float> y = x;  // in place
  cpu::quantizeActResidualRow(Isa::Avx2, y.data(), n, y.data());
  EXPECT_EQ(y, r2);
}

TEST(Dequantize, FastPathMatchesReference) {
  if (cpu::detectIsa() < Isa::Avx2) GTEST_SKIP() << "no AVX2";
  Rng rng(4);
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1}) {
    for (int64_t n : {32, 96, 320}) {
      std::vector<uint8_t> w = rng.weights(t, 1, n + (dtypeInfo(t).quantized ? 0 : 3));
      int64_t m = n + (dtypeInfo(t).quantized ? 0 : 3);
      std::vector<float> a(m), b(m);
      ASSERT_TRUE(cpu::dequantizeRowRef(t, w.data(), a.data(), m));
      ASSERT_TRUE(cpu::dequantizeRow(Isa::Avx2, t, w.data(), b.data(), m));
      // q4_1 fuses d * n + m into one FMA: at most one rounding apart.
      expectNear(b, a, 1e-7f, 2e-7f, dtypeName(t).data());
    }
  }
}

TEST(Dequantize, KnownBlocks) {
  // q4_0: d = 0.5; byte j = (hi << 4) | lo with lo = j, hi = 15 - j.
  uint8_t q40[18];
  uint16_t d = floatToF16(0.5f);
  std::memcpy(q40, &d, 2);
  for (int j = 0; j < 16; ++j) q40[2 + j] = static_cast<uint8_t>(((15 - j) << 4) | j);
  float out[32];
  ASSERT_TRUE(cpu::dequantizeRowRef(DType::Q4_0, q40, out, 32));
  EXPECT_EQ(out[0], 0.5f * (0 - 8));
  EXPECT_EQ(out[15], 0.5f * (15 - 8));
  EXPECT_EQ(out[16], 0.5f * (15 - 8));
  EXPECT_EQ(out[31], 0.5f * (0 - 8));
  // q4_1: d = 0.25, m = -1.
  uint8_t q41[20];
  uint16_t m = floatToF16(-1.0f);
  d = floatToF16(0.25f);
  std::memcpy(q41, &d, 2);
  std::memcpy(q41 + 2, &m, 2);
  for (int j = 0; j < 16; ++j) q41[4 + j] = static_cast<uint8_t>(((15 - j) << 4) | j);
  ASSERT_TRUE(cpu::dequantizeRowRef(DType::Q4_1, q41, out, 32));
  EXPECT_EQ(out[1], 0.25f * 1 - 1.0f);
  EXPECT_EQ(out[17], 0.25f * 14 - 1.0f);
}

}  // namespace
}  // namespace lac::kernels::test
