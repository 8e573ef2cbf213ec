#include "runtime/kernels/cpu/matmul.h"

#include <algorithm>

#include "runtime/kernels/cpu/pack_x8.h"
#include "runtime/kernels/cpu/quant_blocks.h"
#include "runtime/kernels/cpu/test_backend.h"
#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

struct Shape {
  int64_t n, in, out;
};

// Odd sizes, tails of the 8-wide vectors (float types) and of the 4-row and
// 2-token tiles, and sizes large enough to be split across threads.
const Shape kShapes[] = {{1, 64, 37}, {2, 96, 5}, {5, 160, 67}, {3, 576, 130}, {1, 1024, 300},
                         {9, 256, 70}};
const Shape kFloatOnlyShapes[] = {{1, 13, 9}, {4, 77, 21}, {3, 1, 6}};
const DType kTypes[] = {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1};

// sum_i |x_i| * m_i, where m_i bounds every term the kernels add for weight
// element i (|w_i|, and for q4 also the offset / min parts computed apart).
std::vector<double> magnitudes(DType t, const std::vector<uint8_t>& w, const std::vector<float>& x,
                               const Shape& s) {
  std::vector<float> wf = dequantized(t, w, s.out, s.in);
  std::vector<double> mag(s.n * s.out);
  const int64_t row_bytes = static_cast<int64_t>(*rowBytes(t, s.in));
  for (int64_t t_ = 0; t_ < s.n; ++t_)
    for (int64_t o = 0; o < s.out; ++o) {
      double m = 0;
      for (int64_t i = 0; i < s.in; ++i) {
        double wi = std::fabs(wf[o * s.in + i]);
        if (t == DType::Q4_0 || t == DType::Q4_1) {
          const uint8_t* blk = w.data() + o * row_bytes + (i / 32) * dtypeInfo(t).blockBytes;
          uint16_t h[2];
          std::memcpy(h, blk, 4);
          wi = 16 * std::fabs(f16ToFloat(h[0])) + (t == DType::Q4_1 ? std::fabs(f16ToFloat(h[1])) : 0);
        }
        m += std::fabs(x[t_ * s.in + i]) * wi;
      }
      mag[t_ * s.out + o] = m;
    }
  return mag;
}

class Matmul : public KernelTest {
 protected:
  // Runs the backend on [n, in] x (row stride in + 3) into y (row stride
  // out + 2), optionally with a residual, and checks it against matmulRef
  // within twice the classic bound for f32 summation in another order:
  // |fast - ref| <= 2 * (k + 16) * 2^-24 * sum |x_i w_i|.
  // With `layout` X8 the backend gets the weights packed (pack_x8.h) and the
  // reference the row-major ones.
  void check(DType t, const Shape& s, bool residual, uint32_t seed,
             WeightLayout layout = WeightLayout::RowMajor) {
    SCOPED_TRACE(::testing::Message() << dtypeName(t) << " n=" << s.n << " in=" << s.in
                                      << " out=" << s.out << " residual=" << residual
                                      << " x8=" << (layout == WeightLayout::X8));
    Rng rng(seed);
    const int64_t xs = s.in + 3, ys = s.out + 2;
    std::vector<float> x = rng.uniform(s.n * xs, -2.0f, 2.0f);
    std::vector<uint8_t> w = rng.weights(t, s.out, s.in);
    std::vector<float> res = rng.uniform(s.n * ys);

    std::vector<uint8_t> packed = w;
    if (layout == WeightLayout::X8) cpu::packX8(t, w.data(), s.out, s.in, packed.data());
    DeviceBuffer<float> dx(backend(), x), dy(backend(), res);
    DeviceBuffer<uint8_t> dw(backend(), packed);
    MatmulArgs a;
    a.x = dx.get(); a.x_stride = xs;
    a.w = dw.get(); a.w_type = t; a.w_layout = layout;
    a.y = dy.get(); a.y_stride = ys;
    if (residual) {  // in place: y += x W^T
      a.residual = dy.get();
      a.residual_stride = ys;
    }
    a.n = s.n; a.in = s.in; a.out = s.out;
    backend().matmul(backend(), a);
    std::vector<float> got = dy.download();

    std::vector<float> want = res;
    MatmulArgs r = a;
    r.x = x.data(); r.w = w.data(); r.w_layout = WeightLayout::RowMajor; r.y = want.data();
    r.residual = residual ? want.data() : nullptr;
    cpu::matmulRef(r);
    if (layout == WeightLayout::X8) {  // the x8 reference is the row-major one exactly
      std::vector<float> want_x8 = res;
      r.w = packed.data(); r.w_layout = layout; r.y = want_x8.data();
      r.residual = residual ? want_x8.data() : nullptr;
      cpu::matmulRef(r);
      ASSERT_EQ(want_x8, want);
    }

    std::vector<float> xdense(s.n * s.in);
    for (int64_t i = 0; i < s.n; ++i) std::copy_n(&x[i * xs], s.in, &xdense[i * s.in]);
    std::vector<double> mag = magnitudes(t, w, xdense, s);
    for (int64_t i = 0; i < s.n; ++i)
      for (int64_t o = 0; o < ys; ++o) {
        float g = got[i * ys + o], e = want[i * ys + o];
        if (o >= s.out) {  // padding untouched
          ASSERT_EQ(g, res[i * ys + o]);
          continue;
        }
        double tol = 2.0 * (s.in + 16) * 0x1p-24 * (mag[i * s.out + o] + (residual ? 1.0 : 0.0)) + 1e-6;
        ASSERT_NEAR(g, e, tol) << "token " << i << " column " << o;
      }
  }
};

TEST_P(Matmul, MatchesReference) {
  uint32_t seed = 1;
  for (DType t : kTypes)
    for (const Shape& s : kShapes)
      for (bool residual : {false, true}) check(t, s, residual, seed++);
}

// The x8 layouts: every token-tile tail (tiles of 4 tokens on AVX2, 8 on
// AVX-512), several row groups (thread splits fall on 16-column pieces), with
// and without residual.
TEST_P(Matmul, X8LayoutMatchesRowMajor) {
  LAC_SKIP_WITHOUT_X8();
  uint32_t seed = 500;
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1})
    for (int64_t n : {1, 2, 3, 5, 7, 8, 9, 12, 17, 64})
      for (const Shape& s : {Shape{n, 64, 8}, Shape{n, 576, 40}, Shape{n, 96, 136}})
        for (bool residual : {false, true}) check(t, s, residual, seed++, WeightLayout::X8);
}

TEST_P(Matmul, FloatTypesWithVectorTails) {
  uint32_t seed = 100;
  for (DType t : {DType::F32, DType::F16, DType::BF16})
    for (const Shape& s : kFloatOnlyShapes) check(t, s, false, seed++);
}

// The quantized product against dequantize-then-f32: the only extra error is
// the activation rounding, |x_i - d_b q_i| <= d_b / 2 per element, so
//   |y_q - y_f32| <= sum_b (d_b / 2) sum_{i in b} |w_i|  (+ f32 summation error).
TEST_P(Matmul, QuantizedCloseToDequantizedF32) {
  const Shape s{3, 256, 45};
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1}) {
    SCOPED_TRACE(dtypeName(t));
    Rng rng(7);
    std::vector<float> x = rng.uniform(s.n * s.in, -3.0f, 3.0f);
    std::vector<uint8_t> w = rng.weights(t, s.out, s.in);
    DeviceBuffer<float> dx(backend(), x), dy(backend(), s.n * s.out);
    DeviceBuffer<uint8_t> dw(backend(), w);
    MatmulArgs a;
    a.x = dx.get(); a.x_stride = s.in;
    a.w = dw.get(); a.w_type = t;
    a.y = dy.get(); a.y_stride = s.out;
    a.n = s.n; a.in = s.in; a.out = s.out;
    backend().matmul(backend(), a);
    std::vector<float> got = dy.download();

    std::vector<float> wf = dequantized(t, w, s.out, s.in);
    for (int64_t i = 0; i < s.n; ++i)
      for (int64_t o = 0; o < s.out; ++o) {
        double exact = 0, bound = 0, mag = 0;
        for (int64_t b = 0; b < s.in / 32; ++b) {
          float amax = 0;
          for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[i * s.in + b * 32 + j]));
          double half_step = amax / 127.0 / 2.0;
          for (int j = 0; j < 32; ++j) {
            int64_t k = b * 32 + j;
            exact += double(x[i * s.in + k]) * wf[o * s.in + k];
            bound += half_step * std::fabs(wf[o * s.in + k]);
            mag += std::fabs(x[i * s.in + k] * wf[o * s.in + k]);
          }
        }
        double tol = bound * (1 + 1e-5) + 2.0 * (s.in + 16) * 0x1p-24 * 16 * mag + 1e-6;
        ASSERT_NEAR(got[i * s.out + o], exact, tol) << "token " << i << " column " << o;
      }
  }
}

// Extreme quants: q8_0 weights of -128 and activations at +-amax (the u8 x s8
// products are the largest vpmaddubsw sees; they must not saturate), in both
// layouts (x8 needs 8 rows).
TEST_P(Matmul, Q8ExtremesDoNotSaturate) {
  for (WeightLayout layout : {WeightLayout::RowMajor, WeightLayout::X8}) {
  SCOPED_TRACE(layout == WeightLayout::X8 ? "x8" : "row_major");
  if (layout == WeightLayout::X8 && !GetParam().x8_layouts) continue;
  const int64_t in = 64, out = 8;
  std::vector<uint8_t> w(out * 2 * 34);
  for (int64_t blk = 0; blk < out * 2; ++blk) {
    uint16_t d = floatToF16(1.0f);
    std::memcpy(&w[blk * 34], &d, 2);
    for (int j = 0; j < 32; ++j) w[blk * 34 + 2 + j] = (blk + j) % 2 ? 0x80 : 0x7f;  // -128, 127
  }
  std::vector<float> x(in);
  for (int64_t i = 0; i < in; ++i) x[i] = i % 2 ? -1.0f : 1.0f;
  std::vector<uint8_t> packed = w;
  if (layout == WeightLayout::X8) cpu::packX8(DType::Q8_0, w.data(), out, in, packed.data());
  DeviceBuffer<float> dx(backend(), x), dy(backend(), out);
  DeviceBuffer<uint8_t> dw(backend(), packed);
  MatmulArgs a;
  a.x = dx.get(); a.x_stride = in;
  a.w = dw.get(); a.w_type = DType::Q8_0; a.w_layout = layout;
  a.y = dy.get(); a.y_stride = out;
  a.n = 1; a.in = in; a.out = out;
  backend().matmul(backend(), a);
  std::vector<float> got = dy.download();
  for (int64_t o = 0; o < out; ++o) {
    double want = 0;
    for (int64_t i = 0; i < in; ++i) want += x[i] * (((o * 2 + i / 32) + i % 32) % 2 ? -128.0 : 127.0);
    EXPECT_NEAR(got[o], want, 1e-3) << o;
  }
  }
}

// q4 at the i16 bound of the x8 kernel: every nibble 15 and every activation
// quantized to 127 sums 32 * 15 * 127 per block in 16-bit partials.
TEST_P(Matmul, Q4ExtremesFitTheX8Partials) {
  LAC_SKIP_WITHOUT_X8();
  const int64_t in = 64, out = 8, n = 5;
  for (DType t : {DType::Q4_0, DType::Q4_1}) {
    SCOPED_TRACE(dtypeName(t));
    const int64_t bb = dtypeInfo(t).blockBytes;
    std::vector<uint8_t> w(out * 2 * bb, 0xff);
    for (int64_t blk = 0; blk < out * 2; ++blk) {
      uint16_t h = floatToF16(1.0f), m = floatToF16(0.0f);
      std::memcpy(&w[blk * bb], &h, 2);
      if (t == DType::Q4_1) std::memcpy(&w[blk * bb + 2], &m, 2);
    }
    std::vector<uint8_t> packed(w.size());
    cpu::packX8(t, w.data(), out, in, packed.data());
    std::vector<float> x(n * in, 1.0f);
    DeviceBuffer<float> dx(backend(), x), dy(backend(), n * out);
    DeviceBuffer<uint8_t> dw(backend(), packed);
    MatmulArgs a;
    a.x = dx.get(); a.x_stride = in;
    a.w = dw.get(); a.w_type = t; a.w_layout = WeightLayout::X8;
    a.y = dy.get(); a.y_stride = out;
    a.n = n; a.in = in; a.out = out;
    backend().matmul(backend(), a);
    const double want = t == DType::Q4_0 ? in * 7.0 : in * 15.0;  // (15 - 8) or 15, times x = 1
    for (float g : dy.download()) ASSERT_NEAR(g, want, 1e-3);
  }
}

LAC_INSTANTIATE_KERNEL_TEST(Matmul);

}  // namespace
}  // namespace lac::kernels::test
