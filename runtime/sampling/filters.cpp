#include "runtime/sampling/filters.h"

#include <algorithm>

namespace lac::sampling {

int32_t argmax(std::span<const float> logits) {
  size_t best = 0;
  for (size_t i = 1; i < logits.size(); ++i) {
    if (logits[i] > logits[best]) best = i;
  }
  return static_cast<int32_t>(best);
}

void applyRepetitionPenalty(std::span<float> logits, std::span<const int32_t> window,
                            float penalty) {
  std::vector<int32_t> distinct(window.begin(), window.end());
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  for (int32_t id : distinct) {
    float& x = logits[static_cast<size_t>(id)];
    x = x > 0.0f ? x / penalty : x * penalty;
  }
}

void keepTopK(std::vector<Candidate>& cands, int32_t k) {
  if (k <= 0 || static_cast<size_t>(k) >= cands.size()) return;
  std::nth_element(cands.begin(), cands.begin() + k, cands.end(), kComesBefore);
  cands.resize(static_cast<size_t>(k));
  std::sort(cands.begin(), cands.end(), kComesBefore);
  double sum = 0.0;
  for (const Candidate& c : cands) sum += c.prob;
  for (Candidate& c : cands) c.prob = static_cast<float>(c.prob / sum);
}

void keepMinP(std::vector<Candidate>& cands, float min_p) {
  if (min_p <= 0.0f || cands.empty()) return;
  float max_prob = 0.0f;
  for (const Candidate& c : cands) max_prob = std::max(max_prob, c.prob);
  const float cut = min_p * max_prob;
  std::erase_if(cands, [cut](const Candidate& c) { return c.prob < cut; });
}

}  // namespace lac::sampling
