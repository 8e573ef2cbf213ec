// The scheduler over the fake model (runtime/generate/fake_model.h): whose
// greedy continuation of token t is t + 1, so every test knows the tokens.
#include "runtime/serve/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

#include "runtime/generate/fake_model.h"
#include "runtime/generate/generate.h"
#include "runtime/sampling/softmax.h"

namespace lac::serve {
namespace {

using generate::testing::FakeModel;

struct Log {
  std::map<uint64_t, std::vector<int32_t>> tokens;
  std::map<uint64_t, std::vector<Event>> events;
  std::map<uint64_t, Event> finished;
  EventSink sink() {
    return [this](const Event& e) {
      events[e.id].push_back(e);
      if (e.kind == Event::Kind::Token) tokens[e.id].push_back(e.token);
      else finished[e.id] = e;
    };
  }
};

Request greedy(std::vector<int32_t> prompt, uint32_t max_tokens) {
  Request r;
  r.prompt = std::move(prompt);
  r.options.temperature = 0;
  r.options.max_tokens = max_tokens;
  return r;
}

void runAll(Scheduler& s, int max_steps = 1000) {
  for (int i = 0; i < max_steps && s.busy(); ++i) {
    VoidResult r = s.step();
    ASSERT_TRUE(r.ok()) << r.message();
  }
  ASSERT_FALSE(s.busy());
}

TEST(Scheduler, OneGreedyRequest) {
  FakeModel m(50, 2, 64);
  Scheduler s(m, nullptr);
  Log log;
  auto id = s.submit(greedy({1, 2, 3}, 5), log.sink());
  ASSERT_TRUE(id.ok()) << id.message();
  runAll(s);
  EXPECT_EQ(log.tokens[*id], (std::vector<int32_t>{4, 5, 6, 7, 8}));
  ASSERT_TRUE(log.finished.count(*id));
  const Event& f = log.finished[*id];
  EXPECT_EQ(f.finish, FinishReason::Length);
  EXPECT_EQ(f.stats.prompt_tokens, 3u);
  EXPECT_EQ(f.stats.generated_tokens, 5u);
  EXPECT_EQ(f.stats.cached_tokens, 0u);
  EXPECT_EQ(f.stats.prefill_chunks, 1u);
}

TEST(Scheduler, StopIdEndsTheRequestAndIsNotReported) {
  FakeModel m(50, 2, 64);
  Scheduler s(m, nullptr);
  Log log;
  Request r = greedy({10}, 20);
  r.options.stop_ids = {14};
  auto id = s.submit(r, log.sink());
  ASSERT_TRUE(id.ok());
  runAll(s);
  EXPECT_EQ(log.tokens[*id], (std::vector<int32_t>{11, 12, 13}));
  EXPECT_EQ(log.finished[*id].finish, FinishReason::Stop);
}

TEST(Scheduler, MaxSeqLenBoundsTheOutput) {
  FakeModel m(50, 1, 8);
  Scheduler s(m, nullptr);
  Log log;
  auto id = s.submit(greedy({1, 2, 3, 4, 5}, 0), log.sink());
  ASSERT_TRUE(id.ok());
  runAll(s);
  EXPECT_EQ(log.tokens[*id].size(), 3u);  // 8 - 5 (Meta's rule)
  EXPECT_EQ(log.finished[*id].finish, FinishReason::Length);
}

// Three requests on two slots: the third joins when a slot frees; every
// decode call has one row per running request and no row twice.
TEST(Scheduler, ContinuousBatchingRecyclesSlots) {
  FakeModel m(50, 2, 64);
  Scheduler s(m, nullptr);
  Log log;
  auto a = s.submit(greedy({1}, 4), log.sink());
  auto b = s.submit(greedy({20}, 6), log.sink());
  auto c = s.submit(greedy({30}, 3), log.sink());
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(s.queued(), 3u);
  ASSERT_TRUE(s.step().ok());
  EXPECT_EQ(s.running(), 2u);
  EXPECT_EQ(s.queued(), 1u);
  runAll(s);
  EXPECT_EQ(log.tokens[*a], (std::vector<int32_t>{2, 3, 4, 5}));
  EXPECT_EQ(log.tokens[*b], (std::vector<int32_t>{21, 22, 23, 24, 25, 26}));
  EXPECT_EQ(log.tokens[*c], (std::vector<int32_t>{31, 32, 33}));
  size_t max_rows = 0;
  bool c_overlapped_b = false;
  for (const auto& call : m.calls) {
    if (!call.decode) continue;
    max_rows = std::max(max_rows, call.slots.size());
    if (call.tokens.size() == 2 && std::count(call.tokens.begin(), call.tokens.end(), 31) +
                                           std::count(call.tokens.begin(), call.tokens.end(), 32) >
                                       0)
      c_overlapped_b = true;
  }
  EXPECT_EQ(max_rows, 2u);
  EXPECT_TRUE(c_overlapped_b) << "the third request should decode beside the second";
}

// A 10-token prompt in chunks of 4, while another request streams: the
// prefill calls are 4, 4, 2 tokens, and decode steps of the running request
// come between them.
TEST(Scheduler, ChunkedPrefillInterleavesWithDecode) {
  FakeModel m(50, 2, 64);
  SchedulerOptions o;
  o.prefill_chunk = 4;
  Scheduler s(m, nullptr, o);
  Log log;
  auto a = s.submit(greedy({1}, 8), log.sink());
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(s.step().ok());
  auto b = s.submit(greedy({3, 4, 5, 6, 7, 8, 9, 10, 11, 12}, 2), log.sink());
  ASSERT_TRUE(b.ok());
  runAll(s);
  std::vector<std::pair<size_t, uint32_t>> prefills;  // (tokens, start) of b
  std::vector<char> order;
  for (const auto& call : m.calls) {
    if (!call.decode && call.tokens.front() != 1) {
      prefills.emplace_back(call.tokens.size(), call.positions[0]);
      order.push_back('P');
    } else if (call.decode) {
      order.push_back('D');
    }
  }
  EXPECT_EQ(prefills, (std::vector<std::pair<size_t, uint32_t>>{{4, 0}, {4, 4}, {2, 8}}));
  EXPECT_EQ(std::string(order.begin(), order.begin() + 6), "DPDPDP");
  EXPECT_EQ(log.tokens[*b], (std::vector<int32_t>{13, 14}));
  EXPECT_EQ(log.finished[*b].stats.prefill_chunks, 3u);
}

// A finished request's prompt stays in its slot: a new prompt that extends
// it prefills only the new tokens; an identical prompt prefills its last.
TEST(Scheduler, PrefixReuse) {
  FakeModel m(50, 2, 1024);
  Scheduler s(m, nullptr);
  Log log;
  std::vector<int32_t> system(500);
  for (size_t i = 0; i < system.size(); ++i) system[i] = int32_t((i * 7) % 50);
  auto a = s.submit(greedy(system, 3), log.sink());
  ASSERT_TRUE(a.ok());
  runAll(s);
  std::vector<int32_t> longer = system;
  longer.insert(longer.end(), {5, 6, 7});
  m.calls.clear();
  auto b = s.submit(greedy(longer, 3), log.sink());
  ASSERT_TRUE(b.ok());
  runAll(s);
  EXPECT_EQ(log.finished[*b].stats.cached_tokens, 500u);
  ASSERT_FALSE(m.calls.empty());
  EXPECT_FALSE(m.calls[0].decode);
  EXPECT_EQ(m.calls[0].positions[0], 500u);
  EXPECT_EQ(m.calls[0].tokens, (std::vector<int32_t>{5, 6, 7}));
  EXPECT_EQ(log.tokens[*b], (std::vector<int32_t>{8, 9, 10}));
  // The same prompt again: all but its last token come from the cache.
  auto c = s.submit(greedy(longer, 1), log.sink());
  ASSERT_TRUE(c.ok());
  runAll(s);
  EXPECT_EQ(log.finished[*c].stats.cached_tokens, 502u);
  // Off: nothing is reused.
  SchedulerOptions off;
  off.prefix_reuse = false;
  Scheduler s2(m, nullptr, off);
  auto d = s2.submit(greedy(longer, 1), log.sink());
  ASSERT_TRUE(d.ok());
  runAll(s2);
  EXPECT_EQ(log.finished[*d].stats.cached_tokens, 0u);
}

TEST(Scheduler, CancelQueuedAndRunning) {
  FakeModel m(50, 1, 64);
  Scheduler s(m, nullptr);
  Log log;
  auto a = s.submit(greedy({1}, 30), log.sink());
  auto b = s.submit(greedy({2}, 30), log.sink());
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_TRUE(s.step().ok());
  ASSERT_TRUE(s.step().ok());
  s.cancel(*a);
  s.cancel(*b);
  s.cancel(12345);  // unknown: ignored
  runAll(s);
  EXPECT_EQ(log.finished[*a].finish, FinishReason::Cancelled);
  EXPECT_EQ(log.finished[*b].finish, FinishReason::Cancelled);
  // Step 1 prefilled a (token 1) and decoded it (token 2); step 2 decoded it.
  EXPECT_EQ(log.tokens[*a].size(), 3u);
  EXPECT_EQ(log.tokens.count(*b), 0u);
}

TEST(Scheduler, FullQueueIsBusy) {
  FakeModel m(50, 1, 64);
  SchedulerOptions o;
  o.max_queue = 2;
  Scheduler s(m, nullptr, o);
  Log log;
  ASSERT_TRUE(s.submit(greedy({1}, 1), log.sink()).ok());
  ASSERT_TRUE(s.submit(greedy({1}, 1), log.sink()).ok());
  auto third = s.submit(greedy({1}, 1), log.sink());
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error(), Error::Busy);
  EXPECT_NE(third.message().find("busy"), std::string::npos) << third.message();
  runAll(s);
  EXPECT_TRUE(s.submit(greedy({1}, 1), log.sink()).ok());
}

TEST(Scheduler, BadRequestsAreRefused) {
  FakeModel m(50, 1, 8);
  Scheduler s(m, nullptr);
  auto expectBad = [&](Request r, const char* needle) {
    auto id = s.submit(r, {});
    ASSERT_FALSE(id.ok()) << needle;
    EXPECT_EQ(id.error(), Error::InvalidArgument);
    EXPECT_NE(id.message().find(needle), std::string::npos) << id.message();
  };
  expectBad(greedy({}, 1), "empty");
  expectBad(greedy({1, 2, 3, 4, 5, 6, 7, 8}, 1), "max sequence length");
  expectBad(greedy({1, 50}, 1), "outside the vocabulary");
  Request r = greedy({1}, 1);
  r.options.top_p = 1.5f;
  expectBad(r, "top_p");
  r = greedy({1}, 1);
  r.options.top_logprobs = 21;
  expectBad(r, "top_logprobs");
  r = greedy({1}, 1);
  r.options.stop_strings = {"x"};
  expectBad(r, "tokenizer");
  r = greedy({1}, 1);
  r.options.stop_ids = {-1};
  expectBad(r, "stop token");
}

TEST(Scheduler, LogprobsAndAlternatives) {
  FakeModel m(50, 1, 64);
  Scheduler s(m, nullptr);
  Log log;
  Request r = greedy({7}, 3);
  r.options.logprobs = true;
  r.options.top_logprobs = 3;
  auto id = s.submit(r, log.sink());
  ASSERT_TRUE(id.ok());
  runAll(s);
  const auto& ev = log.events[*id];
  ASSERT_EQ(ev.size(), 4u);
  // The first token follows the prompt's last token 7 at position 0.
  const std::vector<float> logits = generate::testing::fakeLogits(50, 7, 0, 4.0f);
  auto want = sampling::logprob(logits, 8);
  ASSERT_TRUE(want.ok());
  EXPECT_EQ(ev[0].token, 8);
  EXPECT_EQ(ev[0].logprob, *want);
  ASSERT_EQ(ev[0].top.size(), 3u);
  EXPECT_EQ(ev[0].top[0].token, 8);
  EXPECT_EQ(ev[0].top[0].logprob, *want);
  EXPECT_GE(ev[0].top[1].logprob, ev[0].top[2].logprob);
}

// Seeded sampling: each request's tokens are its own, whatever runs beside it
// and whenever it joins.
TEST(Scheduler, SampledTokensDoNotDependOnNeighbours) {
  auto sampled = [](uint64_t seed) {
    Request r;
    r.prompt = {3, 1, 4};
    r.options.temperature = 1.0f;
    r.options.top_p = 0.95f;
    r.options.seed = seed;
    r.options.max_tokens = 12;
    return r;
  };
  std::vector<std::vector<int32_t>> alone;
  for (uint64_t seed : {1, 2, 3}) {
    FakeModel m(50, 1, 64, 0.5f);
    Scheduler s(m, nullptr);
    Log log;
    auto id = s.submit(sampled(seed), log.sink());
    ASSERT_TRUE(id.ok());
    runAll(s);
    alone.push_back(log.tokens[*id]);
  }
  FakeModel m(50, 3, 64, 0.5f);
  Scheduler s(m, nullptr);
  Log log;
  std::vector<uint64_t> ids;
  for (uint64_t seed : {1, 2, 3}) {
    auto id = s.submit(sampled(seed), log.sink());
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
    ASSERT_TRUE(s.step().ok());  // each joins a step later
  }
  runAll(s);
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(log.tokens[ids[i]], alone[i]) << "seed " << i + 1;
}

// generate() (Meta's semantics) and the scheduler agree: the same prompts,
// seed and options give the same tokens and logprobs, sequence i drawing
// from stream i.
TEST(Scheduler, EqualsGenerate) {
  const std::vector<std::vector<int32_t>> prompts = {{1, 2, 3}, {9}, {4, 4, 4, 4, 4}};
  generate::GenerateOptions g;
  g.max_gen_len = 10;
  g.temperature = 0.9f;
  g.top_p = 0.8f;
  g.seed = 42;
  g.logprobs = true;
  g.stop_ids = {17};
  FakeModel gm(50, 3, 64, 0.5f);
  auto want = generate::generate(gm, prompts, g);
  ASSERT_TRUE(want.ok()) << want.message();

  FakeModel sm(50, 3, 64, 0.5f);
  Scheduler s(sm, nullptr);
  Log log;
  std::vector<uint64_t> ids;
  for (size_t i = 0; i < prompts.size(); ++i) {
    Request r;
    r.prompt = prompts[i];
    r.options.temperature = g.temperature;
    r.options.top_p = g.top_p;
    r.options.seed = g.seed;
    r.options.stream = i;
    r.options.max_tokens = g.max_gen_len;
    r.options.logprobs = true;
    r.options.stop_ids = g.stop_ids;
    auto id = s.submit(r, log.sink());
    ASSERT_TRUE(id.ok());
    ids.push_back(*id);
  }
  runAll(s);
  for (size_t i = 0; i < prompts.size(); ++i) {
    const generate::SequenceOutput& w = want->sequences[i];
    EXPECT_EQ(log.tokens[ids[i]], w.tokens) << "sequence " << i;
    std::vector<float> lps;
    for (const Event& e : log.events[ids[i]])
      if (e.kind == Event::Kind::Token) lps.push_back(e.logprob);
    EXPECT_EQ(lps, w.logprobs) << "sequence " << i;
    EXPECT_EQ(log.finished[ids[i]].finish == FinishReason::Stop, w.finish == generate::FinishReason::Stop);
  }
}

// submit() and cancel() from several client threads while the engine thread
// steps: every request finishes exactly once, with its own greedy tokens
// (or Cancelled), and nothing is left running. (TSan runs this:
// scripts/sanitize.sh.)
TEST(Scheduler, ClientsOnOtherThreads) {
  FakeModel m(50, 4, 64);
  SchedulerOptions o;
  o.max_queue = 64;
  Scheduler s(m, nullptr, o);
  std::mutex mu;
  std::map<uint64_t, int32_t> first;  // id -> prompt token
  std::map<uint64_t, std::vector<int32_t>> got;
  std::map<uint64_t, int> finishes;
  std::map<uint64_t, FinishReason> why;
  std::atomic<int> done{0};
  const int kClients = 4, kEach = 8;
  auto sink = [&](const Event& e) {
    std::lock_guard<std::mutex> lock(mu);
    if (e.kind == Event::Kind::Token) got[e.id].push_back(e.token);
    else ++finishes[e.id], why[e.id] = e.finish, ++done;
  };
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c)
    clients.emplace_back([&, c] {
      for (int i = 0; i < kEach; ++i) {
        const int32_t t = int32_t(c * 10 + i);
        auto id = s.submit(greedy({t}, 5), sink);
        ASSERT_TRUE(id.ok()) << id.message();
        {
          std::lock_guard<std::mutex> lock(mu);
          first[*id] = t;
        }
        if (i % 3 == 2) s.cancel(*id);
        std::this_thread::yield();
      }
    });
  // The engine thread: step until every request has finished.
  for (int spins = 0; done.load() < kClients * kEach && spins < 1000000; ++spins) {
    VoidResult r = s.step();
    ASSERT_TRUE(r.ok()) << r.message();
    if (!s.busy()) std::this_thread::yield();
  }
  for (std::thread& t : clients) t.join();
  while (s.busy()) ASSERT_TRUE(s.step().ok());
  ASSERT_EQ(done.load(), kClients * kEach);
  EXPECT_EQ(s.running(), 0u);
  for (const auto& [id, t] : first) {
    EXPECT_EQ(finishes[id], 1) << "request " << id;
    if (why[id] == FinishReason::Cancelled) continue;
    EXPECT_EQ(got[id], (std::vector<int32_t>{t + 1, t + 2, t + 3, t + 4, t + 5})) << "request " << id;
  }
}

}  // namespace
}  // namespace lac::serve
