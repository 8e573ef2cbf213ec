// The same tiny random Llama 3 model, written by scripts/make-tiny-models in
// every checkpoint format, must read as one and the same ModelSpec: equal
// config, equal tokenizer, and bit-identical tensors that also equal the
// values numpy generated (reference/<name>.f32, Meta layout). This is what
// shows shard merging (meta2), the HF q/k un-permutation (hf, hf2) and GGUF's
// reversed dimension order are all undone correctly.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "compiler/import/reader.h"

namespace lac::import {
namespace {

namespace fs = std::filesystem;

std::string tinyDir() {
  const char* d = std::getenv("LAC_TINY_MODELS");
  return d ? d : "";
}

struct Loaded {
  std::string label;
  ModelSpec spec;
};

class CrossFormat : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const std::string dir = tinyDir();
    if (dir.empty() || !fs::exists(fs::path(dir) / "reference")) return;
    for (const char* sub : {"meta", "meta2", "hf", "hf2", "tiny.gguf"}) {
      auto r = readModel((fs::path(dir) / sub).string());
      ASSERT_TRUE(r.ok()) << sub << ": " << r.status().toString();
      models_.push_back({sub, std::move(r).value()});
    }
  }
  void SetUp() override {
    if (models_.empty()) GTEST_SKIP() << "tiny models not generated (run scripts/make-tiny-models; ctest does)";
  }
  static std::vector<float> floats(const TensorView& t) {
    std::vector<float> v(t.numElements());
    auto r = t.toFloat(v);
    EXPECT_TRUE(r.ok()) << t.name << ": " << r.message();
    return v;
  }
  static inline std::vector<Loaded> models_;
};

TEST_F(CrossFormat, ConfigsAgree) {
  const ModelConfig& a = models_[0].spec.config;
  EXPECT_EQ(a.dim, 64u);
  EXPECT_EQ(a.n_layers, 2u);
  EXPECT_EQ(a.n_heads, 4u);
  EXPECT_EQ(a.n_kv_heads, 2u);
  EXPECT_EQ(a.head_dim, 16u);
  EXPECT_EQ(a.ffn_dim, 192u);  // Meta's rule: 32 * ceil(int(2 * 4 * 64 / 3) / 32)
  EXPECT_EQ(a.vocab_size, 128256u);
  ASSERT_TRUE(a.rope_scaling.has_value());
  for (const Loaded& m : models_) {
    SCOPED_TRACE(m.label);
    const ModelConfig& b = m.spec.config;
    EXPECT_EQ(b.dim, a.dim);
    EXPECT_EQ(b.n_layers, a.n_layers);
    EXPECT_EQ(b.n_heads, a.n_heads);
    EXPECT_EQ(b.n_kv_heads, a.n_kv_heads);
    EXPECT_EQ(b.head_dim, a.head_dim);
    EXPECT_EQ(b.ffn_dim, a.ffn_dim);
    EXPECT_EQ(b.vocab_size, a.vocab_size);
    EXPECT_FLOAT_EQ(b.norm_eps, a.norm_eps);
    EXPECT_FLOAT_EQ(b.rope_theta, 500000.0f);
    ASSERT_TRUE(b.rope_scaling.has_value());
    EXPECT_FLOAT_EQ(b.rope_scaling->factor, 8.0f);
    EXPECT_EQ(b.rope_scaling->original_max_position, 8192u);
    EXPECT_FALSE(b.tied_embeddings);
    EXPECT_EQ(m.spec.stop_token_ids, (std::vector<uint32_t>{128001, 128009}));
    EXPECT_EQ(m.spec.chat.kind, ChatFormatKind::Llama3);
  }
}

TEST_F(CrossFormat, TokenizersHoldTheSameTokens) {
  const TokenizerData& a = models_[0].spec.tokenizer;
  ASSERT_EQ(a.tokens.size(), 128256u);
  EXPECT_EQ(a.tokens[0], "!");
  EXPECT_EQ(a.tokens[128009], "<|eot_id|>");
  for (const Loaded& m : models_) {
    SCOPED_TRACE(m.label);
    const TokenizerData& b = m.spec.tokenizer;
    ASSERT_EQ(b.tokens.size(), a.tokens.size());
    size_t differing = 0;
    for (size_t i = 0; i < a.tokens.size(); ++i) differing += a.tokens[i] != b.tokens[i];
    EXPECT_EQ(differing, 0u);
    EXPECT_EQ(b.bos_id, std::optional<uint32_t>(128000));
  }
}

TEST_F(CrossFormat, TensorsAreBitIdenticalAndEqualTheGeneratedValues) {
  const ModelSpec& meta = models_[0].spec;
  ASSERT_EQ(meta.tensors.size(), 21u);
  for (const TensorView& t : meta.tensors) {
    SCOPED_TRACE(t.name);
    const std::vector<float> want = floats(t);
    // Against numpy's values where the generator dumped them (all but the two big ones).
    const fs::path ref = fs::path(tinyDir()) / "reference" / (t.name + ".f32");
    if (fs::exists(ref)) {
      std::vector<float> expected(want.size());
      std::ifstream in(ref, std::ios::binary);
      in.read(reinterpret_cast<char*>(expected.data()), static_cast<std::streamsize>(expected.size() * 4));
      ASSERT_EQ(static_cast<size_t>(in.gcount()), expected.size() * 4);
      EXPECT_EQ(std::memcmp(want.data(), expected.data(), want.size() * 4), 0) << "differs from numpy's values";
    }
    for (const Loaded& m : models_) {
      SCOPED_TRACE(m.label);
      const TensorView* other = m.spec.findTensor(t.name);
      ASSERT_NE(other, nullptr);
      EXPECT_EQ(other->shape, t.shape);
      EXPECT_EQ(other->dtype, DType::BF16);
      const std::vector<float> got = floats(*other);
      ASSERT_EQ(got.size(), want.size());
      EXPECT_EQ(std::memcmp(got.data(), want.data(), want.size() * 4), 0);
    }
  }
}

TEST_F(CrossFormat, ShardedMetaCheckpointHasTwoPiecesPerSplitTensor) {
  const ModelSpec& meta2 = models_[1].spec;
  const TensorView* wq = meta2.findTensor("layers.0.attention.wq.weight");
  ASSERT_NE(wq, nullptr);
  EXPECT_EQ(wq->pieces.size(), 2u);
  EXPECT_EQ(wq->concat_axis, 0u);
  const TensorView* wo = meta2.findTensor("layers.0.attention.wo.weight");
  ASSERT_NE(wo, nullptr);
  EXPECT_EQ(wo->concat_axis, 1u);
}

}  // namespace
}  // namespace lac::import
