// Top-p: Meta's rule on hand-computed tables, and partial selection ==
// the full-sort reference on random distributions.
#include "runtime/sampling/top_p.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <random>

#include "runtime/sampling/softmax.h"

namespace lac::sampling {
namespace {

std::vector<int32_t> ids(std::span<const Candidate> cands) {
  std::vector<int32_t> out;
  for (const Candidate& c : cands) out.push_back(c.id);
  return out;
}

// ---- the rule, by hand --------------------------------------------------------

// Dyadic probabilities, so every cumsum is exact in float:
//   sorted   0.5   0.25  0.125  0.0625(id 0)  0.0625(id 3)
//   cum      0.5   0.75  0.875  0.9375       1.0
//   cum-prob 0     0.5   0.75   0.875        0.9375      masked where > p
const std::vector<float> kDyadic = {0.0625f, 0.25f, 0.5f, 0.0625f, 0.125f};

TEST(TopP, SurvivorsTable) {
  struct Row {
    float p;
    std::vector<int32_t> kept;
  };
  const std::vector<Row> table = {
      {0.01f, {2}},
      {0.4f, {2}},
      {0.5f, {2, 1}},  // 0.5 > 0.5 is false: kept (strict >, as Meta)
      {0.6f, {2, 1}},
      {0.75f, {2, 1, 4}},
      {0.8f, {2, 1, 4}},
      {0.9f, {2, 1, 4, 0}},  // tie 0.0625: id 0 before id 3
      {0.9375f, {2, 1, 4, 0, 3}},
      {1.0f, {2, 1, 4, 0, 3}},
  };
  std::vector<Candidate> scratch;
  for (const Row& row : table) {
    auto partial = topPNucleus(kDyadic, row.p, scratch);
    ASSERT_TRUE(partial.ok()) << partial.message();
    EXPECT_EQ(ids(*partial), row.kept) << "p=" << row.p;
    auto full = topPNucleusFullSort(kDyadic, row.p, scratch);
    ASSERT_TRUE(full.ok());
    EXPECT_EQ(ids(*full), row.kept) << "p=" << row.p << " (full sort)";
  }
}

TEST(TopP, DrawWithGivenCoin) {
  // p = 0.5 keeps {2: 0.5, 1: 0.25}; renormalized {2/3, 1/3}.
  std::vector<Candidate> scratch;
  EXPECT_EQ(*sampleTopP(kDyadic, 0.5f, 0.0f, scratch), 2);
  EXPECT_EQ(*sampleTopP(kDyadic, 0.5f, 0.66f, scratch), 2);
  EXPECT_EQ(*sampleTopP(kDyadic, 0.5f, 0.67f, scratch), 1);
  EXPECT_EQ(*sampleTopP(kDyadic, 0.5f, 0.9999f, scratch), 1);
  // p = 1 keeps all five: cdf 0.5 0.75 0.875 0.9375 1.
  EXPECT_EQ(*sampleTopP(kDyadic, 1.0f, 0.80f, scratch), 4);
  EXPECT_EQ(*sampleTopP(kDyadic, 1.0f, 0.90f, scratch), 0);
  EXPECT_EQ(*sampleTopP(kDyadic, 1.0f, 0.95f, scratch), 3);
}

TEST(TopP, UniformDistribution) {
  const std::vector<float> uniform(1000, 0.001f);
  std::vector<Candidate> scratch;
  auto nucleus = topPNucleus(uniform, 0.0001f, scratch);
  ASSERT_TRUE(nucleus.ok());
  EXPECT_EQ(ids(*nucleus), std::vector<int32_t>{0});
  nucleus = topPNucleus(uniform, 0.0025f, scratch);  // cum - prob: 0, 0.001, 0.002 <= p
  EXPECT_EQ(ids(*nucleus), (std::vector<int32_t>{0, 1, 2}));
}

TEST(TopP, FloatCumsumThatStallsFallsBackToAllTokens) {
  // 0.5, then 60000 x 2.5e-8 (each below half an ulp of 0.5, so the float
  // cumsum stays at 0.5 and (cum - prob) <= 0.5: never masked), then 10 x 1e-9
  // below the histogram cut. The double mass above the cut exceeds p + 1e-3,
  // yet in float the nucleus runs past the candidates: the fallback must
  // rescan every token and keep them all, as the full sort does.
  std::vector<float> probs = {0.5f};
  probs.insert(probs.end(), 60000, 2.5e-8f);
  probs.insert(probs.end(), 10, 1e-9f);
  std::vector<Candidate> a, b;
  auto partial = topPNucleus(probs, 0.5f, a);
  auto full = topPNucleusFullSort(probs, 0.5f, b);
  ASSERT_TRUE(partial.ok() && full.ok());
  EXPECT_EQ(partial->size(), probs.size());
  EXPECT_EQ(ids(*partial), ids(*full));
}

TEST(TopP, RejectsBadArguments) {
  std::vector<Candidate> scratch;
  for (float p : {0.0f, -0.5f, 1.5f, NAN}) {
    auto r = sampleTopP(kDyadic, p, 0.5f, scratch);
    ASSERT_FALSE(r.ok()) << p;
    EXPECT_EQ(r.error(), Error::InvalidArgument);
    EXPECT_NE(r.message().find("top_p must be in (0, 1]"), std::string::npos) << r.message();
  }
  EXPECT_FALSE(sampleTopP({}, 0.9f, 0.5f, scratch).ok());
  const std::vector<float> bad = {0.5f, NAN, 0.5f};
  auto r = sampleTopP(bad, 0.9f, 0.5f, scratch);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message(), "top-p: probs[1] = nan is not a probability");
}

// ---- partial selection == full sort ---------------------------------------------

// Logits of several shapes: flat (scale 0.5) to peaked (scale 12), and
// quantized ones with many exact ties.
std::vector<float> randomLogits(std::mt19937_64& gen, size_t vocab, int shape) {
  std::normal_distribution<float> normal(0.0f, 1.0f);
  static const float kScales[] = {0.5f, 1.0f, 2.0f, 4.0f, 8.0f, 12.0f};
  const float scale = kScales[shape % 6];
  std::vector<float> logits(vocab);
  for (float& x : logits) x = scale * normal(gen);
  if (shape % 7 == 3) {
    for (float& x : logits) x = std::round(x * 2.0f) / 2.0f;  // ties
  }
  return logits;
}

// Meta's rule restated on a fully sorted list: the test's own reference.
size_t referenceNucleusSize(const std::vector<Candidate>& sorted, float p) {
  float cum = 0.0f;
  for (size_t i = 0; i < sorted.size(); ++i) {
    cum += sorted[i].prob;
    if (cum - sorted[i].prob > p) return i;
  }
  return sorted.size();
}

// For each vector: sort the whole vocabulary once, then for each p compare
// the partial selection with the reference prefix (ids, probs, and draws).
void expectPartialEqualsFullSort(size_t vocab, int vectors) {
  const float kPs[] = {0.05f, 0.5f, 0.8f, 0.9f, 0.95f, 0.99f, 1.0f};
  std::mt19937_64 gen(1234 + vocab);
  std::vector<float> probs(vocab);
  std::vector<Candidate> scratch, sorted;
  std::vector<uint64_t> keys;
  for (int v = 0; v < vectors; ++v) {
    const auto logits = randomLogits(gen, vocab, v);
    softmaxWithTemperature(logits, 1.0f, probs);
    // Full sort by a 64-bit key: ~float bits (descending; probs are >= 0, so
    // the bits order like the values) above the id (ascending on ties).
    keys.clear();
    for (size_t i = 0; i < vocab; ++i) {
      keys.push_back(uint64_t{~std::bit_cast<uint32_t>(probs[i])} << 32 | i);
    }
    std::sort(keys.begin(), keys.end());
    sorted.clear();
    for (uint64_t key : keys) {
      const auto id = static_cast<int32_t>(key & 0xffffffffu);
      sorted.push_back({id, probs[static_cast<size_t>(id)]});
    }
    for (int k = 0; k < 3; ++k) {  // three of the p values per vector, in rotation
      const float p = kPs[(v + 2 * k) % 7];
      const auto full = std::span<const Candidate>(sorted).first(referenceNucleusSize(sorted, p));
      auto partial = topPNucleus(probs, p, scratch);
      ASSERT_TRUE(partial.ok());
      ASSERT_EQ(partial->size(), full.size()) << "vector " << v << " p=" << p;
      for (size_t i = 0; i < full.size(); ++i) {
        ASSERT_EQ((*partial)[i].id, full[i].id) << "vector " << v << " p=" << p << " rank " << i;
        ASSERT_EQ((*partial)[i].prob, full[i].prob);
      }
      for (float coin : {0.0f, 0.3f, 0.77f, 0.999999f}) {
        ASSERT_EQ(drawCandidate(*partial, coin), drawCandidate(full, coin));
      }
    }
    if (v < 10) {  // the library's own full-sort path agrees too
      std::vector<Candidate> a, b;
      for (float p : kPs) {
        ASSERT_EQ(ids(*topPNucleus(probs, p, a)), ids(*topPNucleusFullSort(probs, p, b)));
      }
    }
  }
}

// 1000 vectors in all, 500 per vocabulary size, three p values each.
TEST(TopP, PartialEqualsFullSortVocab49152) { expectPartialEqualsFullSort(49152, 500); }
TEST(TopP, PartialEqualsFullSortVocab128256) { expectPartialEqualsFullSort(128256, 500); }

TEST(TopP, SelectNucleusOnCandidateListsEqualsFullSort) {
  // Small lists with heavy ties, so the chunked nth_element path crosses chunk
  // borders inside runs of equal probabilities.
  std::mt19937_64 gen(7);
  std::uniform_int_distribution<int> level(1, 5);
  for (int v = 0; v < 200; ++v) {
    std::vector<Candidate> cands(50 + v * 7);
    double sum = 0.0;
    for (size_t i = 0; i < cands.size(); ++i) {
      cands[i] = {static_cast<int32_t>(i), static_cast<float>(level(gen))};
      sum += cands[i].prob;
    }
    for (Candidate& c : cands) c.prob = static_cast<float>(c.prob / sum);
    for (float p : {0.1f, 0.5f, 0.9f, 1.0f}) {
      auto a = cands, b = cands;
      const size_t ma = selectNucleus(a, p), mb = selectNucleusFullSort(b, p);
      ASSERT_EQ(ma, mb);
      ASSERT_EQ(ids(std::span(a).first(ma)), ids(std::span(b).first(mb)));
    }
  }
}

}  // namespace
}  // namespace lac::sampling
