#include "runtime/sampling/top_p.h"

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>

namespace lac::sampling {

namespace {

// Continues Meta's scan over cands[from, to) (already in sampling order) with
// the running float cumsum `cum`. Returns the index of the first masked token
// ((cum - prob) > p), or `to` when all of them are kept.
size_t scanNucleus(const std::vector<Candidate>& cands, size_t from, size_t to, float p,
                   float& cum) {
  for (size_t i = from; i < to; ++i) {
    cum += cands[i].prob;
    if (cum - cands[i].prob > p) return i;
  }
  return to;
}

VoidResult checkTopPArgs(size_t n, float p) {
  LAC_CHECK_OR_RETURN(n > 0, Error::InvalidArgument, "top-p: the distribution is empty");
  LAC_CHECK_OR_RETURN(p > 0.0f && p <= 1.0f, Error::InvalidArgument,
                      "top_p must be in (0, 1], got %g", static_cast<double>(p));
  return {};
}

// A probability must be in [+0, 1] (NaN would break the sort's ordering).
inline bool isProb(float q) { return std::bit_cast<uint32_t>(q) <= std::bit_cast<uint32_t>(1.0f); }

Status notAProb(std::span<const float> probs, size_t i) {
  return makeError(Error::InvalidArgument,
                   formatMessage("top-p: probs[%zu] = %g is not a probability", i,
                                 static_cast<double>(probs[i])));
}

// ---- the histogram cut ------------------------------------------------------------

constexpr int kBucketShift = 19;                       // keep exponent + 4 mantissa bits
constexpr size_t kBuckets = size_t{1} << (31 - kBucketShift);
constexpr double kCutMargin = 1e-3;                    // room for float cumsum rounding
constexpr size_t kSmallVocab = 4096;                   // below this, no histogram

inline uint32_t bucketOf(float q) { return std::bit_cast<uint32_t>(q) >> kBucketShift; }

struct Cut {
  uint32_t bucket = 0;     // candidates: bucketOf(prob) >= bucket
  size_t first_chunk = 1;  // tokens in the buckets down to where the mass crosses p, + 1
};

// One pass over probs (all in [0, 1]): see the header, step 1.
Cut histogramCut(std::span<const float> probs, float p) {
  std::array<double, kBuckets> mass{};
  std::array<uint32_t, kBuckets> count{};
  for (float q : probs) {
    const uint32_t b = bucketOf(q);
    mass[b] += q;
    ++count[b];
  }
  Cut cut;
  double above = 0.0;  // mass of the buckets above b
  size_t tokens = 0;   // tokens in the buckets at or above b
  bool crossed = false;
  for (size_t b = kBuckets; b-- > 0;) {
    // The first token of a non-empty bucket b below a mass > p + margin is
    // masked (its cum - prob is that mass): cut there, bucket b included.
    if (above > p + kCutMargin && count[b] > 0) {
      cut.bucket = static_cast<uint32_t>(b);
      return cut;
    }
    above += mass[b];
    tokens += count[b];
    if (!crossed && above > p) {
      crossed = true;
      cut.first_chunk = tokens + 1;
    }
  }
  cut.bucket = 0;  // p too close to the total mass: every token is a candidate
  if (!crossed) cut.first_chunk = tokens;
  return cut;
}

}  // namespace

// ---- nucleus on a candidate list --------------------------------------------

size_t selectNucleus(std::vector<Candidate>& cands, float p, size_t first_chunk) {
  const size_t n = cands.size();
  size_t sorted = 0;  // cands[0, sorted) is in final sampling order
  size_t chunk = std::max<size_t>(first_chunk, 1);
  float cum = 0.0f;
  while (sorted < n) {
    const size_t end = std::min(n, sorted + chunk);
    // Bring the `end - sorted` best of cands[sorted, n) to the front, then sort them.
    if (end < n) std::nth_element(cands.begin() + sorted, cands.begin() + end, cands.end(), kComesBefore);
    std::sort(cands.begin() + sorted, cands.begin() + end, kComesBefore);
    const size_t masked = scanNucleus(cands, sorted, end, p, cum);
    if (masked < end) return std::max<size_t>(masked, 1);
    sorted = end;
    chunk *= 4;
  }
  return n;
}

size_t selectNucleusFullSort(std::vector<Candidate>& cands, float p) {
  std::sort(cands.begin(), cands.end(), kComesBefore);
  float cum = 0.0f;
  const size_t masked = scanNucleus(cands, 0, cands.size(), p, cum);
  return cands.empty() ? 0 : std::max<size_t>(masked, 1);
}

// ---- nucleus of a full distribution -----------------------------------------

Result<std::span<const Candidate>> topPNucleus(std::span<const float> probs, float p,
                                               std::vector<Candidate>& scratch) {
  LAC_RETURN_IF_ERROR(checkTopPArgs(probs.size(), p));
  const size_t n = probs.size();
  // Every value in [+0, 1] <=> its bits, as unsigned, are <= those of 1.0f
  // (negatives have the sign bit, NaNs a larger exponent); vectorizes.
  uint32_t max_bits = 0;
  for (float q : probs) max_bits = std::max(max_bits, std::bit_cast<uint32_t>(q));
  if (max_bits > std::bit_cast<uint32_t>(1.0f)) {
    for (size_t i = 0; i < n; ++i) {
      if (!isProb(probs[i])) return notAProb(probs, i);
    }
  }
  // Small distributions skip the histogram: zeroing it would cost more.
  const Cut cut = n > kSmallVocab ? histogramCut(probs, p) : Cut{0, 64};
  const uint32_t min_bits = cut.bucket << kBucketShift;  // bucketOf(q) >= cut.bucket
  scratch.clear();
  for (size_t i = 0; i < n; ++i) {
    if (std::bit_cast<uint32_t>(probs[i]) >= min_bits) scratch.push_back({static_cast<int32_t>(i), probs[i]});
  }
  size_t m = scratch.empty() ? 0 : selectNucleus(scratch, p, cut.first_chunk);
  // The nucleus must end on a masked candidate (m < size) unless every token
  // is a candidate; otherwise tokens below the cut might still be kept.
  if (m == scratch.size() && scratch.size() < n) {
    scratch.clear();
    for (size_t i = 0; i < n; ++i) scratch.push_back({static_cast<int32_t>(i), probs[i]});
    m = selectNucleus(scratch, p, cut.first_chunk);
  }
  return std::span<const Candidate>(scratch.data(), m);
}

Result<std::span<const Candidate>> topPNucleusFullSort(std::span<const float> probs, float p,
                                                       std::vector<Candidate>& scratch) {
  LAC_RETURN_IF_ERROR(checkTopPArgs(probs.size(), p));
  scratch.clear();
  for (size_t i = 0; i < probs.size(); ++i) {
    if (!isProb(probs[i])) return notAProb(probs, i);
    scratch.push_back({static_cast<int32_t>(i), probs[i]});
  }
  const size_t m = selectNucleusFullSort(scratch, p);
  return std::span<const Candidate>(scratch.data(), m);
}

// ---- the draw ----------------------------------------------------------------

int32_t drawCandidate(std::span<const Candidate> cands, float coin) {
  double mass = 0.0;
  for (const Candidate& c : cands) mass += c.prob;
  const double r = static_cast<double>(coin) * mass;
  double cdf = 0.0;
  for (const Candidate& c : cands) {
    cdf += c.prob;
    if (r < cdf) return c.id;
  }
  return cands.back().id;
}

Result<int32_t> sampleTopP(std::span<const float> probs, float p, float coin,
                           std::vector<Candidate>& scratch) {
  LAC_ASSIGN_OR_RETURN(auto nucleus, topPNucleus(probs, p, scratch));
  return drawCandidate(nucleus, coin);
}

Result<int32_t> sampleTopPFullSort(std::span<const float> probs, float p, float coin,
                                   std::vector<Candidate>& scratch) {
  LAC_ASSIGN_OR_RETURN(auto nucleus, topPNucleusFullSort(probs, p, scratch));
  return drawCandidate(nucleus, coin);
}

}  // namespace lac::sampling
