// Softmax with temperature, log-probabilities, and the logits check.
#pragma once

#include <cstdint>
#include <span>

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

}  // namespace lac::sampling
