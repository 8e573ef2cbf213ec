// generate() against FakeModel: Meta's semantics, checked by hand.
#include "runtime/generate/generate.h"

#include <gtest/gtest.h>

#include <cmath>

#include "runtime/generate/fake_model.h"
#include "runtime/sampling/filters.h"
#include "runtime/sampling/softmax.h"
#include "runtime/sampling/top_p.h"

namespace lac::generate {
namespace {

using testing::FakeModel;
using testing::fakeLogits;
using Tokens = std::vector<int32_t>;

GenerateOptions greedy(uint32_t max_gen_len) {
  GenerateOptions o;
  o.temperature = 0;
  o.max_gen_len = max_gen_len;
  return o;
}

// log_softmax(fakeLogits(last, pos))[tok], in double, by hand.
double handLogprob(uint32_t vocab, int32_t last, uint32_t pos, int32_t tok) {
  auto l = fakeLogits(vocab, last, pos, 4.0f);
  double m = l[0];
  for (float x : l) m = std::max<double>(m, x);
  double sum = 0;
  for (float x : l) sum += std::exp(double(x) - m);
  return double(l[tok]) - m - std::log(sum);
}

TEST(Generate, GreedyCountsUp) {
  FakeModel m(16, 4, 64);
  auto r = generate(m, {{1, 2, 3}}, greedy(4));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->sequences[0].tokens, (Tokens{4, 5, 6, 7}));
  EXPECT_EQ(r->sequences[0].finish, FinishReason::Length);
  EXPECT_EQ(r->sequences[0].generated, 4u);
  EXPECT_TRUE(r->sequences[0].logprobs.empty());
}

TEST(Generate, PrefillOncePerSequenceThenBatchedDecode) {
  FakeModel m(16, 4, 64);
  auto r = generate(m, {{1, 2, 3, 4, 5}, {7}, {2, 3}}, greedy(3));
  ASSERT_TRUE(r.ok()) << r.message();
  // three prefills, each the whole prompt at position 0, into slots 0, 1, 2
  ASSERT_GE(m.calls.size(), 3u);
  for (uint32_t i = 0; i < 3; ++i) {
    EXPECT_FALSE(m.calls[i].decode);
    EXPECT_EQ(m.calls[i].slots, std::vector<uint32_t>{i});
    EXPECT_EQ(m.calls[i].positions, std::vector<uint32_t>{0});
  }
  EXPECT_EQ(m.calls[0].tokens, (Tokens{1, 2, 3, 4, 5}));
  // then decode steps with all three, at each one's own position
  ASSERT_EQ(m.calls.size(), 5u);
  EXPECT_TRUE(m.calls[3].decode);
  EXPECT_EQ(m.calls[3].slots, (std::vector<uint32_t>{0, 1, 2}));
  EXPECT_EQ(m.calls[3].positions, (std::vector<uint32_t>{5, 1, 2}));
  EXPECT_EQ(r->sequences[0].tokens, (Tokens{6, 7, 8}));
  EXPECT_EQ(r->sequences[1].tokens, (Tokens{8, 9, 10}));
  EXPECT_EQ(r->sequences[2].tokens, (Tokens{4, 5, 6}));
  EXPECT_EQ(r->stats.prompt_tokens, 8u);
  EXPECT_EQ(r->stats.decode_steps, 2u);
}

TEST(Generate, StopTokenEndsEachSequenceOnItsOwn) {
  FakeModel m(16, 4, 64);
  GenerateOptions o = greedy(6);
  o.stop_ids = {9, 15};
  auto r = generate(m, {{5}, {1}, {8}}, o);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->sequences[0].tokens, (Tokens{6, 7, 8}));  // 9 stops it, not in the output
  EXPECT_EQ(r->sequences[0].finish, FinishReason::Stop);
  EXPECT_EQ(r->sequences[1].tokens, (Tokens{2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(r->sequences[1].finish, FinishReason::Length);
  EXPECT_TRUE(r->sequences[2].tokens.empty());  // its first token is a stop token
  EXPECT_EQ(r->sequences[2].finish, FinishReason::Stop);
  // a finished sequence leaves the decode batch
  for (const auto& c : m.calls) {
    if (c.decode) {
      EXPECT_EQ(std::count(c.slots.begin(), c.slots.end(), 2u), 0);
    }
  }
  EXPECT_EQ(m.calls.back().slots, std::vector<uint32_t>{1});
}

TEST(Generate, TotalLenIsMetas) {
  // total_len = min(max_seq_len 8, max_gen_len 10 + longest prompt 6) = 8
  FakeModel m(32, 2, 8);
  auto r = generate(m, {{1, 2, 3, 4, 5, 6}, {1, 2}}, greedy(10));
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->sequences[0].tokens.size(), 2u);
  EXPECT_EQ(r->sequences[1].tokens.size(), 6u);
  // max_gen_len 0 means max_seq_len - 1; the longest prompt still bounds it
  FakeModel m2(32, 1, 8);
  auto r2 = generate(m2, {{1, 2, 3}}, greedy(0));
  ASSERT_TRUE(r2.ok()) << r2.message();
  EXPECT_EQ(r2->sequences[0].tokens.size(), 5u);
  // a prompt of exactly max_seq_len tokens generates nothing
  FakeModel m3(32, 1, 4);
  auto r3 = generate(m3, {{1, 2, 3, 4}}, greedy(5));
  ASSERT_TRUE(r3.ok()) << r3.message();
  EXPECT_TRUE(r3->sequences[0].tokens.empty());
}

TEST(Generate, EchoReturnsPromptAndGeneration) {
  FakeModel m(16, 2, 64);
  GenerateOptions o = greedy(2);
  o.echo = true;
  auto r = generate(m, {{3, 4}, {9}}, o);
  ASSERT_TRUE(r.ok()) << r.message();
  EXPECT_EQ(r->sequences[0].tokens, (Tokens{3, 4, 5, 6}));
  EXPECT_EQ(r->sequences[1].tokens, (Tokens{9, 10, 11}));
  EXPECT_EQ(r->sequences[0].prompt_len, 2u);
}

TEST(Generate, LogprobsMatchHandComputation) {
  FakeModel m(16, 1, 64);
  GenerateOptions o = greedy(3);
  o.logprobs = true;
  auto r = generate(m, {{2, 7}}, o);
  ASSERT_TRUE(r.ok()) << r.message();
  const auto& s = r->sequences[0];
  ASSERT_EQ(s.tokens, (Tokens{8, 9, 10}));
  ASSERT_EQ(s.logprobs.size(), 3u);
  EXPECT_NEAR(s.logprobs[0], handLogprob(16, 7, 1, 8), 1e-5);
  EXPECT_NEAR(s.logprobs[1], handLogprob(16, 8, 2, 9), 1e-5);
  EXPECT_NEAR(s.logprobs[2], handLogprob(16, 9, 3, 10), 1e-5);
}

TEST(Generate, LogprobsAreOfRawLogitsWhateverTheTemperature) {
  FakeModel m(16, 1, 64);
  GenerateOptions o;
  o.temperature = 2.0f;
  o.top_p = 1.0f;
  o.max_gen_len = 5;
  o.logprobs = true;
  o.seed = 7;
  auto r = generate(m, {{4}}, o);
  ASSERT_TRUE(r.ok()) << r.message();
  const auto& s = r->sequences[0];
  int32_t last = 4;
  for (size_t i = 0; i < s.tokens.size(); ++i) {
    EXPECT_NEAR(s.logprobs[i], handLogprob(16, last, uint32_t(i), s.tokens[i]), 1e-5) << i;
    last = s.tokens[i];
  }
}

TEST(Generate, EchoLogprobsCoverThePromptTokenByToken) {
  FakeModel m(16, 1, 64);
  GenerateOptions o = greedy(2);
  o.echo = true;
  o.logprobs = true;
  auto r = generate(m, {{3, 11, 5}}, o);
  ASSERT_TRUE(r.ok()) << r.message();
  const auto& s = r->sequences[0];
  ASSERT_EQ(s.tokens, (Tokens{3, 11, 5, 6, 7}));
  ASSERT_EQ(s.logprobs.size(), 5u);
  EXPECT_EQ(s.logprobs[0], 0.0f);  // position 0 has no logprob (Meta reports 0)
  EXPECT_NEAR(s.logprobs[1], handLogprob(16, 3, 0, 11), 1e-5);
  EXPECT_NEAR(s.logprobs[2], handLogprob(16, 11, 1, 5), 1e-5);
  EXPECT_NEAR(s.logprobs[3], handLogprob(16, 5, 2, 6), 1e-5);
  EXPECT_NEAR(s.logprobs[4], handLogprob(16, 6, 3, 7), 1e-5);
  // the prompt went in one token per call
  ASSERT_GE(m.calls.size(), 3u);
  for (uint32_t p = 0; p < 3; ++p) {
    EXPECT_FALSE(m.calls[p].decode);
    EXPECT_EQ(m.calls[p].tokens.size(), 1u);
    EXPECT_EQ(m.calls[p].positions, std::vector<uint32_t>{p});
  }
}

TEST(Generate, StreamsEveryOutputTokenButNotTheStop) {
  FakeModel m(16, 2, 64);
  GenerateOptions o = greedy(5);
  o.stop_ids = {9};
  std::vector<std::pair<size_t, int32_t>> seen;
  auto r = generate(m, {{6}, {1}}, o, [&](const TokenEvent& e) { seen.emplace_back(e.sequence, e.token); });
  ASSERT_TRUE(r.ok()) << r.message();
  Tokens s0, s1;
  for (auto [seq, t] : seen) (seq == 0 ? s0 : s1).push_back(t);
  EXPECT_EQ(s0, r->sequences[0].tokens);
  EXPECT_EQ(s1, r->sequences[1].tokens);
}

GenerateOptions sampled(uint64_t seed) {
  GenerateOptions o;
  o.temperature = 3.0f;
  o.top_p = 0.95f;
  o.max_gen_len = 24;
  o.seed = seed;
  return o;
}

TEST(Generate, SameSeedSameTokens) {
  FakeModel a(16, 2, 64), b(16, 2, 64), c(16, 2, 64);
  auto ra = generate(a, {{1, 2}, {3}}, sampled(42));
  auto rb = generate(b, {{1, 2}, {3}}, sampled(42));
  auto rc = generate(c, {{1, 2}, {3}}, sampled(43));
  ASSERT_TRUE(ra.ok() && rb.ok() && rc.ok());
  EXPECT_EQ(ra->sequences[0].tokens, rb->sequences[0].tokens);
  EXPECT_EQ(ra->sequences[1].tokens, rb->sequences[1].tokens);
  EXPECT_NE(ra->sequences[0].tokens, rc->sequences[0].tokens);
  // not greedy: the draw really picks other tokens than argmax
  EXPECT_NE(ra->sequences[0].tokens, generate(c, {{1, 2}}, greedy(24))->sequences[0].tokens);
}

// FakeModel that samples "on its device" (engine::Model::decodeSampled) the
// way the CUDA sampler does: argmax, or top-p with the uniform passed in.
class DeviceSamplingFake : public FakeModel {
 public:
  using FakeModel::FakeModel;
  bool samplesOnDevice() const override { return true; }
  Result<std::span<const int32_t>> decodeSampled(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                 std::span<const uint32_t> positions,
                                                 const engine::DeviceSampling& ds,
                                                 std::span<const float> uniforms) override {
    LAC_ASSIGN_OR_RETURN(std::span<const float> logits, decode(slots, tokens, positions));
    const size_t v = limits().vocab_size;
    next_.clear();
    for (size_t r = 0; r < slots.size(); ++r) {
      const auto row = logits.subspan(r * v, v);
      if (ds.temperature == 0.0f) {
        next_.push_back(sampling::argmax(row));
        continue;
      }
      std::vector<float> probs(v);
      sampling::softmaxWithTemperature(row, ds.temperature, probs);
      std::vector<sampling::Candidate> scratch;
      LAC_ASSIGN_OR_RETURN(int32_t t, sampling::sampleTopP(probs, ds.top_p, uniforms[r], scratch));
      next_.push_back(t);
    }
    ++sampled_steps;
    return std::span<const int32_t>(next_);
  }
  int sampled_steps = 0;

 private:
  std::vector<int32_t> next_;
};

TEST(Generate, DeviceSamplingDrawsTheHostSamplersTokens) {
  for (const GenerateOptions& o : {greedy(24), sampled(42)}) {
    FakeModel host(16, 2, 64);
    DeviceSamplingFake dev(16, 2, 64);
    auto a = generate(host, {{1, 2}, {3}}, o);
    auto b = generate(dev, {{1, 2}, {3}}, o);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_GT(dev.sampled_steps, 0);
    EXPECT_EQ(a->sequences[0].tokens, b->sequences[0].tokens);
    EXPECT_EQ(a->sequences[1].tokens, b->sequences[1].tokens);
  }
}

TEST(Generate, LogprobsOrPenaltiesSampleOnTheHost) {
  GenerateOptions lp = sampled(7), pen = sampled(7);
  lp.logprobs = true;
  pen.repetition_penalty = 1.3f;
  for (const GenerateOptions& o : {lp, pen}) {
    DeviceSamplingFake dev(16, 1, 64);
    ASSERT_TRUE(generate(dev, {{1, 2}}, o).ok());
    EXPECT_EQ(dev.sampled_steps, 0);
  }
}

TEST(Generate, TopLogprobsPerGeneratedToken) {
  FakeModel m(16, 1, 64);
  GenerateOptions o = greedy(5);
  o.top_logprobs = 3;
  auto r = generate(m, {{1, 2}}, o);
  ASSERT_TRUE(r.ok()) << r.message();
  const SequenceOutput& s = r->sequences[0];
  ASSERT_EQ(s.top_logprobs.size(), s.tokens.size());
  for (size_t k = 0; k < s.tokens.size(); ++k) {
    ASSERT_EQ(s.top_logprobs[k].size(), 3u);
    EXPECT_EQ(s.top_logprobs[k][0].token, s.tokens[k]);  // greedy: the most likely
    EXPECT_GE(s.top_logprobs[k][0].logprob, s.top_logprobs[k][1].logprob);
  }
  o.top_logprobs = 21;
  EXPECT_EQ(generate(m, {{1}}, o).status().kind, Error::InvalidArgument);
}

TEST(Generate, ASequenceDoesNotDependOnItsNeighbours) {
  FakeModel a(16, 3, 64), b(16, 3, 64), c(16, 3, 64);
  GenerateOptions o = sampled(5);
  o.stop_ids = {0};
  auto alone = generate(a, {{1, 2}}, o);
  auto with1 = generate(b, {{1, 2}, {7, 7, 7, 7}}, o);
  auto with2 = generate(c, {{1, 2}, {3}, {9, 8}}, o);
  ASSERT_TRUE(alone.ok() && with1.ok() && with2.ok());
  EXPECT_EQ(alone->sequences[0].tokens, with1->sequences[0].tokens);
  EXPECT_EQ(alone->sequences[0].tokens, with2->sequences[0].tokens);
}

TEST(Generate, CancelStopsBeforeTheNextModelCall) {
  FakeModel m(16, 2, 64);
  std::atomic<bool> cancel{false};
  GenerateOptions o = greedy(20);
  o.cancel = &cancel;
  size_t seen = 0;
  auto r = generate(m, {{1}, {2}}, o, [&](const TokenEvent&) {
    if (++seen == 3) cancel = true;
  });
  EXPECT_EQ(r.error(), Error::Cancelled);
  EXPECT_EQ(seen, 4u);  // the step that set it finishes: both sequences' tokens of that step
  // a set flag runs nothing
  const size_t calls = m.calls.size();
  EXPECT_EQ(generate(m, {{1}}, o).error(), Error::Cancelled);
  EXPECT_EQ(m.calls.size(), calls);
}

TEST(Generate, Errors) {
  FakeModel m(16, 2, 8);
  auto big = generate(m, {{1}, {2}, {3}}, greedy(2));
  EXPECT_EQ(big.error(), Error::InvalidArgument);
  EXPECT_NE(big.message().find("batch of 3"), std::string::npos) << big.message();
  EXPECT_NE(big.message().find("max batch 2"), std::string::npos) << big.message();

  auto longp = generate(m, {{1}, {1, 2, 3, 4, 5, 6, 7, 8, 9}}, greedy(2));
  EXPECT_EQ(longp.error(), Error::InvalidArgument);
  EXPECT_NE(longp.message().find("prompt 1 has 9 tokens"), std::string::npos) << longp.message();
  EXPECT_NE(longp.message().find("max sequence length 8"), std::string::npos) << longp.message();

  EXPECT_EQ(generate(m, {}, greedy(2)).error(), Error::InvalidArgument);
  EXPECT_EQ(generate(m, {{}}, greedy(2)).error(), Error::InvalidArgument);
  auto vocab = generate(m, {{1, 16}}, greedy(2));
  EXPECT_EQ(vocab.error(), Error::InvalidArgument);
  EXPECT_NE(vocab.message().find("prompt 0 token 1"), std::string::npos) << vocab.message();
  GenerateOptions bad = greedy(2);
  bad.stop_ids = {-1};
  EXPECT_EQ(generate(m, {{1}}, bad).error(), Error::InvalidArgument);

  GenerateOptions o;
  o.top_p = 0;
  EXPECT_EQ(generate(m, {{1}}, o).error(), Error::InvalidArgument);
  o.top_p = 1.5f;
  EXPECT_EQ(generate(m, {{1}}, o).error(), Error::InvalidArgument);
  o = GenerateOptions();
  o.temperature = -1;
  EXPECT_EQ(generate(m, {{1}}, o).error(), Error::InvalidArgument);
  EXPECT_TRUE(m.calls.empty());  // every check comes before the model runs
}

}  // namespace
}  // namespace lac::generate
