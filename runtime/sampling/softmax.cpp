#include "runtime/sampling/softmax.h"

#include <algorithm>
#include <cmath>

namespace lac::sampling {

VoidResult checkLogits(std::span<const float> logits) {
  LAC_CHECK_OR_RETURN(!logits.empty(), Error::InvalidArgument, "logits are empty");
  for (size_t i = 0; i < logits.size(); ++i) {
    LAC_CHECK_OR_RETURN(std::isfinite(logits[i]), Error::InvalidArgument,
                        "logits[%zu] is %s (every logit must be finite)", i,
                        std::isnan(logits[i]) ? "nan" : (logits[i] > 0 ? "+inf" : "-inf"));
  }
  return {};
}

void softmaxWithTemperature(std::span<const float> logits, float temperature,
                            std::span<float> probs) {
  // (x - max) / T rather than x / T - max(x / T): the same up to rounding, and
  // it cannot overflow to inf - inf = nan for a tiny temperature.
  const size_t n = logits.size();
  const float max_x = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (size_t i = 0; i < n; ++i) {
    probs[i] = std::exp((logits[i] - max_x) / temperature);
    sum += probs[i];
  }
  for (size_t i = 0; i < n; ++i) probs[i] = static_cast<float>(probs[i] / sum);
}

Result<float> logprob(std::span<const float> logits, int32_t token) {
  LAC_RETURN_IF_ERROR(checkLogits(logits));
  LAC_CHECK_OR_RETURN(token >= 0 && static_cast<size_t>(token) < logits.size(),
                      Error::InvalidArgument, "token %d is outside the vocabulary [0, %zu)",
                      token, logits.size());
  const float max_x = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float x : logits) sum += std::exp(static_cast<double>(x) - max_x);
  return static_cast<float>(static_cast<double>(logits[token]) - max_x - std::log(sum));
}

Result<std::vector<TokenLogprob>> topLogprobs(std::span<const float> logits, size_t n) {
  LAC_RETURN_IF_ERROR(checkLogits(logits));
  n = std::min(n, logits.size());
  std::vector<int32_t> ids(logits.size());
  for (size_t i = 0; i < ids.size(); ++i) ids[i] = static_cast<int32_t>(i);
  std::partial_sort(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(n), ids.end(), [&](int32_t a, int32_t b) {
    return logits[size_t(a)] > logits[size_t(b)] || (logits[size_t(a)] == logits[size_t(b)] && a < b);
  });
  const float max_x = *std::max_element(logits.begin(), logits.end());
  double sum = 0.0;
  for (float x : logits) sum += std::exp(static_cast<double>(x) - max_x);
  const double log_sum = std::log(sum);
  std::vector<TokenLogprob> out(n);
  for (size_t i = 0; i < n; ++i)
    out[i] = {ids[i], static_cast<float>(static_cast<double>(logits[size_t(ids[i])]) - max_x - log_sum)};
  return out;
}

}  // namespace lac::sampling
