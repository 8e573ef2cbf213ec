// Round trips through writeArtifact and Artifact::open: embedded weights,
// a separate weights file, random weights; writer errors.
#include "runtime/artifact/artifact.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "runtime/artifact/artifact_writer.h"
#include "runtime/artifact/test_plan.h"

namespace lac::artifact {
namespace {

using testing::makeTestPlan;
using testing::pack;
using testing::tempDir;
using testing::testSource;

std::vector<uint8_t> readFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(f), {});
}

void writeFile(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

std::string str(const flatbuffers::String* s) { return s == nullptr ? "" : s->str(); }

// ---------------------------------------------------------------------------
// Embedded weights

TEST(ArtifactRoundTrip, EmbeddedWeights) {
  std::string path = tempDir("embedded") + "/tiny.lac";
  auto spec = makeTestPlan();
  ASSERT_TRUE(writeArtifact(path, pack(*spec), testSource(*spec)).ok());

  auto a = Artifact::open(path);
  ASSERT_TRUE(a.ok()) << a.message();
  const plan::Plan& p = a->plan();

  // Header and layout.
  EXPECT_EQ(a->header().format_version, kFormatVersion);
  EXPECT_EQ(a->header().plan_offset, kHeaderBytes);
  EXPECT_EQ(a->header().weights_offset % kBlobAlignment, 0u);
  EXPECT_EQ(a->header().weights_bytes, spec->weight_blob->bytes());
  EXPECT_EQ(std::filesystem::file_size(path), a->header().weights_offset + a->header().weights_bytes);

  // Model, target, limits.
  EXPECT_EQ(p.format_version(), kFormatVersion);
  EXPECT_EQ(str(p.model_name()), "tiny");
  EXPECT_EQ(p.config()->dim(), 32u);
  EXPECT_EQ(p.config()->n_kv_heads(), 1u);
  EXPECT_FLOAT_EQ(p.config()->norm_eps(), 1e-5f);
  ASSERT_NE(p.config()->rope_scaling(), nullptr);
  EXPECT_FLOAT_EQ(p.config()->rope_scaling()->factor(), 8.0f);
  EXPECT_EQ(p.config()->rope_scaling()->original_max_position(), 8192u);
  EXPECT_EQ(p.target()->target(), plan::Target::cpu);
  EXPECT_EQ(p.max_seq_len(), 16u);

  // Tokenizer, chat, stop tokens, generation defaults.
  const plan::Tokenizer& t = *p.tokenizer();
  EXPECT_EQ(t.kind(), plan::TokenizerKind::gpt2_bpe);
  ASSERT_EQ(t.tokens()->size(), 16u);
  const auto* abc = t.tokens()->Get(13)->bytes();
  EXPECT_EQ(std::string(abc->begin(), abc->end()), "abc");
  ASSERT_EQ(t.merges()->size(), 2u);
  EXPECT_EQ(t.merges()->Get(1)->left(), 12u);
  EXPECT_EQ(t.merges()->Get(1)->right(), 2u);
  EXPECT_EQ(str(t.special_tokens()->Get(1)->text()), "<|im_end|>");
  EXPECT_EQ(t.bos_id().value(), 14u);
  EXPECT_FALSE(t.pad_id().has_value());
  EXPECT_EQ(p.chat()->kind(), plan::ChatFormatKind::chatml);
  EXPECT_EQ(p.stop_token_ids()->Get(0), 15u);
  EXPECT_FLOAT_EQ(p.generation()->temperature(), 0.6f);
  EXPECT_FLOAT_EQ(p.generation()->top_p(), 0.9f);
  EXPECT_EQ(p.generation()->max_gen_len(), 8u);

  // Entry points.
  ASSERT_EQ(p.entry_points()->size(), 2u);
  const plan::EntryPoint& decode = *p.entry_points()->Get(1);
  EXPECT_EQ(str(decode.name()), "decode");
  EXPECT_EQ(decode.max_tokens(), 1u);
  EXPECT_EQ(decode.steps()->Get(2)->kernel(), plan::Kernel::rope_kv_attention);
  EXPECT_EQ(decode.steps()->Get(2)->params()->n_heads(), 2u);
  EXPECT_EQ(decode.buffers()->Get(6)->role(), plan::BufferRole::logits);

  // Weights: bytes in place, aligned, checksums filled by the writer.
  ASSERT_EQ(p.weights()->size(), spec->weights.size());
  for (uint32_t i = 0; i < p.weights()->size(); ++i) {
    std::span<const uint8_t> w = a->weightBytes(i);
    std::vector<uint8_t> want = testing::weightBytes(i, spec->weights[i]->blob->bytes());
    ASSERT_EQ(w.size(), want.size());
    EXPECT_TRUE(std::equal(w.begin(), w.end(), want.begin())) << "weight " << i;
    EXPECT_EQ(reinterpret_cast<uintptr_t>(w.data()) % kWeightAlignment, 0u);
    EXPECT_NE(p.weights()->Get(i)->blob()->checksum(), 0u);
  }
  EXPECT_EQ(a->findWeight("output.weight").value(), 9u);
  EXPECT_EQ(a->findWeight("nope").error(), Error::NotFound);
  EXPECT_EQ(p.weight_blob()->checksum(), a->header().weights_checksum);
  EXPECT_TRUE(a->verifyWeights().ok());
}

TEST(ArtifactRoundTrip, VerifyWeightsNamesTheCorruptWeight) {
  std::string path = tempDir("corrupt_weight") + "/tiny.lac";
  auto spec = makeTestPlan();
  ASSERT_TRUE(writeArtifact(path, pack(*spec), testSource(*spec)).ok());
  std::vector<uint8_t> bytes = readFile(path);
  auto clean = testing::load(bytes);
  ASSERT_TRUE(clean.ok()) << clean.message();
  uint64_t at = clean->header().weights_offset + spec->weights[3]->blob->offset() + 5;
  bytes[at] ^= 0x40;
  writeFile(path, bytes);

  auto a = Artifact::open(path);
  ASSERT_TRUE(a.ok()) << a.message();  // opening does not read the weights
  VoidResult v = a->verifyWeights();
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error(), Error::InvalidArtifact);
  EXPECT_NE(v.message().find("layers.0.attention.wo.weight"), std::string::npos) << v.message();
}

// ---------------------------------------------------------------------------
// A separate weights file (--weights-out)

TEST(ArtifactRoundTrip, ExternalWeightsFile) {
  std::string dir = tempDir("external");
  auto spec = makeTestPlan();
  spec->weights_file = "tiny.weights";
  ASSERT_TRUE(writeArtifact(dir + "/tiny.lac", pack(*spec), testSource(*spec)).ok());
  ASSERT_TRUE(std::filesystem::exists(dir + "/tiny.weights"));

  auto a = Artifact::open(dir + "/tiny.lac");
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ(a->header().weights_bytes, 0u);
  EXPECT_EQ(std::filesystem::file_size(dir + "/tiny.lac"), kHeaderBytes + a->header().plan_bytes);
  std::span<const uint8_t> w = a->weightBytes(2);
  std::vector<uint8_t> want = testing::weightBytes(2, spec->weights[2]->blob->bytes());
  ASSERT_EQ(w.size(), want.size());
  EXPECT_TRUE(std::equal(w.begin(), w.end(), want.begin()));
  EXPECT_TRUE(a->verifyWeights().ok());

  // The weights file of another compile is refused.
  std::string other = tempDir("external_other");
  auto spec2 = makeTestPlan();
  spec2->weights_file = "tiny.weights";
  WeightSource zeros = [&](uint32_t i, WeightSink& sink) {
    std::vector<uint8_t> b(spec2->weights[i]->blob->bytes(), 0);
    return sink.write(b);
  };
  ASSERT_TRUE(writeArtifact(other + "/tiny.lac", pack(*spec2), zeros).ok());
  std::filesystem::copy_file(other + "/tiny.weights", dir + "/tiny.weights",
                             std::filesystem::copy_options::overwrite_existing);
  auto b = Artifact::open(dir + "/tiny.lac");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.error(), Error::InvalidArtifact);
  EXPECT_NE(b.message().find("not the one the plan was compiled with"), std::string::npos) << b.message();

  // And a missing one is NotFound, naming it.
  std::filesystem::remove(dir + "/tiny.weights");
  auto c = Artifact::open(dir + "/tiny.lac");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.error(), Error::NotFound);
  EXPECT_NE(c.message().find("tiny.weights"), std::string::npos) << c.message();
}

// ---------------------------------------------------------------------------
// Random weights (--no-weights)

TEST(ArtifactRoundTrip, RandomWeightsHaveNoBlob) {
  std::string path = tempDir("random") + "/tiny.lac";
  auto spec = makeTestPlan();
  spec->random_weights = true;
  ASSERT_TRUE(writeArtifact(path, pack(*spec), nullptr).ok());
  auto a = Artifact::open(path);
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_TRUE(a->randomWeights());
  EXPECT_TRUE(a->weightBlob().empty());
  EXPECT_TRUE(a->weightBytes(0).empty());
  EXPECT_EQ(a->plan().weight_blob()->bytes(), spec->weight_blob->bytes());
  EXPECT_EQ(std::filesystem::file_size(path), kHeaderBytes + a->header().plan_bytes);
}

// A Llama 3-sized vocabulary (128256 tokens, 280k merges) stays well inside
// the verifier's limits and opens quickly.
TEST(ArtifactRoundTrip, LargeVocabularyOpens) {
  auto spec = makeTestPlan();
  const uint32_t vocab = 128256;
  spec->config->vocab_size = vocab;
  spec->tokenizer->tokens.clear();
  for (uint32_t i = 0; i < vocab; ++i) {
    auto t = std::make_unique<plan::TokenT>();
    std::string s = "tok" + std::to_string(i);
    t->bytes.assign(s.begin(), s.end());
    spec->tokenizer->tokens.push_back(std::move(t));
  }
  for (uint32_t i = 0; i < 280000; ++i) spec->tokenizer->merges.emplace_back(i % vocab, (i * 7) % vocab);
  // Keep the weights consistent with the new vocabulary: drop the steps and
  // weights that depend on it (the tokenizer is what this test is about).
  spec->weights.clear();
  spec->weight_blob = std::make_unique<plan::WeightBlob>(0, 0);
  spec->entry_points.clear();
  std::string path = tempDir("large_vocab") + "/big.lac";
  ASSERT_TRUE(writeArtifact(path, pack(*spec), nullptr).ok());

  auto start = std::chrono::steady_clock::now();
  auto a = Artifact::open(path);
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(a.ok()) << a.message();
  EXPECT_EQ(a->plan().tokenizer()->tokens()->size(), vocab);
  EXPECT_LT(ms, 2000.0) << "opening took " << ms << " ms";
  std::printf("large vocabulary: %llu plan bytes, opened in %.1f ms\n", (unsigned long long)a->header().plan_bytes, ms);
}

// ---------------------------------------------------------------------------
// Writer errors

TEST(ArtifactWriter, UnwritablePathIsIoError) {
  auto spec = makeTestPlan();
  VoidResult r = writeArtifact("/nonexistent-lac-dir/x.lac", pack(*spec), testSource(*spec));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::IoError);
  EXPECT_NE(r.message().find("/nonexistent-lac-dir/x.lac"), std::string::npos) << r.message();
}

TEST(ArtifactWriter, RefusesAPlanTheRuntimeWouldRefuse) {
  std::string path = tempDir("refuse") + "/bad.lac";
  auto spec = makeTestPlan();
  spec->entry_points[0]->steps[1]->inputs = {42};
  VoidResult r = writeArtifact(path, pack(*spec), testSource(*spec));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::InvalidArtifact);
  EXPECT_NE(r.message().find("refusing to write"), std::string::npos) << r.message();
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(ArtifactWriter, ShortWeightSourceIsAnErrorAndLeavesNoFile) {
  std::string dir = tempDir("short");
  auto spec = makeTestPlan();
  WeightSource shortSource = [](uint32_t, WeightSink& sink) {
    uint8_t b[3] = {1, 2, 3};
    return sink.write(b);
  };
  VoidResult r = writeArtifact(dir + "/x.lac", pack(*spec), shortSource);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::Internal);
  EXPECT_NE(r.message().find("tok_embeddings.weight"), std::string::npos) << r.message();
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "temporary files left behind";
}

// ---------------------------------------------------------------------------
// Seed for the fuzzer: LAC_WRITE_ARTIFACT_SEED=<path> writes the test artifact there.

TEST(ArtifactRoundTrip, WritesFuzzSeedWhenAsked) {
  const char* seed = std::getenv("LAC_WRITE_ARTIFACT_SEED");
  if (seed == nullptr) GTEST_SKIP() << "set LAC_WRITE_ARTIFACT_SEED to write the fuzz seed";
  auto spec = makeTestPlan();
  ASSERT_TRUE(writeArtifact(seed, pack(*spec), testSource(*spec)).ok());
}

}  // namespace
}  // namespace lac::artifact
