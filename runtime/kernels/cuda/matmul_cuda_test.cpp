// CUDA-only matmul tests (the shared bodies in runtime/kernels/cpu/*_test.cpp
// also run on the CUDA backend): Q4_G32 weights, the GEMM paths against the
// GEMV path, split-K GEMV, and rmsnorm + matmul. Skipped without a GPU.
#include <algorithm>
#include <cmath>

#include "runtime/kernels/cpu/matmul.h"
#include "runtime/kernels/cpu/rmsnorm.h"
#include "runtime/kernels/cpu/test_util.h"
#include "runtime/kernels/cuda/cuda_test_util.h"
#include "runtime/kernels/cuda/launch.h"

namespace lac::kernels::test {
namespace {

struct Case {
  int64_t n, in, out;
};

// y = x W^T (+ residual) on the GPU; x [n, in] dense, y [n, out] dense.
std::vector<float> gpuMatmul(const Backend& b, DType t, const std::vector<uint8_t>& w,
                             const std::vector<float>& x, const std::vector<float>* residual,
                             const Case& c) {
  DeviceBuffer<float> dx(b, x), dy(b, static_cast<size_t>(c.n * c.out));
  DeviceBuffer<uint8_t> dw(b, w);
  if (residual) dy.upload(*residual);
  MatmulArgs a;
  a.x = dx.get(); a.x_stride = c.in;
  a.w = dw.get(); a.w_type = t;
  a.y = dy.get(); a.y_stride = c.out;
  if (residual) {  // in place
    a.residual = dy.get();
    a.residual_stride = c.out;
  }
  a.n = c.n; a.in = c.in; a.out = c.out;
  cudaCheck(cuda::matmul(*cudaTestContext(), a), "matmul");
  return dy.download();
}

// The CPU reference on weights dequantized to f32, and sum |x_i w_i| per output.
void cpuMatmul(DType t, const std::vector<uint8_t>& w, const std::vector<float>& x,
               const std::vector<float>* residual, const Case& c, std::vector<float>& y,
               std::vector<double>& mag) {
  const std::vector<float> wf = dequantized(t, w, c.out, c.in);
  y = residual ? *residual : std::vector<float>(c.n * c.out, 0.0f);
  MatmulArgs r;
  r.x = x.data(); r.x_stride = c.in;
  r.w = wf.data(); r.w_type = DType::F32;
  r.y = y.data(); r.y_stride = c.out;
  r.residual = residual ? y.data() : nullptr;
  r.residual_stride = c.out;
  r.n = c.n; r.in = c.in; r.out = c.out;
  cpu::matmulRef(r);
  mag.assign(c.n * c.out, 0.0);
  for (int64_t i = 0; i < c.n; ++i)
    for (int64_t o = 0; o < c.out; ++o)
      for (int64_t k = 0; k < c.in; ++k)
        mag[i * c.out + o] += std::fabs(double(x[i * c.in + k]) * wf[o * c.in + k]);
}

// |got - want| <= rel * mag + 2 (in + 16) 2^-24 mag + 1e-5 elementwise.
void expectClose(const std::vector<float>& got, const std::vector<float>& want,
                 const std::vector<double>& mag, double rel, int64_t in, const char* what) {
  ASSERT_EQ(got.size(), want.size());
  for (size_t i = 0; i < got.size(); ++i) {
    const double tol = rel * mag[i] + 2.0 * (in + 16) * 0x1p-24 * mag[i] + 1e-5;
    ASSERT_NEAR(got[i], want[i], tol) << what << ": element " << i;
  }
}

class CudaMatmul : public CudaTest {};

TEST_F(CudaMatmul, Q4G32MatchesDequantizedF32) {
  uint32_t seed = 1;
  for (Case c : {Case{1, 256, 70}, Case{3, 1024, 300}, Case{8, 512, 33}, Case{9, 256, 70},
                 Case{64, 512, 130}, Case{128, 256, 64}}) {
    for (bool residual : {false, true}) {
      SCOPED_TRACE(::testing::Message() << "n=" << c.n << " in=" << c.in << " out=" << c.out
                                        << " residual=" << residual);
      Rng rng(seed++);
      const std::vector<uint8_t> w = randomWeights(rng, DType::Q4_G32, c.out, c.in);
      const std::vector<float> x = rng.uniform(c.n * c.in, -2.0f, 2.0f);
      const std::vector<float> res = rng.uniform(c.n * c.out);
      const std::vector<float> got = gpuMatmul(backend(), DType::Q4_G32, w, x, residual ? &res : nullptr, c);
      std::vector<float> want;
      std::vector<double> mag;
      cpuMatmul(DType::Q4_G32, w, x, residual ? &res : nullptr, c, want, mag);
      expectClose(got, want, mag, 0.0, c.in, "q4_g32");
    }
  }
}

// n = 64 and 128 take the GEMM paths (cuBLASLt for f16/bf16, which rounds x
// to the weight type; the f32 tiled kernel otherwise); slices of 8 tokens
// take the GEMV path. Both are checked against the CPU on f32 weights.
TEST_F(CudaMatmul, GemmMatchesGemv) {
  uint32_t seed = 10;
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_G32}) {
    for (int64_t n : {64, 128}) {
      const Case c{n, 512, 200};
      SCOPED_TRACE(::testing::Message() << dtypeName(t) << " n=" << n);
      Rng rng(seed++);
      const std::vector<uint8_t> w = randomWeights(rng, t, c.out, c.in);
      const std::vector<float> x = rng.uniform(c.n * c.in, -2.0f, 2.0f);
      const std::vector<float> res = rng.uniform(c.n * c.out);
      const std::vector<float> gemm = gpuMatmul(backend(), t, w, x, &res, c);
      std::vector<float> gemv(c.n * c.out);
      for (int64_t t0 = 0; t0 < n; t0 += 8) {
        const Case s{8, c.in, c.out};
        std::vector<float> xs(x.begin() + t0 * c.in, x.begin() + (t0 + 8) * c.in);
        std::vector<float> rs(res.begin() + t0 * c.out, res.begin() + (t0 + 8) * c.out);
        std::vector<float> ys = gpuMatmul(backend(), t, w, xs, &rs, s);
        std::copy(ys.begin(), ys.end(), gemv.begin() + t0 * c.out);
      }
      std::vector<float> want;
      std::vector<double> mag;
      cpuMatmul(t, w, x, &res, c, want, mag);
      for (double& m : mag) m += 1.0;  // the residual's rounding
      expectClose(gemv, want, mag, 0.0, c.in, "gemv vs cpu");
      // x rounded to bf16 / f16: |x - x16| <= 2^-9 |x| / 2^-12 |x|.
      const double rel = t == DType::BF16 ? 0x1p-8 : t == DType::F16 ? 0x1p-11 : 0.0;
      expectClose(gemm, want, mag, rel, c.in, "gemm vs cpu");
      expectClose(gemm, gemv, mag, rel, c.in, "gemm vs gemv");
    }
  }
}

// Few rows and a long K: the GEMV splits K across blocks (partials in the
// workspace, then the combine), here with an in-place residual.
TEST_F(CudaMatmul, SplitKGemv) {
  uint32_t seed = 40;
  for (DType t : {DType::F32, DType::BF16, DType::Q8_0, DType::Q4_G32}) {
    for (int64_t n : {1, 5}) {
      const Case c{n, 8192, 16};
      SCOPED_TRACE(::testing::Message() << dtypeName(t) << " n=" << n);
      Rng rng(seed++);
      const std::vector<uint8_t> w = randomWeights(rng, t, c.out, c.in);
      const std::vector<float> x = rng.uniform(c.n * c.in, -2.0f, 2.0f);
      const std::vector<float> res = rng.uniform(c.n * c.out);
      const std::vector<float> got = gpuMatmul(backend(), t, w, x, &res, c);
      std::vector<float> want;
      std::vector<double> mag;
      cpuMatmul(t, w, x, &res, c, want, mag);
      for (double& m : mag) m += 1.0;
      expectClose(got, want, mag, 0.0, c.in, "split-K gemv");
    }
  }
}

// The fused norm on every path: GEMV (n <= 8; in 4096 splits K), the f32
// GEMM (n 9, q8_0), cuBLASLt (n 70, bf16); the normalized rows it also
// writes for later steps match the CPU's rmsnorm.
TEST_F(CudaMatmul, RmsnormMatmulMatchesUnfused) {
  uint32_t seed = 60;
  struct NormCase {
    Case c;
    DType t;
  };
  for (const NormCase& nc : {NormCase{{1, 576, 192}, DType::Q8_0}, NormCase{{4, 576, 192}, DType::Q8_0},
                             NormCase{{2, 4096, 192}, DType::Q8_0}, NormCase{{9, 576, 192}, DType::Q8_0},
                             NormCase{{70, 576, 192}, DType::Q8_0}, NormCase{{70, 576, 192}, DType::BF16}}) {
    const Case c = nc.c;
    const DType t = nc.t;
    SCOPED_TRACE(::testing::Message() << "n=" << c.n << " in=" << c.in << " " << dtypeName(t));
    Rng rng(seed++);
    const std::vector<uint8_t> w = randomWeights(rng, t, c.out, c.in);
    const std::vector<float> x = rng.uniform(c.n * c.in, -3.0f, 3.0f);
    const std::vector<float> nw = rng.uniform(c.in, 0.5f, 1.5f);
    DeviceBuffer<float> dx(backend(), x), dnw(backend(), nw), dn(backend(), c.n * c.in),
        dy(backend(), c.n * c.out);
    DeviceBuffer<uint8_t> dw(backend(), w);
    RmsNormArgs norm{dx.get(), c.in, dnw.get(), dn.get(), c.in, c.n, c.in, 1e-5f};
    MatmulArgs mm;
    mm.x = dn.get(); mm.x_stride = c.in;
    mm.w = dw.get(); mm.w_type = t;
    mm.y = dy.get(); mm.y_stride = c.out;
    mm.n = c.n; mm.in = c.in; mm.out = c.out;
    cudaCheck(cuda::rmsnormMatmul(*cudaTestContext(), norm, mm), "rmsnormMatmul");
    const std::vector<float> got = dy.download();
    const std::vector<float> got_xn = dn.download();

    std::vector<float> xn(c.n * c.in);
    cpu::rmsnormRef(RmsNormArgs{x.data(), c.in, nw.data(), xn.data(), c.in, c.n, c.in, 1e-5f});
    for (size_t i = 0; i < xn.size(); ++i)
      ASSERT_NEAR(got_xn[i], xn[i], 1e-5f * (1.0f + std::fabs(xn[i]))) << "normalized x " << i;
    std::vector<float> want;
    std::vector<double> mag;
    cpuMatmul(t, w, xn, nullptr, c, want, mag);
    // cuBLASLt rounds x to bf16 (2^-8 relative); the f32 paths only reorder sums.
    expectClose(got, want, mag, t == DType::BF16 ? 0x1p-8 : 1e-5, c.in, "rmsnorm + matmul");
  }
}

TEST_F(CudaMatmul, EmbeddingQ4G32) {
  Rng rng(70);
  const int64_t vocab = 50, dim = 256;
  const std::vector<uint8_t> table = randomWeights(rng, DType::Q4_G32, vocab, dim);
  const std::vector<int32_t> ids = {3, 49, 0, -1, 50, 3};
  DeviceBuffer<uint8_t> dt(backend(), table);
  DeviceBuffer<int32_t> di(backend(), ids);
  DeviceBuffer<float> dout(backend(), ids.size() * dim);
  EmbeddingArgs a{dt.get(), DType::Q4_G32, vocab, dim, di.get(), static_cast<int64_t>(ids.size()),
                  dout.get(), dim};
  cudaCheck(cuda::embedding(*cudaTestContext(), a), "embedding");
  const std::vector<float> got = dout.download();
  const std::vector<float> all = dequantized(DType::Q4_G32, table, vocab, dim);
  for (size_t t = 0; t < ids.size(); ++t)
    for (int64_t i = 0; i < dim; ++i) {
      const bool in = ids[t] >= 0 && ids[t] < vocab;
      ASSERT_EQ(got[t * dim + i], in ? all[ids[t] * dim + i] : 0.0f) << t << "," << i;
    }
}

}  // namespace
}  // namespace lac::kernels::test
