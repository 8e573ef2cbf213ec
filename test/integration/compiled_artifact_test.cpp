// CpuEngine on artifacts compiled by lac-compile from the tiny test model,
// against the reference forward pass on the checkpoint's weights read with
// lac_import (dequantized to f32). Skips when the tiny model (ctest fixtures
// tiny_models / tiny_artifacts) or lac-compile is absent.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "compiler/import/reader.h"
#include "runtime/core/test_temp.h"
#include "runtime/engine/cpu_engine.h"
#include "runtime/engine/reference_forward.h"

namespace lac::engine {
namespace {

namespace fs = std::filesystem;
using testing::RefModel;
using testing::RefRunner;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}
std::string tinyDir() { return env("LAC_TINY_MODELS"); }

std::vector<float> toFloat(const import::ModelSpec& s, const std::string& name) {
  const import::TensorView* t = s.findTensor(name);
  EXPECT_NE(t, nullptr) << name;
  if (!t) return {};
  std::vector<float> v(t->numElements());
  VoidResult r = t->toFloat(v);
  EXPECT_TRUE(r.ok()) << r.message();
  return v;
}

RefModel refFromSpec(const import::ModelSpec& s) {
  const import::ModelConfig& c = s.config;
  RefModel m;
  m.dim = int(c.dim), m.n_layers = int(c.n_layers), m.n_heads = int(c.n_heads), m.n_kv_heads = int(c.n_kv_heads);
  m.head_dim = int(c.head_dim), m.ffn = int(c.ffn_dim), m.vocab = int(c.vocab_size);
  m.eps = c.norm_eps, m.rope_theta = c.rope_theta;
  if (c.rope_scaling) {
    m.rope_factor = c.rope_scaling->factor, m.rope_low = c.rope_scaling->low_freq_factor;
    m.rope_high = c.rope_scaling->high_freq_factor, m.rope_orig = float(c.rope_scaling->original_max_position);
  }
  m.tok_embeddings = toFloat(s, "tok_embeddings.weight");
  for (uint32_t l = 0; l < c.n_layers; ++l) {
    const std::string p = "layers." + std::to_string(l) + ".";
    testing::RefLayer L;
    L.attn_norm = toFloat(s, p + "attention_norm.weight");
    L.wq = toFloat(s, p + "attention.wq.weight");
    L.wk = toFloat(s, p + "attention.wk.weight");
    L.wv = toFloat(s, p + "attention.wv.weight");
    L.wo = toFloat(s, p + "attention.wo.weight");
    L.ffn_norm = toFloat(s, p + "ffn_norm.weight");
    L.w1 = toFloat(s, p + "feed_forward.w1.weight");
    L.w2 = toFloat(s, p + "feed_forward.w2.weight");
    L.w3 = toFloat(s, p + "feed_forward.w3.weight");
    m.layers.push_back(std::move(L));
  }
  m.norm = toFloat(s, "norm.weight");
  m.output = c.tied_embeddings ? m.tok_embeddings : toFloat(s, "output.weight");
  return m;
}

// Prefill a prompt and decode greedily, engine and reference side by side:
// each step's logits agree within `tol` (relative to the largest logit) and
// the continuations are equal.
void checkGreedy(const std::string& lac, const RefModel& m, float tol) {
  EngineOptions o;
  o.threads = 2;
  auto e = CpuEngine::load(lac, o);
  ASSERT_TRUE(e.ok()) << e.message();
  CpuEngine& engine = **e;
  ASSERT_EQ(engine.limits().vocab_size, uint32_t(m.vocab));
  std::vector<int32_t> prompt;
  for (int i = 0; i < 7; ++i) prompt.push_back(int32_t((i * 911 + 17) % m.vocab));
  RefRunner ref(m);
  std::vector<float> want;
  for (int32_t t : prompt) want = ref.step(t);
  auto got = engine.prefill(0, prompt, 0);
  ASSERT_TRUE(got.ok()) << got.message();
  std::vector<int32_t> seq_engine, seq_ref;
  uint32_t pos = uint32_t(prompt.size());
  for (int step = 0; step < 16; ++step) {
    float scale = 1, worst = 0;
    for (size_t i = 0; i < want.size(); ++i) {
      scale = std::max(scale, std::fabs(want[i]));
      worst = std::max(worst, std::fabs((*got)[i] - want[i]));
    }
    EXPECT_LE(worst, tol * scale) << "step " << step;
    const int32_t a = testing::argmax(got->data(), m.vocab), b = testing::argmax(want);
    seq_engine.push_back(a);
    seq_ref.push_back(b);
    want = ref.step(b);
    uint32_t slot = 0;
    got = engine.decode({&slot, 1}, {&a, 1}, {&pos, 1});
    ASSERT_TRUE(got.ok()) << got.message();
    ++pos;
  }
  EXPECT_EQ(seq_engine, seq_ref);
}

class CompiledTinyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    gguf_ = tinyDir() + "/tiny.gguf";
    if (tinyDir().empty() || !fs::exists(gguf_)) GTEST_SKIP() << "no tiny model at " << gguf_;
    auto spec = import::readModel(gguf_);
    ASSERT_TRUE(spec.ok()) << spec.message();
    model_ = refFromSpec(*spec);
  }
  std::string gguf_;
  RefModel model_;
};

// The ctest fixture's artifact (lac-compile's automatic weight formats).
TEST_F(CompiledTinyTest, FixtureArtifactGreedyMatchesReference) {
  const std::string lac = tinyDir() + "/tiny.lac";
  if (!fs::exists(lac)) GTEST_SKIP() << "no " << lac << " (ctest fixture tiny_artifacts)";
  checkGreedy(lac, model_, 2e-3f);
}

// Compiled here with f32 weights: the engine's arithmetic alone.
TEST_F(CompiledTinyTest, F32ArtifactMatchesReference) {
  std::string compiler = env("LAC_COMPILE");
  if (compiler.empty()) compiler = env("LAC_BINARY_DIR") + "/bin/lac-compile";
  if (!fs::exists(compiler)) GTEST_SKIP() << "no lac-compile at " << compiler;
  fs::path dir = lac::testing::tempPath("engine_compiled");
  fs::create_directories(dir);
  const std::string lac = (dir / "tiny_f32.lac").string();
  const std::string cmd = "'" + compiler + "' '" + gguf_ + "' -o '" + lac +
                          "' -q --weight-format f32 --kv-dtype f32 --max-seq-len 64 --max-batch 2";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  checkGreedy(lac, model_, 1e-4f);
}

// Greedy decoding on `lac` alone: the generated tokens and each step's logits.
struct GreedyRun {
  std::vector<int32_t> tokens;
  std::vector<std::vector<float>> logits;
};

GreedyRun runGreedy(const std::string& lac, int vocab, int steps) {
  GreedyRun r;
  EngineOptions o;
  o.threads = 2;
  auto e = CpuEngine::load(lac, o);
  EXPECT_TRUE(e.ok()) << e.message();
  if (!e.ok()) return r;
  std::vector<int32_t> prompt;
  for (int i = 0; i < 7; ++i) prompt.push_back(int32_t((i * 911 + 17) % vocab));
  auto got = (*e)->prefill(0, prompt, 0);
  uint32_t pos = uint32_t(prompt.size());
  for (int step = 0; step < steps && got.ok(); ++step) {
    r.logits.emplace_back(got->begin(), got->end());
    const int32_t a = testing::argmax(got->data(), vocab);
    r.tokens.push_back(a);
    uint32_t slot = 0;
    got = (*e)->decode({&slot, 1}, {&a, 1}, {&pos, 1});
    ++pos;
  }
  EXPECT_TRUE(got.ok()) << got.message();
  return r;
}

// The x8 weight layouts (lac-compile's default on cpu) against row_major for
// each quantized format: the same greedy tokens, logits equal up to f32
// summation order (and the int8 activation roundings that order can flip).
TEST_F(CompiledTinyTest, X8LayoutsMatchRowMajor) {
  std::string compiler = env("LAC_COMPILE");
  if (compiler.empty()) compiler = env("LAC_BINARY_DIR") + "/bin/lac-compile";
  if (!fs::exists(compiler)) GTEST_SKIP() << "no lac-compile at " << compiler;
  fs::path dir = lac::testing::tempPath("engine_compiled_x8");
  fs::create_directories(dir);
  for (const char* format : {"q8_0", "q4_0", "q4_1"}) {
    SCOPED_TRACE(format);
    GreedyRun runs[2];
    for (int k = 0; k < 2; ++k) {
      const char* layout = k == 0 ? "row_major" : "auto";
      const std::string lac = (dir / (std::string(format) + "_" + layout + ".lac")).string();
      const std::string cmd = "'" + compiler + "' '" + gguf_ + "' -o '" + lac + "' -q --weight-format " + format +
                              " --weight-layout " + layout + " --max-seq-len 64 --max-batch 2";
      ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
      runs[k] = runGreedy(lac, model_.vocab, 12);
    }
    ASSERT_EQ(runs[0].tokens.size(), 12u);
    EXPECT_EQ(runs[1].tokens, runs[0].tokens);
    for (size_t step = 0; step < runs[0].logits.size() && step < runs[1].logits.size(); ++step) {
      const std::vector<float>&a = runs[0].logits[step], &b = runs[1].logits[step];
      ASSERT_EQ(a.size(), b.size());
      float scale = 1, worst = 0;
      for (size_t i = 0; i < a.size(); ++i) {
        scale = std::max(scale, std::fabs(a[i]));
        worst = std::max(worst, std::fabs(a[i] - b[i]));
      }
      // Step 0 comes from the precise prefill (act_precision.h), which absorbs
      // int8 rounding flips: summation order only. Decode steps quantize
      // activations to int8, where a value sitting on a rounding boundary can
      // round differently under another summation order and move the logits
      // by one quantization step's worth (measured up to 0.0072 x max|logit|
      // on the tiny model; with decode run precise too the two layouts agree
      // within 2e-3, so this is rounding, not layout).
      EXPECT_LE(worst, (step == 0 ? 2e-3f : 1e-2f) * scale) << "step " << step;
    }
  }
}

}  // namespace
}  // namespace lac::engine
