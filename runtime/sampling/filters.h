// The sampler's building blocks besides top-p: greedy argmax, the repetition
// penalty, top-k and min-p. Each is a plain function so tests can table them.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/sampling/top_p.h"

namespace lac::sampling {

// The index of the largest logit; the first one on ties (as torch.argmax).
// Precondition: non-empty.
int32_t argmax(std::span<const float> logits);  // [vocab] f32

// CTRL / llama.cpp repetition penalty, in place: every distinct token of
// `window` gets its logit divided by `penalty` when positive, multiplied by it
// otherwise (a token repeated in the window is penalized once).
// Precondition: every id of window is in [0, logits.size()).
void applyRepetitionPenalty(std::span<float> logits,  // [vocab] f32
                            std::span<const int32_t> window, float penalty);

// Keeps the k candidates that come first in sampling order (prob descending,
// id ascending), in sampling order, and renormalizes their probs to sum to 1.
// No-op for k <= 0 or k >= size.
void keepTopK(std::vector<Candidate>& cands, int32_t k);

// Keeps the candidates with prob >= min_p * (largest prob), in their order.
// No-op for min_p <= 0. (The ratio does not change under renormalization.)
void keepMinP(std::vector<Candidate>& cands, float min_p);

}  // namespace lac::sampling
