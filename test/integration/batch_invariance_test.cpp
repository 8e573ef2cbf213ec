// Batch invariance of the CPU engine's decode: a sequence's logits are
// bit-identical whether its decode step runs alone or as one row of a batch
// (any batch size, any row), for every weight format and layout lac-compile
// emits for the CPU. Artifacts: the tiny model compiled here in each format,
// and SmolLM2 Q4_1 when the ctest fixture compiled it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "runtime/core/test_temp.h"
#include "runtime/engine/cpu_engine.h"
#include "runtime/engine/reference_forward.h"
#include "test/integration/test_env.h"

namespace lac::engine {
namespace {

namespace fs = std::filesystem;
using integration::env;

// Prefills B sequences of different lengths, then decodes `steps` greedy
// tokens for all of them twice: on engine `one`, each sequence alone per
// step; on engine `all`, every running sequence in one call, rows rotated
// each step and sequences joining late (sequence i joins at step i), so a
// sequence sits at different rows beside different neighbours.
void checkInvariance(const std::string& lac, uint32_t batch, int steps, uint32_t min_prompt = 3) {
  auto one = integration::loadCpu(lac), all = integration::loadCpu(lac);
  ASSERT_TRUE(one && all);
  const uint32_t vocab = one->limits().vocab_size;
  ASSERT_LE(batch, one->limits().max_batch);
  std::vector<int32_t> next(batch);
  std::vector<uint32_t> pos(batch);
  for (uint32_t s = 0; s < batch; ++s) {
    std::vector<int32_t> prompt;
    for (uint32_t i = 0; i < min_prompt + 4 * s; ++i) prompt.push_back(int32_t((i * 911 + s * 37 + 17) % vocab));
    auto a = one->prefill(s, prompt, 0);
    auto b = all->prefill(s, prompt, 0);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(0, std::memcmp(a->data(), b->data(), vocab * sizeof(float))) << "prefill of sequence " << s;
    next[s] = testing::argmax(a->data(), int(vocab));
    pos[s] = uint32_t(prompt.size());
  }
  for (int step = 0; step < steps + int(batch); ++step) {
    // Running: the sequences that have joined, in rotated order.
    std::vector<uint32_t> rows;
    const uint32_t running = std::min<uint32_t>(batch, uint32_t(step) + 1);
    for (uint32_t r = 0; r < running; ++r) rows.push_back((r + uint32_t(step)) % running);
    std::vector<int32_t> toks;
    std::vector<uint32_t> ps;
    for (uint32_t s : rows) toks.push_back(next[s]), ps.push_back(pos[s]);
    auto b = all->decode(rows, toks, ps);
    ASSERT_TRUE(b.ok()) << b.message();
    const std::vector<float> batched(b->begin(), b->end());
    for (size_t r = 0; r < rows.size(); ++r) {
      const uint32_t s = rows[r];
      auto a = one->decode({&s, 1}, {&toks[r], 1}, {&ps[r], 1});
      ASSERT_TRUE(a.ok()) << a.message();
      ASSERT_EQ(0, std::memcmp(a->data(), batched.data() + r * vocab, vocab * sizeof(float)))
          << "sequence " << s << " at row " << r << " of " << rows.size() << ", step " << step;
      next[s] = testing::argmax(a->data(), int(vocab));
      ++pos[s];
    }
  }
}

TEST(BatchInvariance, TinyModelEveryCpuFormat) {
  const std::string tiny = env("LAC_TINY_MODELS");
  const std::string compiler = integration::compilerPath();
  if (tiny.empty() || !fs::exists(tiny + "/tiny.gguf")) GTEST_SKIP() << "no tiny model (fixture tiny_models)";
  if (!fs::exists(compiler)) GTEST_SKIP() << "no lac-compile at " << compiler;
  fs::path dir = lac::testing::tempPath("batch_invariance");
  fs::create_directories(dir);
  for (const char* format : {"f32", "f16", "bf16", "q8_0", "q4_0", "q4_1"}) {
    for (const char* layout : {"auto", "row_major"}) {
      SCOPED_TRACE(std::string(format) + " " + layout);
      const std::string lac = (dir / (std::string(format) + "_" + layout + ".lac")).string();
      const std::string cmd = "'" + compiler + "' '" + tiny + "/tiny.gguf' -o '" + lac + "' -q --weight-format " +
                              format + " --weight-layout " + layout + " --max-seq-len 64 --max-batch 7";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
      checkInvariance(lac, 7, 6);
    }
  }
}

TEST(BatchInvariance, SmolLM2) {
  const std::string lac = env("LAC_BINARY_DIR") + "/smollm2.lac";
  if (!fs::exists(lac)) GTEST_SKIP() << "no " << lac << " (ctest fixture tiny_artifacts with SmolLM2 fetched)";
  checkInvariance(lac, 4, 4);
  // Contexts that cross the decode attention's KV split (128 positions)
  // while the batch changes around them.
  checkInvariance(lac, 4, 6, 122);
}

}  // namespace
}  // namespace lac::engine
