// The scan and heap merge strategies agree, and match a naive reference.
#include <random>
#include <set>

#include <gtest/gtest.h>

#include "runtime/tokenizer/bpe.h"

namespace lac {
namespace {

// A random vocabulary over "abc": 256 byte tokens, then tokens made by
// joining two existing ones (ranked in creation order, like BPE training).
struct RandomVocab {
  std::vector<std::string> tokens;
  std::vector<std::array<uint32_t, 3>> merges;  // left, right, result (rank = index)
};

RandomVocab randomVocab(std::mt19937& rng, int n_merges) {
  RandomVocab v;
  for (int b = 0; b < 256; ++b) v.tokens.push_back(std::string(1, static_cast<char>(b)));
  std::vector<uint32_t> pool = {'a', 'b', 'c'};
  std::set<std::pair<uint32_t, uint32_t>> seen;
  while (static_cast<int>(v.merges.size()) < n_merges) {
    const uint32_t l = pool[rng() % pool.size()], r = pool[rng() % pool.size()];
    if (!seen.insert({l, r}).second || v.tokens[l].size() + v.tokens[r].size() > 12) continue;
    const auto id = static_cast<uint32_t>(v.tokens.size());
    v.tokens.push_back(v.tokens[l] + v.tokens[r]);
    v.merges.push_back({l, r, id});
    pool.push_back(id);
  }
  return v;
}

// Textbook BPE: repeatedly merge the leftmost lowest-ranked pair.
std::vector<uint32_t> naive(const RandomVocab& v, std::string_view s) {
  std::vector<uint32_t> ids(s.begin(), s.end());
  for (;;) {
    size_t best = SIZE_MAX, best_rank = SIZE_MAX;
    for (size_t i = 0; i + 1 < ids.size(); ++i)
      for (size_t r = 0; r < v.merges.size() && r < best_rank; ++r)
        if (v.merges[r][0] == ids[i] && v.merges[r][1] == ids[i + 1]) best = i, best_rank = r;
    if (best == SIZE_MAX) return ids;
    ids[best] = v.merges[best_rank][2];
    ids.erase(ids.begin() + static_cast<long>(best) + 1);
  }
}

TEST(BytePairEncoder, ScanHeapAndNaiveAgree) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 20; ++trial) {
    const RandomVocab v = randomVocab(rng, 40);
    PairTable pairs;
    for (size_t r = 0; r < v.merges.size(); ++r)
      pairs.insert(v.merges[r][0], v.merges[r][1], {static_cast<uint32_t>(r), v.merges[r][2]});
    std::array<uint32_t, 256> bytes;
    for (uint32_t b = 0; b < 256; ++b) bytes[b] = b;
    const BytePairEncoder bpe(bytes, pairs);
    for (int k = 0; k < 50; ++k) {
      std::string s(1 + rng() % BytePairEncoder::kScanLimit, 'a');
      for (char& c : s) c = static_cast<char>('a' + rng() % 3);
      std::vector<uint32_t> scan, heap;
      bpe.encodeByScan(s, scan);
      bpe.encodeByHeap(s, heap);
      EXPECT_EQ(scan, heap) << s;
      EXPECT_EQ(scan, naive(v, s)) << s;
    }
  }
}

TEST(BytePairEncoder, DropsBytesWithoutTokens) {
  PairTable pairs;
  pairs.insert('a', 'b', {0, 300});
  std::array<uint32_t, 256> bytes;
  for (uint32_t b = 0; b < 256; ++b) bytes[b] = b;
  bytes['x'] = kNoToken;
  const BytePairEncoder bpe(bytes, pairs);
  std::vector<uint32_t> out;
  bpe.encode("axb", out);  // as HF BPE: the dropped byte lets its neighbours merge
  EXPECT_EQ(out, (std::vector<uint32_t>{300}));
}

TEST(PairTable, GrowsAndKeepsLowestRank) {
  PairTable t;
  for (uint32_t i = 0; i < 10000; ++i) t.insert(i, i + 1, {i, i + 7});
  t.insert(5, 6, {1, 1});
  t.insert(5, 6, {3, 3});
  EXPECT_EQ(t.size(), 10000u);
  EXPECT_EQ(t.find(5, 6).rank, 1u);
  EXPECT_EQ(t.find(9999, 10000).result, 10006u);
  EXPECT_EQ(t.find(1, 1).rank, kNoToken);
}

}  // namespace
}  // namespace lac
