// Top-p over a vocabulary: partial selection (topPNucleus) vs sorting the
// whole vocabulary (topPNucleusFullSort), p = 0.9, on softmax(logits) where
// logits ~ N(0, scale^2): scale 1 is flat (a large nucleus), 4 peaked, 16 a
// few tokens.
// Also the whole Sampler step (softmax + top-p + draw) for context.
//
//   ninja -C build lac_sampling_bench && ./build/runtime/sampling/lac_sampling_bench
#include <benchmark/benchmark.h>

#include <random>

#include "runtime/sampling/sampler.h"
#include "runtime/sampling/softmax.h"
#include "runtime/sampling/top_p.h"

namespace lac::sampling {
namespace {

std::vector<float> logitsFor(size_t vocab, float scale) {
  std::mt19937_64 gen(vocab);
  std::normal_distribution<float> normal(0.0f, scale);
  std::vector<float> logits(vocab);
  for (float& x : logits) x = normal(gen);
  return logits;
}

std::vector<float> probsFor(size_t vocab, float scale) {
  const auto logits = logitsFor(vocab, scale);
  std::vector<float> probs(vocab);
  softmaxWithTemperature(logits, 1.0f, probs);
  return probs;
}

// Args: vocab, scale.
template <auto TopP>
void BM_TopP(benchmark::State& state) {
  const auto probs = probsFor(static_cast<size_t>(state.range(0)), static_cast<float>(state.range(1)));
  std::vector<Candidate> scratch;
  float coin = 0.0f;
  size_t nucleus = 0;
  for (auto _ : state) {
    auto r = TopP(probs, 0.9f, coin, scratch);
    benchmark::DoNotOptimize(r);
    coin = coin > 0.9f ? 0.0f : coin + 0.1f;
  }
  nucleus = topPNucleus(probs, 0.9f, scratch)->size();
  state.counters["nucleus"] = static_cast<double>(nucleus);
}

void BM_SamplerStep(benchmark::State& state) {
  const auto logits = logitsFor(static_cast<size_t>(state.range(0)), static_cast<float>(state.range(1)));
  Sampler s = std::move(Sampler::create({.temperature = 1.0f, .top_p = 0.9f})).value();
  Rng rng = Rng::forSequence(0, 0);
  for (auto _ : state) {
    auto r = s.sample(logits, {}, rng);
    benchmark::DoNotOptimize(r);
  }
}

void vocabArgs(benchmark::internal::Benchmark* b) {
  for (int64_t vocab : {49152, 128256}) {
    for (int64_t scale : {1, 4, 16}) b->Args({vocab, scale});
  }
  b->ArgNames({"vocab", "scale"})->Unit(benchmark::kMicrosecond);
}

BENCHMARK(BM_TopP<sampleTopP>)->Name("TopP/partial")->Apply(vocabArgs);
BENCHMARK(BM_TopP<sampleTopPFullSort>)->Name("TopP/full_sort")->Apply(vocabArgs);
BENCHMARK(BM_SamplerStep)->Name("Sampler/step")->Apply(vocabArgs);

}  // namespace
}  // namespace lac::sampling
