// The engine's activation-precision remedies (act_precision.h) against f32
// dot products of the dequantized weights, on random q4_0 / q4_1 / q8_0 matrices.
#include "runtime/engine/act_precision.h"

#include <gtest/gtest.h>

#include <cmath>
#include <algorithm>
#include <cstring>
#include <random>

#include "runtime/kernels/cpu/dequant.h"
#include "runtime/kernels/cpu/matmul.h"
#include "runtime/kernels/cpu/pack_x8.h"
#include "runtime/kernels/cpu/quantize_act.h"
#include "runtime/core/half.h"
#include "runtime/core/thread_pool.h"

namespace lac::engine {
namespace {

namespace cpu = kernels::cpu;

struct Problem {
  int64_t n, in, out;
  DType type;
  std::vector<uint8_t> w;     // [out, in] blocks
  std::vector<float> x;       // [n, in]
  std::vector<double> exact;  // [n, out]: dequantized W . x in double
};

// Random blocks (scales ~0.02, q4_1 mins ~-0.15) and activations with a few
// large outliers per row, as real hidden states have.
Problem makeProblem(DType t, int64_t n, int64_t in, int64_t out, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  Problem p{n, in, out, t, {}, {}, {}};
  const int64_t blocks = in / 32, bb = dtypeInfo(t).blockBytes;
  p.w.resize(size_t(out * blocks * bb));
  for (int64_t b = 0; b < out * blocks; ++b) {
    uint8_t* blk = p.w.data() + b * bb;
    const uint16_t d = floatToF16(0.02f * (1.0f + 0.5f * u(g)));
    std::memcpy(blk, &d, 2);
    if (t == DType::Q4_1) {
      const uint16_t m = floatToF16(-0.15f * (1.0f + 0.2f * u(g)));
      std::memcpy(blk + 2, &m, 2);
      for (int j = 0; j < 16; ++j) blk[4 + j] = uint8_t(g() & 0xff);
    } else if (t == DType::Q4_0) {
      for (int j = 0; j < 16; ++j) blk[2 + j] = uint8_t(g() & 0xff);
    } else {  // q8_0
      for (int j = 0; j < 32; ++j) blk[2 + j] = uint8_t(int8_t(int(g() % 255) - 127));
    }
  }
  p.x.resize(size_t(n * in));
  for (float& v : p.x) v = u(g);
  for (int64_t t_ = 0; t_ < n; ++t_)
    for (int k = 0; k < 3; ++k) p.x[size_t(t_ * in + int64_t(g() % uint32_t(in)))] = 20.0f * u(g);
  std::vector<float> row(static_cast<size_t>(in));
  p.exact.assign(size_t(n * out), 0.0);
  const uint64_t rb = *rowBytes(t, uint64_t(in));
  for (int64_t o = 0; o < out; ++o) {
    cpu::dequantizeRowRef(t, p.w.data() + o * int64_t(rb), row.data(), in);
    for (int64_t t_ = 0; t_ < n; ++t_) {
      double s = 0;
      for (int64_t i = 0; i < in; ++i) s += double(row[size_t(i)]) * double(p.x[size_t(t_ * in + i)]);
      p.exact[size_t(t_ * out + o)] = s;
    }
  }
  return p;
}

kernels::MatmulArgs args(const Problem& p, float* y) {
  kernels::MatmulArgs a;
  a.x = p.x.data();
  a.x_stride = p.in;
  a.w = p.w.data();
  a.w_type = p.type;
  a.y = y;
  a.y_stride = p.out;
  a.n = p.n;
  a.in = p.in;
  a.out = p.out;
  return a;
}

double maxError(const std::vector<float>& y, const std::vector<double>& exact) {
  double e = 0;
  for (size_t i = 0; i < y.size(); ++i) e = std::max(e, std::fabs(double(y[i]) - exact[i]));
  return e;
}

TEST(ActPrecision, ResidualIsWhatTheQuantizerLoses) {
  std::mt19937 g(7);
  std::uniform_real_distribution<float> u(-3.0f, 3.0f);
  const int64_t n = 32 * 9;
  std::vector<float> x(n), r(n);
  for (float& v : x) v = u(g);
  for (int j = 0; j < 32; ++j) x[size_t(64 + j)] = 0.0f;  // an all-zero block
  std::vector<int8_t> q(n);
  std::vector<float> d(n / 32), s(n / 32);
  cpu::quantizeActRow(cpu::detectIsa(), x.data(), n, q.data(), d.data(), s.data());
  cpu::quantizeActResidualRow(cpu::detectIsa(), x.data(), n, r.data());
  for (int64_t i = 0; i < n; ++i) {
    const float want = x[size_t(i)] - d[size_t(i / 32)] * float(q[size_t(i)]);
    EXPECT_NEAR(r[size_t(i)], want, 1e-6f * std::fabs(x[size_t(i)])) << i;
    EXPECT_LE(std::fabs(r[size_t(i)]), 0.5f * d[size_t(i / 32)] * 1.0001f) << i;
  }
  // In place.
  std::vector<float> y = x;
  cpu::quantizeActResidualRow(cpu::detectIsa(), y.data(), n, y.data());
  EXPECT_EQ(y, r);
}

// Two passes take the int8 error down ~250x (measured 0.0087 -> 3.9e-5 of
// max|y| for q4_1, 0.015 -> 5.4e-5 for q8_0); the
// residual argument (y += ...) still works on top.
TEST(ActPrecision, PreciseMatmulIsNearExact) {
  for (DType t : {DType::Q4_1, DType::Q8_0}) {
    SCOPED_TRACE(dtypeName(t).data());
    Problem p = makeProblem(t, 5, 576, 97, 11);
    cpu::CpuContext ctx;
    std::vector<float> plain(size_t(p.n * p.out)), precise(plain.size()), scratch(size_t(p.n * p.in));
    cpu::matmul(ctx, args(p, plain.data()));
    matmulPrecise(ctx, args(p, precise.data()), scratch.data());
    double scale = 0;
    for (double v : p.exact) scale = std::max(scale, std::fabs(v));
    const double e_plain = maxError(plain, p.exact) / scale, e_precise = maxError(precise, p.exact) / scale;
    std::printf("[ %s ] max |error| / max |y|: int8 activations %.3g, two passes %.3g\n", dtypeName(t).data(),
                e_plain, e_precise);
    EXPECT_GT(e_plain, 1e-4);
    EXPECT_LT(e_precise, e_plain / 100);
    EXPECT_LT(e_precise, 1e-4);  // ~1/254 of the int8 error: the residual is quantized too

    std::vector<float> res(plain.size(), 1.5f), y(plain.size());
    kernels::MatmulArgs a = args(p, y.data());
    a.residual = res.data();
    a.residual_stride = p.out;
    matmulPrecise(ctx, a, scratch.data());
    for (size_t i = 0; i < y.size(); ++i) EXPECT_NEAR(y[i], precise[i] + 1.5f, 1e-4f);
  }
}

// The same through the x8 layout (the CPU default), with the residual in
// place as the engine passes it: equal to the row-major result up to f32
// summation order.
TEST(ActPrecision, PreciseMatmulX8MatchesRowMajor) {
  for (DType t : {DType::Q4_0, DType::Q4_1, DType::Q8_0}) {
    SCOPED_TRACE(dtypeName(t).data());
    Problem p = makeProblem(t, 7, 192, 960, 13);
    std::vector<uint8_t> packed(p.w.size());
    cpu::packX8(t, p.w.data(), p.out, p.in, packed.data());
    ThreadPool pool(2);
    cpu::CpuContext ctx;
    ctx.pool = &pool;
    std::vector<float> rows(size_t(p.n * p.out), 0.25f), x8(rows.size(), 0.25f), scratch(size_t(p.n * p.in));
    kernels::MatmulArgs a = args(p, rows.data());
    a.residual = rows.data();
    a.residual_stride = p.out;
    matmulPrecise(ctx, a, scratch.data());
    kernels::MatmulArgs b = args(p, x8.data());
    b.w = packed.data();
    b.w_layout = kernels::WeightLayout::X8;
    b.residual = x8.data();
    b.residual_stride = p.out;
    matmulPrecise(ctx, b, scratch.data());
    double scale = 0;
    for (double v : p.exact) scale = std::max(scale, std::fabs(v));
    for (size_t i = 0; i < rows.size(); ++i) EXPECT_NEAR(x8[i], rows[i], 1e-5 * scale) << i;
  }
}

// The leading logits become exact dot products; the rest stay as they were.
// The lm_head re-scoring reads rows of the weight as bound: row-major, or
// interleaved by 8 rows (the CPU default for q8_0/q4_0/q4_1).
void checkRescore(kernels::WeightLayout layout) {
  Problem p = makeProblem(DType::Q8_0, 2, 256, 304, 5);
  cpu::CpuContext ctx;
  std::vector<float> y(size_t(p.n * p.out)), scratch(size_t(p.in));
  cpu::matmul(ctx, args(p, y.data()));
  const std::vector<float> before = y;
  std::vector<uint8_t> packed;
  BoundWeight w{p.w.data(), p.type};
  if (layout == kernels::WeightLayout::X8) {
    packed.resize(p.w.size());
    cpu::packX8(p.type, p.w.data(), p.out, p.in, packed.data());
    w.p = packed.data();
    w.layout = layout;
  }
  rescoreTopLogits(ctx, p.x.data(), p.in, w, y.data(), p.out, p.n, p.out, p.in, scratch.data());
  for (int64_t t = 0; t < p.n; ++t) {
    const float* b = before.data() + t * p.out;
    const float top = *std::max_element(b, b + p.out);
    int rescored = 0;
    for (int64_t o = 0; o < p.out; ++o) {
      const size_t i = size_t(t * p.out + o);
      if (b[o] >= top - kRescoreMargin) {
        ++rescored;
        EXPECT_NEAR(y[i], p.exact[i], 1e-5 * std::fabs(p.exact[i]) + 1e-6) << o;
      } else {
        EXPECT_EQ(y[i], before[i]) << o;
      }
    }
    EXPECT_GT(rescored, 0);
    EXPECT_LE(rescored, kRescoreMax);
  }
}

TEST(ActPrecision, RescoreMakesLeadingLogitsExact) { checkRescore(kernels::WeightLayout::RowMajor); }
TEST(ActPrecision, RescoreReadsX8Rows) { checkRescore(kernels::WeightLayout::X8); }

}  // namespace
}  // namespace lac::engine
