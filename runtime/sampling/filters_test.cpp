// Greedy argmax, repetition penalty, top-k and min-p on hand-computed tables.
#include "runtime/sampling/filters.h"

#include <gtest/gtest.h>

namespace lac::sampling {
namespace {

std::vector<Candidate> candidates(const std::vector<float>& probs) {
  std::vector<Candidate> out;
  for (size_t i = 0; i < probs.size(); ++i) out.push_back({static_cast<int32_t>(i), probs[i]});
  return out;
}

std::vector<int32_t> ids(const std::vector<Candidate>& cands) {
  std::vector<int32_t> out;
  for (const Candidate& c : cands) out.push_back(c.id);
  return out;
}

// probs by id; sampling order 2, 1, 4, 0, 3 (0 and 3 tie).
const std::vector<float> kProbs = {0.0625f, 0.25f, 0.5f, 0.0625f, 0.125f};

TEST(Argmax, FirstOfTies) {
  EXPECT_EQ(argmax(std::vector<float>{1.0f, 3.0f, 3.0f, 2.0f}), 1);
  EXPECT_EQ(argmax(std::vector<float>{-5.0f}), 0);
  EXPECT_EQ(argmax(std::vector<float>{-5.0f, -4.0f, -4.5f}), 1);
}

TEST(RepetitionPenalty, Table) {
  struct Row {
    float penalty;
    std::vector<float> expected;
  };
  // window {0, 1, 1, 2}: tokens 0, 1, 2 penalized once each; 3 and 4 untouched.
  const std::vector<Row> table = {
      {2.0f, {1.0f, -2.0f, 0.0f, 4.0f, 1.0f}},   // positive /2, negative *2, zero stays
      {0.5f, {4.0f, -0.5f, 0.0f, 4.0f, 1.0f}},   // < 1 rewards repeats
      {1.0f, {2.0f, -1.0f, 0.0f, 4.0f, 1.0f}},   // off
  };
  const std::vector<int32_t> window = {0, 1, 1, 2};
  for (const Row& row : table) {
    std::vector<float> logits = {2.0f, -1.0f, 0.0f, 4.0f, 1.0f};
    applyRepetitionPenalty(logits, window, row.penalty);
    EXPECT_EQ(logits, row.expected) << "penalty " << row.penalty;
  }
}

TEST(TopK, Table) {
  struct Row {
    int32_t k;
    std::vector<int32_t> kept;
  };
  const std::vector<Row> table = {
      {1, {2}}, {2, {2, 1}}, {4, {2, 1, 4, 0}},  // tie: id 0 before id 3
      {0, {0, 1, 2, 3, 4}},                      // off: untouched
      {5, {0, 1, 2, 3, 4}}, {9, {0, 1, 2, 3, 4}},
  };
  for (const Row& row : table) {
    auto cands = candidates(kProbs);
    keepTopK(cands, row.k);
    EXPECT_EQ(ids(cands), row.kept) << "k=" << row.k;
  }
  auto cands = candidates(kProbs);
  keepTopK(cands, 2);  // renormalized: 0.5 / 0.75, 0.25 / 0.75
  EXPECT_FLOAT_EQ(cands[0].prob, 2.0f / 3.0f);
  EXPECT_FLOAT_EQ(cands[1].prob, 1.0f / 3.0f);
}

TEST(MinP, Table) {
  struct Row {
    float min_p;
    std::vector<int32_t> kept;  // in the given order
  };
  const std::vector<Row> table = {
      {0.0f, {0, 1, 2, 3, 4}},
      {0.125f, {0, 1, 2, 3, 4}},  // cut 0.0625: ties at the cut stay
      {0.25f, {1, 2, 4}},         // cut 0.125
      {0.3f, {1, 2}},             // cut 0.15
      {1.0f, {2}},                // only the largest
  };
  for (const Row& row : table) {
    auto cands = candidates(kProbs);
    keepMinP(cands, row.min_p);
    EXPECT_EQ(ids(cands), row.kept) << "min_p=" << row.min_p;
  }
}

}  // namespace
}  // namespace lac::sampling
