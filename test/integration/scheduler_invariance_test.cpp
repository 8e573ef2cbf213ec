// Batch invariance through the scheduler (runtime/serve/scheduler.h) on real
// compiled models: 16 requests with different prompts, lengths, sampling
// options and arrival steps, run together with a small prefill chunk and
// prefix reuse, give exactly the tokens and logprobs each gives alone.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "runtime/core/test_temp.h"
#include "runtime/engine/cpu_engine.h"
#include "runtime/serve/scheduler.h"
#include "test/integration/test_env.h"

namespace lac::serve {
namespace {

namespace fs = std::filesystem;
using integration::env;

struct Output {
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
  std::vector<std::vector<sampling::TokenLogprob>> top;
  FinishReason finish = FinishReason::Length;
  uint32_t cached = 0;
};

struct Collector {
  std::map<uint64_t, Output> out;
  EventSink sink() {
    return [this](const Event& e) {
      Output& o = out[e.id];
      if (e.kind == Event::Kind::Token) {
        o.tokens.push_back(e.token);
        o.logprobs.push_back(e.logprob);
        o.top.push_back(e.top);
      } else {
        o.finish = e.finish;
        o.cached = e.stats.cached_tokens;
      }
    };
  }
};

// Request i: a shared "system prompt" for some, a prompt of its own length,
// and one of several sampling setups. Requests from `n` on (the second wave,
// one at a time) extend the prompt of the request before them, which has
// finished by then, so they reuse its slot's cached prefix.
Request makeRequest(int i, uint32_t vocab, int n) {
  if (i >= n) {
    Request r = makeRequest(i - 1, vocab, n);
    for (int k = 0; k < 9; ++k) r.prompt.push_back(int32_t((k * 313 + i) % vocab));
    r.options.seed += 77;
    return r;
  }
  Request r;
  if (i % 3 == 0)
    for (int k = 0; k < 40; ++k) r.prompt.push_back(int32_t((k * 131 + 7) % vocab));
  for (int k = 0; k < 3 + (i * 7) % 29; ++k) r.prompt.push_back(int32_t((k * 977 + i * 4099 + 11) % vocab));
  RequestOptions& o = r.options;
  o.max_tokens = 6 + uint32_t(i % 5) * 2;
  o.seed = 1000 + uint64_t(i);
  o.logprobs = i % 2 == 0;
  o.top_logprobs = i % 4 == 0 ? 3 : 0;
  switch (i % 5) {
    case 0: o.temperature = 0; break;
    case 1: o.temperature = 0.8f, o.top_p = 0.9f; break;
    case 2: o.temperature = 1.0f, o.top_k = 20, o.top_p = 1.0f; break;
    case 3: o.temperature = 0.7f, o.min_p = 0.05f, o.repetition_penalty = 1.1f; break;
    case 4: o.temperature = 1.2f, o.top_p = 0.5f; break;
  }
  return r;
}

void runUntilIdle(Scheduler& s) {
  for (int i = 0; i < 100000 && s.busy(); ++i) {
    VoidResult r = s.step();
    ASSERT_TRUE(r.ok()) << r.message();
  }
}

void checkScheduler(const std::string& lac, int n) {
  auto engine = integration::loadCpu(lac);
  ASSERT_TRUE(engine);
  const uint32_t vocab = engine->limits().vocab_size;
  ASSERT_GE(engine->limits().max_batch, 4u);

  // Alone: one request at a time, whole prompts in one chunk, no reuse.
  std::vector<Output> alone;
  {
    SchedulerOptions o;
    o.prefix_reuse = false;
    o.prefill_chunk = 4096;
    Scheduler s(*engine, nullptr, o);
    for (int i = 0; i < n + 4; ++i) {
      Collector c;
      auto id = s.submit(makeRequest(i, vocab, n), c.sink());
      ASSERT_TRUE(id.ok()) << id.message();
      runUntilIdle(s);
      alone.push_back(c.out[*id]);
      ASSERT_FALSE(alone.back().tokens.empty()) << "request " << i;
    }
  }
  // Together: chunks of 5 tokens, prefix reuse, a new request every other
  // step (more requests than slots: they queue and recycle slots), then a
  // second wave of 4, each extending the prompt just finished.
  SchedulerOptions o;
  o.prefill_chunk = 5;
  Scheduler s(*engine, nullptr, o);
  Collector c;
  std::vector<uint64_t> ids;
  for (int i = 0; i < n + 4; ++i) {
    if (i >= n) runUntilIdle(s);
    auto id = s.submit(makeRequest(i, vocab, n), c.sink());
    ASSERT_TRUE(id.ok()) << id.message();
    ids.push_back(*id);
    for (int k = 0; k < 2; ++k) ASSERT_TRUE(s.step().ok());
  }
  runUntilIdle(s);
  uint32_t reused = 0;
  for (int i = 0; i < n + 4; ++i) {
    const Output& got = c.out[ids[size_t(i)]];
    const Output& want = alone[size_t(i)];
    EXPECT_EQ(got.tokens, want.tokens) << "request " << i;
    EXPECT_EQ(got.logprobs, want.logprobs) << "request " << i;
    EXPECT_EQ(got.top, want.top) << "request " << i;
    EXPECT_EQ(got.finish, want.finish) << "request " << i;
    reused += got.cached;
  }
  EXPECT_GT(reused, 0u) << "no request reused a cached prefix";
  for (int i = n; i < n + 4; ++i)
    EXPECT_GT(c.out[ids[size_t(i)]].cached, 0u) << "request " << i << " extends a finished prompt";
}

std::string compile(const std::string& model, const std::string& name, int batch) {
  const std::string compiler = integration::compilerPath();
  if (!fs::exists(compiler) || !fs::exists(model)) return "";
  fs::path dir = lac::testing::tempPath("scheduler_invariance");
  fs::create_directories(dir);
  const std::string lac = (dir / name).string();
  const std::string cmd = "'" + compiler + "' '" + model + "' -o '" + lac + "' -q --max-seq-len 160 --max-batch " +
                          std::to_string(batch);
  EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
  return lac;
}

TEST(SchedulerInvariance, TinyModel) {
  const std::string lac = compile(env("LAC_TINY_MODELS") + "/tiny.gguf", "tiny.lac", 6);
  if (lac.empty()) GTEST_SKIP() << "no tiny model or lac-compile";
  checkScheduler(lac, 16);
}

TEST(SchedulerInvariance, SmolLM2) {
  const std::string lac = compile(integration::modelCache() + "/SmolLM2-135M-Instruct.Q4_1.gguf", "smollm2.lac", 4);
  if (lac.empty()) GTEST_SKIP() << "no SmolLM2 (scripts/fetch-model.sh) or lac-compile";
  checkScheduler(lac, 16);
}

}  // namespace
}  // namespace lac::serve
