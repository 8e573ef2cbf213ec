// The token sampler: penalties, temperature, top-k, top-p, min-p, the draw.
//
//   LAC_ASSIGN_OR_RETURN(Sampler s, Sampler::create({.temperature = 0.6f, .top_p = 0.9f}));
//   std::vector<Rng> rngs;  // one per sequence: Rng::forSequence(seed, i)
//   LAC_ASSIGN_OR_RETURN(int32_t tok, s.sample(logits_row, tokens_so_far, rngs[i]));
//
// Order of the steps (for a token's [vocab] logits):
//   1. repetition penalty on the logits (CTRL / llama.cpp), window = the last
//      `repetition_window` ids of `recent`;
//   2. temperature 0: argmax of the penalized logits (no random draw);
//   3. probs = softmax(logits / temperature);
//   4. top-k, renormalized (Hugging Face's order: top-k, then top-p, then min-p);
//   5. top-p by Meta's rule (top_p.h); top_p == 1 skips it (no sort at all);
//   6. min-p relative to the largest remaining prob;
//   7. one draw with rng.nextFloat() over the survivors, renormalized.
// With the defaults of top_k, min_p and the penalty this is Meta's generate.
//
// A Sampler keeps scratch buffers: one Sampler per thread. It is cheap to
// move; the per-sequence state lives in the Rng.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/core/result.h"
#include "runtime/sampling/rng.h"
#include "runtime/sampling/top_p.h"

namespace lac::sampling {

struct SamplerOptions {
  float temperature = 0.6f;         // >= 0; 0 = greedy argmax (Meta's default 0.6)
  float top_p = 0.9f;               // (0, 1]; 1 = off (Meta's default 0.9)
  int32_t top_k = 0;                // >= 0; 0 = off
  float min_p = 0.0f;               // [0, 1]; 0 = off
  float repetition_penalty = 1.0f;  // > 0; 1 = off
  int32_t repetition_window = 64;   // last n tokens penalized; -1 = all of `recent`, 0 = off
};

// InvalidArgument with a message naming the option and its value.
VoidResult validateSamplerOptions(const SamplerOptions& o);

// The sampler's share of any options struct with the same five fields
// (generate::GenerateOptions, serve::RequestOptions).
template <typename Options>
SamplerOptions samplerOptionsOf(const Options& o) {
  SamplerOptions so;
  so.temperature = o.temperature;
  so.top_p = o.top_p;
  so.top_k = o.top_k;
  so.min_p = o.min_p;
  so.repetition_penalty = o.repetition_penalty;
  return so;
}

class Sampler {
 public:
  static Result<Sampler> create(const SamplerOptions& options);

  const SamplerOptions& options() const { return opts_; }

  // The next token for one sequence. `logits`: its [vocab] f32 row, every
  // value finite. `recent`: the sequence's tokens so far (only the penalty
  // reads them; each in [0, vocab)). Draws exactly one coin from `rng` when
  // temperature > 0, none when greedy.
  Result<int32_t> sample(std::span<const float> logits, std::span<const int32_t> recent, Rng& rng);

 private:
  explicit Sampler(const SamplerOptions& o) : opts_(o) {}
  VoidResult penalize(std::span<const float> logits, std::span<const int32_t> recent);
  void filterCandidates();

  SamplerOptions opts_;
  std::vector<float> logits_;  // [vocab] penalized logits
  std::vector<float> probs_;   // [vocab] softmax(logits_ / T)
  std::vector<Candidate> cands_;
};

}  // namespace lac::sampling
