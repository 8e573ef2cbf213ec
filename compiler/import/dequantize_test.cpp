// dequantizeRow against goldens made by an independent implementation
// (gguf-py's numpy dequantizers; scripts/goldens/make-dequant-goldens.py).
// Every type must match bit for bit: both sides compute in f32 with the same
// operation order (d*q + m, (d*sc)*q - dmin*m), so no ulp slack is needed.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "compiler/import/dequantize.h"

namespace lac::import {
namespace {

std::string goldenDir() {
  const char* env = std::getenv("LAC_SOURCE_DIR");
  return std::string(env ? env : LAC_SOURCE_DIR) + "/test/goldens/dequant/";
}

std::vector<uint8_t> readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

class DequantGolden : public ::testing::TestWithParam<DType> {};

TEST_P(DequantGolden, MatchesGgufPyBitExactly) {
  const DType t = GetParam();
  const std::string name(dtypeName(t));
  const std::vector<uint8_t> raw = readAll(goldenDir() + name + ".bin");
  const std::vector<uint8_t> want_bytes = readAll(goldenDir() + name + ".f32");
  ASSERT_FALSE(raw.empty()) << "missing golden " << name << ".bin (run scripts/goldens/make-dequant-goldens.py)";
  ASSERT_EQ(want_bytes.size() % 4, 0u);
  const uint64_t n = want_bytes.size() / 4;
  ASSERT_EQ(rowBytes(t, n), raw.size()) << name;

  std::vector<float> want(n), got(n, -12345.0f);
  std::memcpy(want.data(), want_bytes.data(), want_bytes.size());
  ASSERT_TRUE(dequantizeRow(t, raw.data(), got.data(), n).ok());
  int mismatches = 0;
  for (uint64_t i = 0; i < n && mismatches < 5; ++i) {
    if (bitsOf(got[i]) != bitsOf(want[i])) {
      ++mismatches;
      ADD_FAILURE() << name << " element " << i << ": got " << got[i] << " want " << want[i];
    }
  }
}

INSTANTIATE_TEST_SUITE_P(AllTypes, DequantGolden,
                         ::testing::Values(DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1,
                                           DType::Q5_0, DType::Q5_1, DType::Q4_K, DType::Q5_K, DType::Q6_K),
                         [](const auto& info) { return std::string(dtypeName(info.param)); });

TEST(Dequantize, F32IsACopy) {
  const float in[3] = {1.5f, -2.0f, 3.25f};
  float out[3] = {};
  ASSERT_TRUE(dequantizeRow(DType::F32, reinterpret_cast<const uint8_t*>(in), out, 3).ok());
  EXPECT_EQ(out[1], -2.0f);
}

TEST(Dequantize, RefusesPartialBlocksAndI32) {
  std::vector<uint8_t> raw(64);
  std::vector<float> out(64);
  auto r = dequantizeRow(DType::Q4_0, raw.data(), out.data(), 31);
  EXPECT_EQ(r.error(), Error::InvalidArgument);
  EXPECT_NE(r.message().find("whole number"), std::string::npos) << r.message();
  EXPECT_EQ(dequantizeRow(DType::I32, raw.data(), out.data(), 4).error(), Error::Unsupported);
}

}  // namespace
}  // namespace lac::import
