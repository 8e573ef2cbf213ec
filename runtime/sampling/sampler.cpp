#include "runtime/sampling/sampler.h"

#include <cmath>

#include "runtime/sampling/filters.h"
#include "runtime/sampling/softmax.h"

namespace lac::sampling {

// ---- options -------------------------------------------------------------------

VoidResult validateSamplerOptions(const SamplerOptions& o) {
  LAC_CHECK_OR_RETURN(std::isfinite(o.temperature) && o.temperature >= 0.0f, Error::InvalidArgument,
                      "temperature must be a finite number >= 0 (0 = greedy), got %g",
                      static_cast<double>(o.temperature));
  LAC_CHECK_OR_RETURN(o.top_p > 0.0f && o.top_p <= 1.0f, Error::InvalidArgument,
                      "top_p must be in (0, 1], got %g", static_cast<double>(o.top_p));
  LAC_CHECK_OR_RETURN(o.top_k >= 0, Error::InvalidArgument,
                      "top_k must be >= 0 (0 = off), got %d", o.top_k);
  LAC_CHECK_OR_RETURN(o.min_p >= 0.0f && o.min_p <= 1.0f, Error::InvalidArgument,
                      "min_p must be in [0, 1] (0 = off), got %g", static_cast<double>(o.min_p));
  LAC_CHECK_OR_RETURN(std::isfinite(o.repetition_penalty) && o.repetition_penalty > 0.0f,
                      Error::InvalidArgument,
                      "repetition_penalty must be a finite number > 0 (1 = off), got %g",
                      static_cast<double>(o.repetition_penalty));
  LAC_CHECK_OR_RETURN(o.repetition_window >= -1, Error::InvalidArgument,
                      "repetition_window must be >= -1 (-1 = all, 0 = off), got %d",
                      o.repetition_window);
  return {};
}

Result<Sampler> Sampler::create(const SamplerOptions& options) {
  LAC_RETURN_IF_ERROR(validateSamplerOptions(options));
  return Sampler(options);
}

// ---- sampling --------------------------------------------------------------------

VoidResult Sampler::penalize(std::span<const float> logits, std::span<const int32_t> recent) {
  logits_.assign(logits.begin(), logits.end());
  if (opts_.repetition_penalty == 1.0f || opts_.repetition_window == 0) return {};
  size_t n = recent.size();
  if (opts_.repetition_window > 0) n = std::min(n, static_cast<size_t>(opts_.repetition_window));
  const auto window = recent.last(n);
  for (size_t i = 0; i < window.size(); ++i) {
    LAC_CHECK_OR_RETURN(window[i] >= 0 && static_cast<size_t>(window[i]) < logits.size(),
                        Error::InvalidArgument,
                        "recent token %d is outside the vocabulary [0, %zu)", window[i],
                        logits.size());
  }
  applyRepetitionPenalty(logits_, window, opts_.repetition_penalty);
  return {};
}

// probs_ -> cands_: top-k, top-p, min-p (see the header for the order).
void Sampler::filterCandidates() {
  const size_t n = probs_.size();
  const bool top_k = opts_.top_k > 0 && static_cast<size_t>(opts_.top_k) < n;
  if (!top_k && opts_.top_p < 1.0f) {
    // The whole vocabulary: partial selection with the candidate cut.
    auto nucleus = topPNucleus(probs_, opts_.top_p, cands_);
    cands_.resize(nucleus.ok() ? nucleus->size() : 0);  // probs_ are valid: always ok
  } else {
    cands_.resize(n);
    for (size_t i = 0; i < n; ++i) cands_[i] = {static_cast<int32_t>(i), probs_[i]};
    if (top_k) keepTopK(cands_, opts_.top_k);
    if (opts_.top_p < 1.0f) cands_.resize(selectNucleus(cands_, opts_.top_p));
  }
  keepMinP(cands_, opts_.min_p);
}

Result<int32_t> Sampler::sample(std::span<const float> logits, std::span<const int32_t> recent,
                                Rng& rng) {
  LAC_RETURN_IF_ERROR(checkLogits(logits));
  LAC_RETURN_IF_ERROR(penalize(logits, recent));
  if (opts_.temperature == 0.0f) return argmax(logits_);

  probs_.resize(logits_.size());
  softmaxWithTemperature(logits_, opts_.temperature, probs_);
  filterCandidates();
  const float coin = rng.nextFloat();
  LAC_CHECK_OR_RETURN(!cands_.empty(), Error::Internal, "sampler: no candidate survived");
  return drawCandidate(cands_, coin);
}

}  // namespace lac::sampling
