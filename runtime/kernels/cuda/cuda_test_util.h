// Shared bits of the CUDA-only tests: the fixture that skips without a GPU,
// and random weights of every CUDA weight type (Q4_G32 included).
#pragma once

#include <gtest/gtest.h>

#include <cstring>

#include "runtime/core/half.h"
#include "runtime/kernels/cpu/test_util.h"
#include "runtime/kernels/cuda/test_backend.h"

namespace lac::kernels::test {

class CudaTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!cudaTestContext()) GTEST_SKIP() << backend_.why_unavailable;
  }
  const Backend& backend() const { return backend_; }

 private:
  Backend backend_ = cudaBackend();
};

// [rows, cols] random weights of type t: Rng::weights for the GGML and float
// types; Q4_G32 rows get random nibbles, d in [-0.05, 0.05], m in [-0.4, 0.4].
inline std::vector<uint8_t> randomWeights(Rng& rng, DType t, int64_t rows, int64_t cols) {
  if (t != DType::Q4_G32) return rng.weights(t, rows, cols);
  const int64_t row_bytes = static_cast<int64_t>(*rowBytes(t, cols));
  std::vector<uint8_t> w(rows * row_bytes);
  for (int64_t r = 0; r < rows; ++r) {
    uint8_t* row = w.data() + r * row_bytes;
    for (int64_t i = 0; i < cols / 2; ++i) row[i] = rng.byte();
    for (int64_t g = 0; g < cols / 32; ++g) {
      const uint16_t d = floatToF16(rng.uniform(1, -0.05f, 0.05f)[0]);
      const uint16_t m = floatToF16(rng.uniform(1, -0.4f, 0.4f)[0]);
      std::memcpy(row + cols / 2 + 2 * g, &d, 2);
      std::memcpy(row + cols / 2 + cols / 16 + 2 * g, &m, 2);
    }
  }
  return w;
}

}  // namespace lac::kernels::test
