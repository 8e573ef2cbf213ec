// The Sampler: option checks, greedy, reproducibility, per-sequence RNG, the
// distribution of draws (chi-squared), logprobs.
#include "runtime/sampling/sampler.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "runtime/sampling/filters.h"
#include "runtime/sampling/softmax.h"

namespace lac::sampling {
namespace {

Sampler makeSampler(const SamplerOptions& o) {
  auto s = Sampler::create(o);
  EXPECT_TRUE(s.ok()) << s.message();
  return std::move(s).value();
}

std::vector<float> randomLogits(uint64_t seed, size_t vocab, float scale = 3.0f) {
  std::mt19937_64 gen(seed);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> logits(vocab);
  for (float& x : logits) x = normal(gen);
  return logits;
}

// ---- options and inputs ------------------------------------------------------

TEST(Sampler, RejectsBadOptions) {
  struct Row {
    SamplerOptions o;
    const char* message;
  };
  const std::vector<Row> table = {
      {{.temperature = -0.1f}, "temperature must be a finite number >= 0 (0 = greedy), got -0.1"},
      {{.temperature = NAN}, "temperature must be a finite number >= 0 (0 = greedy), got nan"},
      {{.temperature = INFINITY}, "temperature must be a finite number >= 0 (0 = greedy), got inf"},
      {{.top_p = 0.0f}, "top_p must be in (0, 1], got 0"},
      {{.top_p = -1.0f}, "top_p must be in (0, 1], got -1"},
      {{.top_p = 1.5f}, "top_p must be in (0, 1], got 1.5"},
      {{.top_p = NAN}, "top_p must be in (0, 1], got nan"},
      {{.top_k = -1}, "top_k must be >= 0 (0 = off), got -1"},
      {{.min_p = -0.5f}, "min_p must be in [0, 1] (0 = off), got -0.5"},
      {{.min_p = 1.5f}, "min_p must be in [0, 1] (0 = off), got 1.5"},
      {{.min_p = NAN}, "min_p must be in [0, 1] (0 = off), got nan"},
      {{.repetition_penalty = 0.0f}, "repetition_penalty must be a finite number > 0 (1 = off), got 0"},
      {{.repetition_penalty = NAN}, "repetition_penalty must be a finite number > 0 (1 = off), got nan"},
      {{.repetition_window = -2}, "repetition_window must be >= -1 (-1 = all, 0 = off), got -2"},
  };
  for (const Row& row : table) {
    auto s = Sampler::create(row.o);
    ASSERT_FALSE(s.ok()) << row.message;
    EXPECT_EQ(s.error(), Error::InvalidArgument);
    EXPECT_EQ(s.message(), row.message);
  }
  EXPECT_TRUE(Sampler::create({}).ok());
  EXPECT_TRUE(Sampler::create({.temperature = 0.0f, .top_p = 1.0f, .min_p = 1.0f}).ok());
}

TEST(Sampler, RejectsNonFiniteLogitsAndBadRecentTokens) {
  Sampler s = makeSampler({});
  Rng rng = Rng::forSequence(1, 0);
  struct Row {
    std::vector<float> logits;
    const char* message;
  };
  const std::vector<Row> table = {
      {{0.0f, NAN, 1.0f}, "logits[1] is nan (every logit must be finite)"},
      {{INFINITY, 1.0f}, "logits[0] is +inf (every logit must be finite)"},
      {{1.0f, 2.0f, -INFINITY}, "logits[2] is -inf (every logit must be finite)"},
      {{}, "logits are empty"},
  };
  for (const Row& row : table) {
    auto r = s.sample(row.logits, {}, rng);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::InvalidArgument);
    EXPECT_EQ(r.message(), row.message);
  }
  Sampler penalized = makeSampler({.repetition_penalty = 1.3f});
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f};
  const std::vector<int32_t> recent = {0, 3};
  auto r = penalized.sample(logits, recent, rng);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "recent token 3 is outside the vocabulary [0, 3)");
}

// ---- greedy --------------------------------------------------------------------

TEST(Sampler, GreedyIsArgmaxAndDrawsNoCoin) {
  Sampler s = makeSampler({.temperature = 0.0f, .top_p = 0.5f, .top_k = 3, .min_p = 0.2f});
  Rng rng = Rng::forSequence(5, 0), untouched = Rng::forSequence(5, 0);
  for (uint64_t v = 0; v < 50; ++v) {
    const auto logits = randomLogits(v, 1000 + v);
    EXPECT_EQ(*s.sample(logits, {}, rng), argmax(logits));
  }
  EXPECT_EQ(rng.nextU64(), untouched.nextU64());
}

TEST(Sampler, GreedyAfterRepetitionPenalty) {
  const std::vector<float> logits = {3.0f, 2.0f, -1.0f};
  Rng rng = Rng::forSequence(0, 0);
  const std::vector<int32_t> recent = {0, 0, 2};
  EXPECT_EQ(*makeSampler({.temperature = 0.0f}).sample(logits, recent, rng), 0);
  // 3 / 2 = 1.5 < 2: token 1 wins.
  EXPECT_EQ(*makeSampler({.temperature = 0.0f, .repetition_penalty = 2.0f}).sample(logits, recent, rng), 1);
  // Window 1 sees only token 2: token 0 keeps 3.
  EXPECT_EQ(*makeSampler({.temperature = 0.0f, .repetition_penalty = 2.0f, .repetition_window = 1})
                 .sample(logits, recent, rng), 0);
}

// ---- reproducibility -------------------------------------------------------------

std::vector<int32_t> generate(Sampler& s, Rng& rng, int steps) {
  std::vector<int32_t> tokens;
  for (int t = 0; t < steps; ++t) {
    const auto logits = randomLogits(100 + t, 4096, 1.5f);
    tokens.push_back(*s.sample(logits, tokens, rng));
  }
  return tokens;
}

TEST(Sampler, SameSeedSameTokens) {
  const SamplerOptions o{.temperature = 0.8f, .top_p = 0.95f, .repetition_penalty = 1.1f};
  Sampler a = makeSampler(o), b = makeSampler(o);
  Rng ra = Rng::forSequence(42, 0), rb = Rng::forSequence(42, 0), rc = Rng::forSequence(43, 0);
  const auto ta = generate(a, ra, 64);
  EXPECT_EQ(ta, generate(b, rb, 64));
  EXPECT_NE(ta, generate(b, rc, 64));
}

TEST(Sampler, SequenceDrawsDoNotDependOnBatchNeighbours) {
  Sampler s = makeSampler({.temperature = 1.0f, .top_p = 0.9f});
  // Sequence 2 alone.
  Rng alone = Rng::forSequence(7, 2);
  std::vector<int32_t> expected;
  for (int t = 0; t < 32; ++t) expected.push_back(*s.sample(randomLogits(t, 2048), {}, alone));
  // Sequence 2 inside a batch of 4, interleaved with the others.
  std::vector<Rng> rngs;
  for (uint64_t i = 0; i < 4; ++i) rngs.push_back(Rng::forSequence(7, i));
  std::vector<int32_t> batched;
  for (int t = 0; t < 32; ++t) {
    for (size_t i = 0; i < 4; ++i) {
      const int32_t tok = *s.sample(randomLogits(i == 2 ? t : 1000 * i + t, 2048), {}, rngs[i]);
      if (i == 2) batched.push_back(tok);
    }
  }
  EXPECT_EQ(batched, expected);
  // Different sequences get different streams.
  EXPECT_NE(Rng::forSequence(7, 0).nextU64(), Rng::forSequence(7, 1).nextU64());
  EXPECT_NE(Rng::forSequence(7, 0).nextU64(), Rng::forSequence(8, 0).nextU64());
}

TEST(Rng, FloatsAreInUnitInterval) {
  Rng rng = Rng::forSequence(0, 0);
  double sum = 0.0;
  for (int i = 0; i < 100000; ++i) {
    const float f = rng.nextFloat();
    ASSERT_GE(f, 0.0f);
    ASSERT_LT(f, 1.0f);
    sum += f;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 0.01);
}

// ---- the distribution of draws -------------------------------------------------

// Regularized upper incomplete gamma Q(a, x): the chi-squared survival
// function is Q(df / 2, stat / 2). Series for x < a + 1, else Lentz's
// continued fraction.
double upperGammaQ(double a, double x) {
  const double log_prefix = a * std::log(x) - x - std::lgamma(a);
  if (x < a + 1.0) {
    double term = 1.0 / a, sum = term;
    for (int n = 1; n < 1000; ++n) {
      term *= x / (a + n);
      sum += term;
      if (term < sum * 1e-15) break;
    }
    return 1.0 - sum * std::exp(log_prefix);
  }
  double b = x + 1.0 - a, c = 1e300, d = 1.0 / b, h = d;
  for (int i = 1; i < 1000; ++i) {
    const double an = -i * (i - a);
    b += 2.0;
    d = an * d + b;
    c = b + an / c;
    d = 1.0 / d;
    const double delta = d * c;
    h *= delta;
    if (std::fabs(delta - 1.0) < 1e-15) break;
  }
  return std::exp(log_prefix) * h;
}

// Draws `n` tokens and returns the chi-squared p-value against `expected`
// (probabilities by token id, summing to 1); fails on a token outside it.
double chiSquaredPValue(Sampler& s, const std::vector<float>& logits,
                        const std::vector<double>& expected, int n, uint64_t seed) {
  std::vector<int> counts(logits.size(), 0);
  Rng rng = Rng::forSequence(seed, 0);
  for (int i = 0; i < n; ++i) ++counts[static_cast<size_t>(*s.sample(logits, {}, rng))];
  double stat = 0.0;
  int cells = 0;
  for (size_t t = 0; t < logits.size(); ++t) {
    if (expected[t] == 0.0) {
      EXPECT_EQ(counts[t], 0) << "token " << t << " is outside the nucleus";
      continue;
    }
    const double e = expected[t] * n;
    stat += (counts[t] - e) * (counts[t] - e) / e;
    ++cells;
  }
  return upperGammaQ((cells - 1) / 2.0, stat / 2.0);
}

TEST(ChiSquared, SurvivalFunctionMatchesTables) {
  EXPECT_NEAR(upperGammaQ(4 / 2.0, 18.467 / 2.0), 0.001, 1e-5);  // df 4, 99.9%
  EXPECT_NEAR(upperGammaQ(8 / 2.0, 15.507 / 2.0), 0.05, 1e-4);   // df 8, 95%
  EXPECT_NEAR(upperGammaQ(1 / 2.0, 3.841 / 2.0), 0.05, 1e-4);    // df 1, 95%
}

// Draws follow the renormalized nucleus: probs by id
//   0.30 0.20 0.15 0.10 0.08 0.07 0.05 0.03 0.02
// cum - prob in order: 0 .30 .50 .65 .75 .83 ...; p = 0.8 keeps ids 0..4
// (mass 0.83). Fixed seed, 200000 draws; the test fails when the chi-squared
// p-value is below 0.001.
TEST(Sampler, TopPDrawsFollowTheRenormalizedNucleus) {
  const std::vector<double> probs = {0.30, 0.20, 0.15, 0.10, 0.08, 0.07, 0.05, 0.03, 0.02};
  std::vector<float> logits;
  for (double q : probs) logits.push_back(static_cast<float>(std::log(q)));
  std::vector<double> expected(probs.size(), 0.0);
  for (size_t t = 0; t < 5; ++t) expected[t] = probs[t] / 0.83;
  Sampler s = makeSampler({.temperature = 1.0f, .top_p = 0.8f});
  const double pvalue = chiSquaredPValue(s, logits, expected, 200000, 2024);
  EXPECT_GT(pvalue, 0.001) << "chi-squared p-value " << pvalue;
}

// Temperature without top-p: softmax(logits / 0.7) over all tokens.
TEST(Sampler, TemperatureDrawsFollowTheSoftmax) {
  const std::vector<float> logits = {1.0f, 0.5f, 0.0f, -0.5f, -1.0f, 2.0f, 0.25f};
  std::vector<double> expected;
  double sum = 0.0;
  for (float x : logits) sum += std::exp(x / 0.7);
  for (float x : logits) expected.push_back(std::exp(x / 0.7) / sum);
  Sampler s = makeSampler({.temperature = 0.7f, .top_p = 1.0f});
  const double pvalue = chiSquaredPValue(s, logits, expected, 200000, 99);
  EXPECT_GT(pvalue, 0.001) << "chi-squared p-value " << pvalue;
}

// Top-k 3 then min-p 0.5: probs 0.4 0.3 0.2 0.1 -> top-3 {0.4, 0.3, 0.2};
// min-p cut 0.5 * 0.4 = 0.2 keeps all three; renormalized 4/9 3/9 2/9.
TEST(Sampler, TopKAndMinPDraws) {
  const std::vector<double> probs = {0.1, 0.4, 0.2, 0.3};
  std::vector<float> logits;
  for (double q : probs) logits.push_back(static_cast<float>(std::log(q)));
  Sampler s = makeSampler({.temperature = 1.0f, .top_p = 1.0f, .top_k = 3, .min_p = 0.5f});
  const double pvalue = chiSquaredPValue(s, logits, {0.0, 4 / 9.0, 2 / 9.0, 3 / 9.0}, 100000, 5);
  EXPECT_GT(pvalue, 0.001) << "chi-squared p-value " << pvalue;
  // min-p 0.6: cut 0.24 drops 0.2.
  Sampler t = makeSampler({.temperature = 1.0f, .top_p = 1.0f, .top_k = 3, .min_p = 0.6f});
  EXPECT_GT(chiSquaredPValue(t, logits, {0.0, 4 / 7.0, 0.0, 3 / 7.0}, 100000, 6), 0.001);
}

// ---- logprobs ----------------------------------------------------------------------

TEST(Logprob, LogSoftmaxOfRawLogits) {
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f};
  const double lse = 3.0 + std::log(1.0 + std::exp(-1.0) + std::exp(-2.0));
  EXPECT_NEAR(*logprob(logits, 2), 3.0 - lse, 1e-6);
  EXPECT_NEAR(*logprob(logits, 0), 1.0 - lse, 1e-6);
  // Large logits do not overflow.
  const std::vector<float> big = {1000.0f, 1000.0f};
  EXPECT_NEAR(*logprob(big, 1), -std::log(2.0), 1e-6);
}

TEST(Logprob, RejectsBadInput) {
  const std::vector<float> logits = {1.0f, 2.0f, 3.0f};
  auto r = logprob(logits, 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::InvalidArgument);
  EXPECT_EQ(r.message(), "token 3 is outside the vocabulary [0, 3)");
  EXPECT_FALSE(logprob(logits, -1).ok());
  EXPECT_FALSE(logprob(std::vector<float>{1.0f, NAN}, 0).ok());
}

}  // namespace
}  // namespace lac::sampling
