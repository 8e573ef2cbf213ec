#include "runtime/kernels/cpu/rmsnorm.h"

#include "runtime/kernels/cpu/test_backend.h"
#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

class RmsNorm : public KernelTest {};

TEST_P(RmsNorm, MatchesFormula) {
  Rng rng(5);
  for (int64_t dim : {1, 7, 8, 24, 576, 1003}) {
    for (int64_t n : {1, 3, 130}) {
      SCOPED_TRACE(::testing::Message() << "dim=" << dim << " n=" << n);
      const int64_t xs = dim + 2, ys = dim + 1;
      std::vector<float> x = rng.uniform(n * xs, -3.0f, 3.0f), w = rng.uniform(dim);
      DeviceBuffer<float> dx(backend(), x), dw(backend(), w), dy(backend(), n * ys);
      RmsNormArgs a{dx.get(), xs, dw.get(), dy.get(), ys, n, dim, 1e-5f};
      backend().rmsnorm(backend(), a);
      std::vector<float> got = dy.download();
      for (int64_t r = 0; r < n; ++r) {
        double ss = 0;
        for (int64_t i = 0; i < dim; ++i) ss += double(x[r * xs + i]) * x[r * xs + i];
        double inv = 1.0 / std::sqrt(ss / dim + 1e-5);
        for (int64_t i = 0; i < dim; ++i) {
          double want = x[r * xs + i] * inv * w[i];
          ASSERT_NEAR(got[r * ys + i], want, 1e-5 * (1 + std::fabs(want))) << r << "," << i;
        }
      }
    }
  }
}

TEST_P(RmsNorm, InPlace) {
  Rng rng(6);
  const int64_t n = 4, dim = 40;
  std::vector<float> x = rng.uniform(n * dim), w = rng.uniform(dim), want(n * dim);
  cpu::rmsnormRef(RmsNormArgs{x.data(), dim, w.data(), want.data(), dim, n, dim, 1e-6f});
  DeviceBuffer<float> dx(backend(), x), dw(backend(), w);
  backend().rmsnorm(backend(), RmsNormArgs{dx.get(), dim, dw.get(), dx.get(), dim, n, dim, 1e-6f});
  expectNear(dx.download(), want, 1e-6f, 1e-5f, "in place");
}

LAC_INSTANTIATE_KERNEL_TEST(RmsNorm);

}  // namespace
}  // namespace lac::kernels::test
