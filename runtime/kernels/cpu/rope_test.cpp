#include "runtime/kernels/cpu/rope.h"

#include <complex>

#include "runtime/kernels/cpu/test_backend.h"
#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

class Rope : public KernelTest {};

// Each pair (x[2i], x[2i+1]) as the complex number x[2i] + i x[2i+1], times
// e^{i pos f_i} (Meta's apply_rotary_emb with torch.view_as_complex).
TEST_P(Rope, ComplexMultiplyOfPairs) {
  Rng rng(12);
  for (int64_t hd : {2, 6, 64, 128}) {
    for (int64_t n_heads : {1, 9}) {
      SCOPED_TRACE(::testing::Message() << "head_dim=" << hd << " heads=" << n_heads);
      const int64_t n = 37, xs = n_heads * hd + 4;
      std::vector<float> x = rng.uniform(n * xs, -2.0f, 2.0f);
      std::vector<int32_t> pos(n);
      for (int64_t t = 0; t < n; ++t) pos[t] = t % 3 == 0 ? rng.integer(0, 9000) : int32_t(t);
      std::vector<float> freqs(hd / 2);
      cpu::ropeFrequencies(hd, 10000.0f, RopeScaling{}, freqs.data());

      DeviceBuffer<float> dx(backend(), x), df(backend(), freqs);
      DeviceBuffer<int32_t> dp(backend(), pos);
      backend().rope(backend(), RopeArgs{dx.get(), xs, n, n_heads, hd, dp.get(), df.get()});
      std::vector<float> got = dx.download();
      for (int64_t t = 0; t < n; ++t) {
        for (int64_t h = 0; h < n_heads; ++h)
          for (int64_t i = 0; i < hd / 2; ++i) {
            int64_t k = t * xs + h * hd + 2 * i;
            double angle = static_cast<float>(pos[t]) * freqs[i];  // the f32 product
            std::complex<double> z = std::complex<double>(x[k], x[k + 1]) * std::polar(1.0, angle);
            ASSERT_NEAR(got[k], z.real(), 2e-6) << t << "," << h << "," << i;
            ASSERT_NEAR(got[k + 1], z.imag(), 2e-6) << t << "," << h << "," << i;
          }
        for (int64_t k = n_heads * hd; k < xs; ++k) ASSERT_EQ(got[t * xs + k], x[t * xs + k]);
      }
    }
  }
}

TEST(RopeFrequencies, Unscaled) {
  std::vector<float> f(32);
  cpu::ropeFrequencies(64, 10000.0f, RopeScaling{}, f.data());
  EXPECT_EQ(f[0], 1.0f);
  EXPECT_NEAR(f[1], std::pow(10000.0, -2.0 / 64), 1e-7);
  EXPECT_NEAR(f[31], std::pow(10000.0, -62.0 / 64), 1e-10);
}

// Llama 3.1: head_dim 128, theta 500000, factor 8, low 1, high 4, original
// context 8192. Wavelengths below 2048 keep their frequency (i <= 28), above
// 8192 are divided by 8 (i >= 35), and between blend with
// smooth = (8192 / wavelen - 1) / 3. Values computed by hand (Python, f64).
TEST(RopeFrequencies, Llama31Scaling) {
  std::vector<float> f(64);
  cpu::ropeFrequencies(128, 500000.0f, RopeScaling{8.0f, 1.0f, 4.0f, 8192.0f}, f.data());
  const struct {
    int i;
    double want;
  } cases[] = {
      {0, 1.0},                      // wavelen 2 pi: unchanged
      {20, 0.016560440080994446},    // unchanged
      {28, 0.0032114459947525913},   // wavelen 1956.5 < 2048: unchanged
      {29, 0.002166570763503359},    // wavelen 2401.7: smooth 0.80
      {31, 0.0008567514129196321},   // smooth
      {34, 0.00017850781276799638},  // wavelen 6695.1: smooth 0.07
      {35, 9.556212353964683e-05},   // wavelen 8218.7 > 8192: / 8
      {63, 3.068925988914511e-07},   // / 8
  };
  for (const auto& c : cases) EXPECT_NEAR(f[c.i], c.want, 2e-6 * c.want) << "i=" << c.i;
}

LAC_INSTANTIATE_KERNEL_TEST(Rope);

}  // namespace
}  // namespace lac::kernels::test
