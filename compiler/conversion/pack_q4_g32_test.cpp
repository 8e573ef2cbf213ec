// Q4_G32 packing: q4_0 and q4_1 checkpoints repack value for value
// (dequant(packed) == dequant(source), bit for bit), the planar layout is
// the one runtime/core/dtype.h documents, and f32 sources quantize within
// half a step.
#include "compiler/conversion/pack_q4_g32.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <string>
#include <unistd.h>

#include "compiler/conversion/pack_weights.h"
#include "compiler/import/dequantize.h"
#include "runtime/core/half.h"
#include "runtime/core/mapped_file.h"

namespace lac::conversion {
namespace {

using lac::import::TensorView;

TensorView viewOf(const std::string& name, DType dtype, std::vector<uint64_t> shape, const std::vector<uint8_t>& bytes) {
  static int counter = 0;
  const std::string path =
      ::testing::TempDir() + "g32_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  auto file = MappedFile::open(path);
  EXPECT_TRUE(file.ok());
  TensorView t;
  t.name = name;
  t.dtype = dtype;
  t.shape = shape;
  t.pieces.push_back({*file, 0, shape});
  return t;
}

// rows x cols of GGML `type` blocks: random nibbles, finite scales of both
// signs spanning f16's range (subnormal to large), q4_1 mins of both signs.
std::vector<uint8_t> randomBlocks(DType type, uint64_t rows, uint64_t cols, uint32_t seed) {
  const uint32_t bb = dtypeInfo(type).blockBytes;
  std::vector<uint8_t> raw(rows * cols / 32 * bb);
  uint32_t s = seed;
  auto next = [&] { return s = s * 1664525u + 1013904223u; };
  for (uint8_t& b : raw) b = uint8_t(next() >> 24);
  static const float kScales[] = {1e-7f, 3e-5f, 0.0013f, -0.02f, 0.5f, -7.25f, 1000.0f, 0.0f};
  for (size_t blk = 0; blk < raw.size() / bb; ++blk) {
    const uint16_t d = floatToF16(kScales[next() % 8] * (1.0f + float(next() % 100) / 100.0f));
    std::memcpy(&raw[blk * bb], &d, 2);
    if (type == DType::Q4_1) {
      const uint16_t m = floatToF16(-kScales[next() % 8] * 8.0f);
      std::memcpy(&raw[blk * bb + 2], &m, 2);
    }
  }
  return raw;
}

std::vector<float> dequantSource(DType type, const std::vector<uint8_t>& raw, uint64_t n) {
  std::vector<float> out(n);
  EXPECT_TRUE(import::dequantizeRow(type, raw.data(), out.data(), n).ok());
  return out;
}

std::vector<float> dequantPacked(const std::vector<uint8_t>& packed, uint64_t rows, uint64_t cols) {
  std::vector<float> out(rows * cols);
  const uint64_t rb = *rowBytes(DType::Q4_G32, cols);
  EXPECT_EQ(packed.size(), rows * rb);
  for (uint64_t r = 0; r < rows; ++r) dequantizeRowQ4G32(packed.data() + r * rb, out.data() + r * cols, cols);
  return out;
}

// Bit equality (so that -0 vs 0 or a NaN would show).
void expectSameBits(const std::vector<float>& a, const std::vector<float>& b) {
  ASSERT_EQ(a.size(), b.size());
  size_t bad = 0;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], 4) != 0 && !(a[i] == 0.0f && b[i] == 0.0f) && bad++ < 5)
      ADD_FAILURE() << "element " << i << ": " << a[i] << " vs " << b[i];
  EXPECT_EQ(bad, 0u);
}

class Lossless : public ::testing::TestWithParam<DType> {};

TEST_P(Lossless, DequantOfPackedEqualsDequantOfSource) {
  const DType type = GetParam();
  const uint64_t rows = 5, cols = 96;  // 3 groups per row: planes per row, not per tensor
  const std::vector<uint8_t> raw = randomBlocks(type, rows, cols, 7);
  auto packed = packWeight(viewOf("w", type, {rows, cols}, raw), DType::Q4_G32, "row_major");
  ASSERT_TRUE(packed.ok()) << packed.status().toString();
  expectSameBits(dequantPacked(*packed, rows, cols), dequantSource(type, raw, rows * cols));
}

TEST_P(Lossless, FusedRowsStackExactly) {
  const DType type = GetParam();
  const std::vector<uint8_t> a = randomBlocks(type, 3, 64, 11), b = randomBlocks(DType::Q4_0, 2, 64, 12);
  TensorView ta = viewOf("wq", type, {3, 64}, a), tb = viewOf("wk", DType::Q4_0, {2, 64}, b);
  const TensorView* parts[] = {&ta, &tb};
  auto packed = packConcatRows(parts, DType::Q4_G32, "row_major");
  ASSERT_TRUE(packed.ok()) << packed.status().toString();
  std::vector<float> want = dequantSource(type, a, 3 * 64);
  const std::vector<float> wb = dequantSource(DType::Q4_0, b, 2 * 64);
  want.insert(want.end(), wb.begin(), wb.end());
  expectSameBits(dequantPacked(*packed, 5, 64), want);
}

INSTANTIATE_TEST_SUITE_P(Ggml4Bit, Lossless, ::testing::Values(DType::Q4_0, DType::Q4_1),
                         [](const auto& info) { return std::string(dtypeName(info.param)); });

TEST(Q4G32Layout, PlanesAndNibbleOrder) {
  // One q4_1 row of 64: group g has d = g + 1, m = -g, element i nibble i % 16.
  std::vector<uint8_t> raw(2 * 20);
  for (int g = 0; g < 2; ++g) {
    const uint16_t d = floatToF16(float(g + 1)), m = floatToF16(float(-g));
    std::memcpy(&raw[g * 20], &d, 2);
    std::memcpy(&raw[g * 20 + 2], &m, 2);
    for (int j = 0; j < 16; ++j) raw[g * 20 + 4 + j] = uint8_t((j % 16) | (((j + 16) % 16) << 4));
  }
  std::vector<uint8_t> row(*rowBytes(DType::Q4_G32, 64));
  ASSERT_EQ(row.size(), 40u);
  ASSERT_TRUE(repackRowToQ4G32(DType::Q4_1, raw.data(), row.data(), 64).ok());
  // qs[32]: byte i holds elements 2i (low) and 2i + 1 (high); element e has nibble e % 16.
  for (int i = 0; i < 32; ++i) {
    EXPECT_EQ(row[i] & 0x0F, (2 * i) % 16) << i;
    EXPECT_EQ(row[i] >> 4, (2 * i + 1) % 16) << i;
  }
  // then d[2] f16, then m[2] f16.
  for (int g = 0; g < 2; ++g) {
    uint16_t d, m;
    std::memcpy(&d, &row[32 + 2 * g], 2);
    std::memcpy(&m, &row[36 + 2 * g], 2);
    EXPECT_EQ(f16ToFloat(d), float(g + 1));
    EXPECT_EQ(f16ToFloat(m), float(-g));
  }
}

TEST(Q4G32, Q4_0TakesMinusEightD) {
  std::vector<uint8_t> blk(18, 0x88);  // every nibble 8: value 0
  const uint16_t d = floatToF16(0.25f);
  std::memcpy(blk.data(), &d, 2);
  std::vector<uint8_t> row(20);
  ASSERT_TRUE(repackRowToQ4G32(DType::Q4_0, blk.data(), row.data(), 32).ok());
  uint16_t m;
  std::memcpy(&m, &row[18], 2);
  EXPECT_EQ(f16ToFloat(m), -2.0f);
  std::vector<float> y(32);
  dequantizeRowQ4G32(row.data(), y.data(), 32);
  for (float v : y) EXPECT_EQ(v, 0.0f);
}

TEST(Q4G32, QuantizesFloatsWithinHalfAStep) {
  const uint64_t rows = 3, cols = 64;
  std::vector<float> x(rows * cols);
  for (size_t i = 0; i < x.size(); ++i) x[i] = std::sin(0.37f * float(i)) * (i % 7 == 0 ? 4.0f : 1.0f);
  std::vector<uint8_t> bytes(x.size() * 4);
  std::memcpy(bytes.data(), x.data(), bytes.size());
  auto packed = packWeight(viewOf("w", DType::F32, {rows, cols}, bytes), DType::Q4_G32, "row_major");
  ASSERT_TRUE(packed.ok()) << packed.status().toString();
  const std::vector<float> y = dequantPacked(*packed, rows, cols);
  for (uint64_t g = 0; g < rows * cols / 32; ++g) {
    float lo = x[g * 32], hi = lo;
    for (int j = 0; j < 32; ++j) lo = std::min(lo, x[g * 32 + j]), hi = std::max(hi, x[g * 32 + j]);
    const float step = (hi - lo) / 15.0f;
    for (int j = 0; j < 32; ++j) EXPECT_NEAR(y[g * 32 + j], x[g * 32 + j], 0.5f * step + 2e-3f) << g << "," << j;
  }
}

TEST(Q4G32, Errors) {
  std::vector<uint8_t> blk(18, 0);
  const uint16_t d = floatToF16(20000.0f);  // -8 d overflows f16
  std::memcpy(blk.data(), &d, 2);
  std::vector<uint8_t> row(20);
  auto big = repackRowToQ4G32(DType::Q4_0, blk.data(), row.data(), 32);
  ASSERT_FALSE(big.ok());
  EXPECT_EQ(big.status().kind, Error::InvalidArgument);
  EXPECT_EQ(repackRowToQ4G32(DType::Q8_0, blk.data(), row.data(), 32).status().kind, Error::Unsupported);
  // Columns that are not whole groups.
  std::vector<uint8_t> f(2 * 48 * 4, 0);
  auto cols = packWeight(viewOf("w", DType::F32, {2, 48}, f), DType::Q4_G32, "row_major");
  ASSERT_FALSE(cols.ok());
  EXPECT_EQ(cols.status().kind, Error::InvalidArgument);
}

}  // namespace
}  // namespace lac::conversion
