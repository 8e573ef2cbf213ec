// Top-p (nucleus) selection and the multinomial draw, llama2.c style: the
// random number ("coin", uniform in [0, 1)) is an input, so tests pass it in.
//
// The rule is Meta's sample_top_p (llama3/llama/generation.py), exactly:
//   sort probs descending; cum = cumsum (float, in that order);
//   mask every token whose (cum - prob) > p; renormalize what is left; draw.
// The first token is always kept. The mask is monotone along the sorted order
// ((cum - prob) never decreases there), so the kept tokens are a prefix.
//
// Ties: where torch.sort leaves equal probabilities in an unspecified order,
// we sort by (prob descending, token id ascending). That order is total, so
// the partial selection below and a full sort give identical prefixes.
//
// Partial selection never sorts the whole vocabulary (topPNucleus):
//   1. histogram pass: the mass of the probabilities per bucket of their
//      float bits (exponent + 4 mantissa bits: 4096 buckets, 1/16 octave
//      each, monotone in the value); walking the buckets from the top, the
//      cut is the first non-empty bucket below a mass > p + 1e-3: its first
//      token is masked, so the nucleus ends among the tokens at or above it;
//   2. filter pass: the candidates at or above the cut;
//   3. selectNucleus on the candidates: nth_element brings the best chunk to
//      the front (first chunk sized from the histogram, so usually one round),
//      sorts only that chunk, extends the cumsum, stops at the first masked
//      token; otherwise grows the chunk 4x and continues.
// If float rounding ever leaves the nucleus unfinished among the candidates,
// it falls back to all tokens, so the result always equals the full sort's:
// the first k tokens in sampling order and their float cumsums are the same
// whichever way they were found.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/core/result.h"

namespace lac::sampling {

struct Candidate {
  int32_t id;
  float prob;
};

// The sampling order: prob descending, then id ascending.
inline bool comesBefore(const Candidate& a, const Candidate& b) {
  return a.prob > b.prob || (a.prob == b.prob && a.id < b.id);
}
// The same as a function object, which std::sort and nth_element inline
// (a function pointer they would call).
inline constexpr auto kComesBefore = [](const Candidate& a, const Candidate& b) {
  return comesBefore(a, b);
};

// Reorders `cands` so that its first m entries are the nucleus of Meta's rule
// (in sampling order) and returns m (>= 1 when cands is non-empty). `cands`
// holds probabilities that sum to 1 (or the caller accepts Meta's rule on
// what they sum to). Partial: sorts only what it must, in chunks starting
// with `first_chunk` entries.
size_t selectNucleus(std::vector<Candidate>& cands, float p, size_t first_chunk = 64);

// The same by sorting all of `cands` first: the reference.
size_t selectNucleusFullSort(std::vector<Candidate>& cands, float p);

// The nucleus of `probs` (a distribution over token ids 0..n-1), in sampling
// order, in `scratch`: partial selection with the histogram cut above.
// InvalidArgument for empty probs or p outside (0, 1].
Result<std::span<const Candidate>> topPNucleus(std::span<const float> probs, float p,  // [vocab]
                                               std::vector<Candidate>& scratch);
// The same by sorting the whole vocabulary (the reference).
Result<std::span<const Candidate>> topPNucleusFullSort(std::span<const float> probs, float p,
                                                       std::vector<Candidate>& scratch);

// Draws from `cands` renormalized: r = coin * (sum of probs); returns the
// first candidate (in the given order) whose running sum exceeds r, or the
// last one when rounding leaves r at the end. Precondition: cands non-empty.
int32_t drawCandidate(std::span<const Candidate> cands, float coin);

// Meta's sample_top_p with the coin passed in: topPNucleus, then drawCandidate.
Result<int32_t> sampleTopP(std::span<const float> probs, float p, float coin,  // [vocab]
                           std::vector<Candidate>& scratch);
Result<int32_t> sampleTopPFullSort(std::span<const float> probs, float p, float coin,
                                   std::vector<Candidate>& scratch);

}  // namespace lac::sampling
