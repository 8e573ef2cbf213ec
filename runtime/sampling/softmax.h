// Softmax with temperature, log-probabilities, and the logits check.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/core/result.h"

namespace lac::sampling {

// InvalidArgument unless `logits` is non-empty and every value is finite;
// the message names the first bad index ("logits[17] is nan").
VoidResult checkLogits(std::span<const float> logits);

// probs = softmax(logits / temperature), as Meta's generate: computed as
// exp((x - max) / T) / sum (sum in double), which stays finite for any T > 0.
// Preconditions: temperature > 0, probs.size() == logits.size(), finite logits.
void softmaxWithTemperature(std::span<const float> logits, float temperature,  // [vocab] f32
                            std::span<float> probs);                           // [vocab] f32

// log softmax(logits)[token] at temperature 1 on the raw logits: what Meta's
// generate reports as a token's logprob (-cross_entropy(logits, token)).
// InvalidArgument for non-finite logits or a token outside [0, vocab).
Result<float> logprob(std::span<const float> logits, int32_t token);  // [vocab] f32

// The `n` most likely tokens by those logprobs, most likely first (ties: the
// lower id first); fewer when the vocabulary is smaller. InvalidArgument for
// non-finite logits.
struct TokenLogprob {
  int32_t token = 0;
  float logprob = 0;
  friend bool operator==(const TokenLogprob&, const TokenLogprob&) = default;
};
Result<std::vector<TokenLogprob>> topLogprobs(std::span<const float> logits, size_t n);  // [vocab] f32

}  // namespace lac::sampling
