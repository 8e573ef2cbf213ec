// GPU sampling against the CPU Sampler (runtime/sampling): the same uniform
// must give the same token on many random logit rows (ties, flat and peaky
// distributions, vocabularies below and above the shared-memory sort), and
// the draws must follow the nucleus distribution (chi-square). Skipped
// without a GPU.
#include <algorithm>
#include <cmath>
#include <random>

#include "runtime/kernels/cuda/cuda_test_util.h"
#include "runtime/kernels/cuda/launch.h"
#include "runtime/sampling/sampler.h"
#include "runtime/sampling/softmax.h"

namespace lac::kernels::test {
namespace {

struct Config {
  float temperature, top_p;
  int32_t top_k;
};

// Row r of kind r % 4: peaky normal, flat normal, ties (half-integers), one
// dominant token.
std::vector<float> randomLogits(std::mt19937& gen, int64_t rows, int64_t vocab) {
  std::normal_distribution<float> nd(0.0f, 1.0f);
  std::vector<float> l(rows * vocab);
  for (int64_t r = 0; r < rows; ++r) {
    float* x = &l[r * vocab];
    for (int64_t i = 0; i < vocab; ++i) {
      const float z = nd(gen);
      switch (r % 4) {
        case 0: x[i] = 3.0f * z; break;
        case 1: x[i] = 0.3f * z; break;
        case 2: x[i] = std::round(2.0f * z) / 2.0f; break;
        default: x[i] = z; break;
      }
    }
    if (r % 4 == 3) x[gen() % vocab] += 12.0f;
  }
  return l;
}

class CudaSample : public CudaTest {
 protected:
  // Samples `rows` rows on the GPU; tokens and logprobs out.
  void gpuSample(const std::vector<float>& logits, int64_t stride, int64_t rows, int64_t vocab,
                 const Config& c, const std::vector<float>& uniforms, std::vector<int32_t>& tokens,
                 std::vector<float>& logprobs) {
    DeviceBuffer<float> dl(backend(), logits), du(backend(), uniforms), dlp(backend(), rows);
    DeviceBuffer<int32_t> dt(backend(), rows);
    cuda::SampleArgs a;
    a.logits = dl.get(); a.logits_stride = stride; a.batch = rows; a.vocab = vocab;
    a.temperature = c.temperature; a.top_p = c.top_p; a.top_k = c.top_k;
    a.uniforms = du.get(); a.tokens = dt.get(); a.logprobs = dlp.get();
    cudaCheck(cuda::sample(*cudaTestContext(), a), "sample");
    tokens = dt.download();
    logprobs = dlp.download();
  }
};

TEST_F(CudaSample, SameUniformSameTokenAsCpuSampler) {
  const Config configs[] = {{0.6f, 0.9f, 0},  {1.0f, 0.95f, 0}, {0.8f, 1.0f, 40}, {0.7f, 0.9f, 50},
                            {1.0f, 1.0f, 0},  {0.0f, 0.9f, 0},  {1.5f, 0.5f, 1000}, {2.0f, 0.99f, 0}};
  std::mt19937 gen(123);
  for (int64_t vocab : {1000, 32000, 128256}) {
    const int64_t rows = vocab > 50000 ? 16 : 48;
    const std::vector<float> logits = randomLogits(gen, rows, vocab);
    for (const Config& c : configs) {
      SCOPED_TRACE(::testing::Message() << "vocab=" << vocab << " T=" << c.temperature
                                        << " top_p=" << c.top_p << " top_k=" << c.top_k);
      auto sampler = sampling::Sampler::create({.temperature = c.temperature, .top_p = c.top_p,
                                                .top_k = c.top_k});
      ASSERT_TRUE(sampler.ok());
      std::vector<float> uniforms(rows);
      std::vector<int32_t> want(rows);
      for (int64_t r = 0; r < rows; ++r) {
        sampling::Rng rng = sampling::Rng::forSequence(77, r);
        sampling::Rng coin = rng;
        uniforms[r] = coin.nextFloat();
        std::span<const float> row(&logits[r * vocab], vocab);
        auto tok = sampler->sample(row, {}, rng);
        ASSERT_TRUE(tok.ok());
        want[r] = *tok;
      }
      std::vector<int32_t> got;
      std::vector<float> lp;
      gpuSample(logits, vocab, rows, vocab, c, uniforms, got, lp);
      for (int64_t r = 0; r < rows; ++r) {
        ASSERT_EQ(got[r], want[r]) << "row " << r << " (kind " << r % 4 << ") uniform " << uniforms[r];
        auto wlp = sampling::logprob(std::span<const float>(&logits[r * vocab], vocab), got[r]);
        ASSERT_TRUE(wlp.ok());
        ASSERT_NEAR(lp[r], *wlp, 1e-4 + 1e-5 * std::fabs(*wlp)) << "row " << r;
      }
    }
  }
}

// 50000 draws from one row (logits stride 0) with independent uniforms: the
// counts follow the nucleus renormalized (chi-square below its 1 - 3e-5
// quantile), and nothing outside the nucleus is drawn.
TEST_F(CudaSample, DrawsFollowTheNucleus) {
  const std::vector<float> logits = {2.0f, 1.0f, 0.5f, 3.0f, -1.0f, 0.0f, 1.5f, 2.5f,
                                     -2.0f, 0.25f, 1.0f, -0.5f};
  const int64_t vocab = static_cast<int64_t>(logits.size()), draws = 50000;
  for (const Config& c : {Config{1.0f, 0.8f, 0}, Config{0.8f, 1.0f, 5}, Config{1.0f, 1.0f, 0}}) {
    SCOPED_TRACE(::testing::Message() << "T=" << c.temperature << " top_p=" << c.top_p
                                      << " top_k=" << c.top_k);
    // Expected: softmax, top-k, Meta's nucleus, renormalized (full sort on the host).
    std::vector<float> probs(vocab);
    sampling::softmaxWithTemperature(logits, c.temperature, probs);
    std::vector<sampling::Candidate> cands;
    for (int64_t i = 0; i < vocab; ++i) cands.push_back({static_cast<int32_t>(i), probs[i]});
    std::sort(cands.begin(), cands.end(), sampling::kComesBefore);
    if (c.top_k > 0) cands.resize(c.top_k);
    double kept = 0;
    for (auto& x : cands) kept += x.prob;
    if (c.top_p < 1.0f) {
      float cum = 0.0f;
      size_t m = cands.size();
      for (size_t i = 0; i < cands.size(); ++i) {
        const float q = static_cast<float>(cands[i].prob / kept);
        cum += q;
        if (cum - q > c.top_p) {
          m = std::max<size_t>(i, 1);
          break;
        }
      }
      cands.resize(m);
    }
    std::vector<double> expect(vocab, 0.0);
    double mass = 0;
    for (auto& x : cands) mass += x.prob;
    for (auto& x : cands) expect[x.id] = x.prob / mass;

    std::mt19937 gen(9);
    std::uniform_real_distribution<float> ud(0.0f, 1.0f);
    std::vector<float> uniforms(draws);
    for (float& u : uniforms) u = std::min(ud(gen), 0x1.fffffep-1f);
    std::vector<int32_t> got;
    std::vector<float> lp;
    gpuSample(logits, 0, draws, vocab, c, uniforms, got, lp);
    std::vector<int64_t> count(vocab, 0);
    for (int32_t t : got) {
      ASSERT_TRUE(t >= 0 && t < vocab);
      ++count[t];
    }
    double chi2 = 0;
    int df = -1;
    for (int64_t i = 0; i < vocab; ++i) {
      if (expect[i] == 0.0) {
        EXPECT_EQ(count[i], 0) << "token " << i << " is outside the nucleus";
        continue;
      }
      const double e = expect[i] * draws;
      chi2 += (count[i] - e) * (count[i] - e) / e;
      ++df;
    }
    // Wilson-Hilferty: the chi-square quantile at z = 4 (p ~ 3e-5).
    const double a = 2.0 / (9.0 * df);
    const double limit = df * std::pow(1.0 - a + 4.0 * std::sqrt(a), 3.0);
    EXPECT_LT(chi2, limit) << "df " << df;
  }
}

}  // namespace
}  // namespace lac::kernels::test
