#include "runtime/kernels/cpu/swiglu.h"

#include "runtime/kernels/cpu/test_backend.h"
#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

class Swiglu : public KernelTest {};

double siluMul(double g, double u) { return g / (1.0 + std::exp(-g)) * u; }

// The fused gate_up form ([n, 2 ffn], gate half first) over odd widths, with
// large gate magnitudes (exp overflow / underflow paths).
TEST_P(Swiglu, FusedGateUp) {
  Rng rng(9);
  for (int64_t ffn : {1, 9, 16, 1536}) {
    for (int64_t n : {1, 5, 40}) {
      SCOPED_TRACE(::testing::Message() << "ffn=" << ffn << " n=" << n);
      std::vector<float> gu = rng.uniform(n * 2 * ffn, -12.0f, 12.0f);
      if (ffn > 2) {
        gu[0] = -100.0f;
        gu[1] = 95.0f;
      }
      DeviceBuffer<float> dgu(backend(), gu), dout(backend(), n * ffn);
      backend().swiglu(backend(), SwigluArgs::fused(dgu.get(), dout.get(), n, ffn));
      std::vector<float> got = dout.download();
      for (int64_t r = 0; r < n; ++r)
        for (int64_t j = 0; j < ffn; ++j) {
          double want = siluMul(gu[r * 2 * ffn + j], gu[r * 2 * ffn + ffn + j]);
          ASSERT_NEAR(got[r * ffn + j], want, 2e-6 * (1 + std::fabs(want))) << r << "," << j;
        }
    }
  }
}

TEST_P(Swiglu, SeparateBuffersInPlace) {
  Rng rng(10);
  const int64_t n = 3, ffn = 21;
  std::vector<float> g = rng.uniform(n * ffn, -6.0f, 6.0f), u = rng.uniform(n * ffn);
  DeviceBuffer<float> dg(backend(), g), du(backend(), u);
  backend().swiglu(backend(), SwigluArgs{dg.get(), ffn, du.get(), ffn, dg.get(), ffn, n, ffn});
  std::vector<float> got = dg.download();
  for (int64_t i = 0; i < n * ffn; ++i) ASSERT_NEAR(got[i], siluMul(g[i], u[i]), 2e-6) << i;
}

LAC_INSTANTIATE_KERNEL_TEST(Swiglu);

}  // namespace
}  // namespace lac::kernels::test
