// packWeight / packConcatRows: GGML-exact quantizers against gguf-py goldens
// (scripts/goldens/make-dequant-goldens.py -> test/goldens/quant/), byte
// copies for same-format weights, row stacking, and the error cases.
#include "compiler/conversion/pack_weights.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <string>
#include <unistd.h>

#include "compiler/import/dequantize.h"
#include "runtime/core/mapped_file.h"
#include "runtime/kernels/cpu/pack_x8.h"

namespace lac::conversion {
namespace {

using lac::import::TensorView;

std::string sourceDir() {
  const char* env = std::getenv("LAC_SOURCE_DIR");
  return env ? env : LAC_SOURCE_DIR;
}

std::vector<uint8_t> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// A TensorView over `bytes`, written to a temp file and mapped.
TensorView viewOf(const std::string& name, DType dtype, std::vector<uint64_t> shape, const std::vector<uint8_t>& bytes) {
  static int counter = 0;
  const std::string path = ::testing::TempDir() + "pack_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
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

template <typename T>
std::vector<uint8_t> bytesOf(const std::vector<T>& v) {
  const auto* p = reinterpret_cast<const uint8_t*>(v.data());
  return std::vector<uint8_t>(p, p + v.size() * sizeof(T));
}

std::vector<float> randomFloats(size_t n, unsigned seed) {
  std::vector<float> x(n);
  for (size_t i = 0; i < n; ++i) x[i] = std::sin(0.37f * i + seed) * (i % 7 == 0 ? 8.0f : 1.0f);
  return x;
}

class QuantGolden : public ::testing::TestWithParam<DType> {};

TEST_P(QuantGolden, MatchesGgufPyBitExactly) {
  const std::string name(dtypeName(GetParam()));
  const std::string dir = sourceDir() + "/test/goldens/quant/";
  const std::vector<uint8_t> in = readAll(dir + name + ".in.f32");
  const std::vector<uint8_t> want = readAll(dir + name + ".bin");
  ASSERT_EQ(in.size(), 4u * 64 * 4) << "missing golden " << name << ".in.f32";
  TensorView t = viewOf("golden." + name, DType::F32, {4, 64}, in);
  auto got = packWeight(t, GetParam(), "row_major");
  ASSERT_TRUE(got.ok()) << got.status().toString();
  EXPECT_EQ(*got, want);
}

INSTANTIATE_TEST_SUITE_P(Packable, QuantGolden,
                         ::testing::Values(DType::Q8_0, DType::Q4_0, DType::Q4_1, DType::F16, DType::BF16),
                         [](const auto& info) { return std::string(dtypeName(info.param)); });

TEST(PackWeight, SameFormatIsAByteCopy) {
  // Arbitrary q4_1 blocks (finite scales) stay exactly as they are.
  std::vector<uint8_t> raw(2 * 2 * 20);
  for (size_t i = 0; i < raw.size(); ++i) raw[i] = static_cast<uint8_t>(i * 37 + 11);
  for (size_t b = 0; b < 4; ++b) {
    raw[b * 20 + 1] = 0x2c;  // d, m: small finite f16
    raw[b * 20 + 3] = 0xac;
  }
  TensorView t = viewOf("w", DType::Q4_1, {2, 64}, raw);
  auto got = packWeight(t, DType::Q4_1, "row_major");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, raw);
}

TEST(PackWeight, RequantizesThroughTheReferenceDequantizer) {
  // f32 -> q4_1 -> (pack as q8_0): q8_0 of the q4_1 values, within q8_0's step.
  const std::vector<float> x = randomFloats(3 * 64, 1);
  auto q41 = packWeight(viewOf("w", DType::F32, {3, 64}, bytesOf(x)), DType::Q4_1, "row_major");
  ASSERT_TRUE(q41.ok());
  auto q80 = packWeight(viewOf("w", DType::Q4_1, {3, 64}, *q41), DType::Q8_0, "row_major");
  ASSERT_TRUE(q80.ok());
  ASSERT_EQ(q80->size(), 3u * 2 * 34);
  std::vector<float> a(x.size()), b(x.size());
  ASSERT_TRUE(import::dequantizeRow(DType::Q4_1, q41->data(), a.data(), a.size()).ok());
  ASSERT_TRUE(import::dequantizeRow(DType::Q8_0, q80->data(), b.data(), b.size()).ok());
  for (size_t i = 0; i < x.size(); ++i) EXPECT_NEAR(a[i], b[i], 8.0 / 127) << i;
}

TEST(PackWeight, F32RoundTripAndVectors) {
  const std::vector<float> x = randomFloats(64, 2);
  auto got = packWeight(viewOf("norm", DType::F32, {64}, bytesOf(x)), DType::F32, "row_major");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, bytesOf(x));
}

TEST(PackConcatRows, StacksRowsInOrder) {
  const std::vector<float> q = randomFloats(4 * 32, 3), k = randomFloats(2 * 32, 4), v = randomFloats(2 * 32, 5);
  TensorView tq = viewOf("wq", DType::F32, {4, 32}, bytesOf(q));
  TensorView tk = viewOf("wk", DType::F32, {2, 32}, bytesOf(k));
  TensorView tv = viewOf("wv", DType::F32, {2, 32}, bytesOf(v));
  const TensorView* all[] = {&tq, &tk, &tv};
  auto fused = packConcatRows(all, DType::Q8_0, "row_major");
  ASSERT_TRUE(fused.ok());
  std::vector<uint8_t> want;
  for (const TensorView* t : all) {
    auto one = packWeight(*t, DType::Q8_0, "row_major");
    ASSERT_TRUE(one.ok());
    want.insert(want.end(), one->begin(), one->end());
  }
  EXPECT_EQ(*fused, want);
  EXPECT_EQ(fused->size(), 8u * 34);
}

// x8 layouts: the row-major bytes interleaved by 8 rows (pack_x8.h), for a
// fused weight after stacking (parts need not be whole groups of 8).
TEST(PackConcatRows, X8InterleavesTheStackedRows) {
  const std::vector<float> q = randomFloats(4 * 64, 7), k = randomFloats(2 * 64, 8), v = randomFloats(10 * 64, 9);
  TensorView tq = viewOf("wq", DType::F32, {4, 64}, bytesOf(q));
  TensorView tk = viewOf("wk", DType::F32, {2, 64}, bytesOf(k));
  TensorView tv = viewOf("wv", DType::F32, {10, 64}, bytesOf(v));
  const TensorView* all[] = {&tq, &tk, &tv};
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1}) {
    SCOPED_TRACE(dtypeName(t));
    auto rows = packConcatRows(all, t, "row_major");
    auto x8 = packConcatRows(all, t, std::string(dtypeName(t)) + "x8");
    ASSERT_TRUE(rows.ok());
    ASSERT_TRUE(x8.ok()) << x8.message();
    std::vector<uint8_t> want(rows->size());
    kernels::cpu::packX8(t, rows->data(), 16, 64, want.data());
    EXPECT_EQ(*x8, want);
    EXPECT_NE(*x8, *rows);
  }
  // 6 rows: not a whole group of 8.
  const TensorView* two[] = {&tq, &tk};
  auto uneven = packConcatRows(two, DType::Q4_0, "q4_0x8");
  ASSERT_FALSE(uneven.ok());
  EXPECT_EQ(uneven.status().kind, Error::InvalidArgument);
  // Another format's x8 layout.
  auto other = packWeight(tv, DType::Q4_0, "q4_1x8");
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().kind, Error::Unsupported);
}

TEST(PackWeight, Errors) {
  const std::vector<float> x = randomFloats(2 * 48, 6);
  TensorView t = viewOf("blk.0.w", DType::F32, {2, 48}, bytesOf(x));
  auto bad_layout = packWeight(t, DType::F32, "q4_0x8_interleaved");
  ASSERT_FALSE(bad_layout.ok());
  EXPECT_EQ(bad_layout.status().kind, Error::Unsupported);
  auto no_kernel = packWeight(t, DType::Q5_0, "row_major");
  ASSERT_FALSE(no_kernel.ok());
  EXPECT_EQ(no_kernel.status().kind, Error::Unsupported);
  auto not_blocks = packWeight(t, DType::Q8_0, "row_major");
  ASSERT_FALSE(not_blocks.ok());
  EXPECT_EQ(not_blocks.status().kind, Error::InvalidArgument);
  EXPECT_NE(not_blocks.status().message.find("blk.0.w"), std::string::npos);
  TensorView u = viewOf("other", DType::F32, {1, 64}, bytesOf(randomFloats(64, 7)));
  const TensorView* mixed[] = {&t, &u};
  EXPECT_FALSE(packConcatRows(mixed, DType::F32, "row_major").ok());
}

}  // namespace
}  // namespace lac::conversion
