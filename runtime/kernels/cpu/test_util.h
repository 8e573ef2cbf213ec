// Random inputs and comparisons for the kernel tests.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "runtime/core/dtype.h"
#include "runtime/core/half.h"
#include "runtime/kernels/cpu/dequant.h"

namespace lac::kernels::test {

class Rng {
 public:
  explicit Rng(uint32_t seed) : gen_(seed) {}

  std::vector<float> uniform(size_t n, float lo = -1.0f, float hi = 1.0f) {
    std::uniform_real_distribution<float> d(lo, hi);
    std::vector<float> v(n);
    for (float& x : v) x = d(gen_);
    return v;
  }
  int32_t integer(int32_t lo, int32_t hi) {  // inclusive
    return std::uniform_int_distribution<int32_t>(lo, hi)(gen_);
  }
  uint8_t byte() { return static_cast<uint8_t>(integer(0, 255)); }

  // [rows, cols] random weights of type t, as raw bytes. Scalar types hold
  // uniform values in [-1, 1]; quantized blocks hold random quants (the full
  // range, -128 included for q8_0) with scales of either sign.
  std::vector<uint8_t> weights(DType t, int64_t rows, int64_t cols) {
    const int64_t row_bytes = static_cast<int64_t>(*rowBytes(t, cols));
    std::vector<uint8_t> w(rows * row_bytes);
    if (t == DType::F32) {
      std::vector<float> f = uniform(rows * cols);
      std::memcpy(w.data(), f.data(), w.size());
    } else if (t == DType::F16 || t == DType::BF16) {
      std::vector<float> f = uniform(rows * cols);
      auto* h = reinterpret_cast<uint16_t*>(w.data());
      for (size_t i = 0; i < f.size(); ++i) h[i] = t == DType::F16 ? floatToF16(f[i]) : floatToBf16(f[i]);
    } else {
      const DTypeInfo& info = dtypeInfo(t);
      for (auto& b : w) b = byte();
      // Overwrite the f16 scale (and min) of each block with sane values.
      int n_halves = t == DType::Q4_1 ? 2 : 1;
      for (size_t off = 0; off < w.size(); off += info.blockBytes) {
        for (int k = 0; k < n_halves; ++k) {
          uint16_t h = floatToF16(uniform(1, -0.05f, 0.05f)[0]);
          std::memcpy(w.data() + off + 2 * k, &h, 2);
        }
      }
    }
    return w;
  }

 private:
  std::mt19937 gen_;
};

// [rows, cols] weights -> f32 with the reference dequantizer.
inline std::vector<float> dequantized(DType t, const std::vector<uint8_t>& w, int64_t rows,
                                      int64_t cols) {
  const int64_t row_bytes = static_cast<int64_t>(*rowBytes(t, cols));
  std::vector<float> out(rows * cols);
  for (int64_t r = 0; r < rows; ++r)
    cpu::dequantizeRowRef(t, w.data() + r * row_bytes, out.data() + r * cols, cols);
  return out;
}

// |got - want| <= atol + rtol * |want| elementwise, reporting the first miss.
inline void expectNear(const std::vector<float>& got, const std::vector<float>& want, float atol,
                       float rtol, const char* what) {
  ASSERT_EQ(got.size(), want.size()) << what;
  for (size_t i = 0; i < got.size(); ++i) {
    float tol = atol + rtol * std::fabs(want[i]);
    if (!(std::fabs(got[i] - want[i]) <= tol)) {
      ADD_FAILURE() << what << ": element " << i << " is " << got[i] << ", want " << want[i]
                    << " (tolerance " << tol << ")";
      return;
    }
  }
}

}  // namespace lac::kernels::test
