// emitArtifact end to end: the hand-written planned module
// (test/Emit/Inputs/tiny-planned.mlir) + the tiny GGUF model -> a .lac that
// the runtime loader opens, with the steps, weights and tokenizer intact.
// Failures (unwritable path, wrong weight bytes) leave no file behind.
#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/emit/emit.h"
#include "compiler/import/reader.h"
#include "dialects/InitAllDialects.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "runtime/artifact/artifact.h"
#include "runtime/core/test_temp.h"

namespace lac::emit {
namespace {

namespace fs = std::filesystem;

using lac::testing::readText;

class EmitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const char* d = std::getenv("LAC_TINY_MODELS");
    std::string gguf = std::string(d ? d : LAC_BINARY_DIR "/tiny-models") + "/tiny.gguf";
    if (!fs::exists(gguf)) GTEST_SKIP() << "no tiny model at " << gguf;
    auto spec = import::readModel(gguf);
    ASSERT_TRUE(spec.ok()) << spec.status().toString();
    spec_ = std::move(*spec);
    ir_ = readText(LAC_SOURCE_DIR "/test/Emit/Inputs/tiny-planned.mlir");
    ASSERT_FALSE(ir_.empty());
    dir_ = lac::testing::tempPath("emit");
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override {
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  mlir::OwningOpRef<mlir::ModuleOp> parse(const std::string& text) {
    mlir::DialectRegistry registry;
    lac::registerAllDialects(registry);
    ctx_.appendDialectRegistry(registry);
    ctx_.loadAllAvailableDialects();
    return mlir::parseSourceString<mlir::ModuleOp>(text, &ctx_);
  }

  EmitOptions options(const std::string& name) {
    EmitOptions o;
    o.path = dir_ + "/" + name;
    return o;
  }

  // Files in the output folder (to see that nothing partial is left).
  size_t filesInDir() const { return std::distance(fs::directory_iterator(dir_), fs::directory_iterator()); }

  mlir::MLIRContext ctx_;
  import::ModelSpec spec_;
  std::string ir_, dir_;
};

artifact::OpenOptions noCpuCheck() {
  artifact::OpenOptions o;
  o.check_host_cpu = false;  // the plan asks for avx2 + fma
  return o;
}

// ---------------------------------------------------------------------------
// Round trip

TEST_F(EmitTest, ArtifactRoundTripsThroughTheLoader) {
  auto m = parse(ir_);
  ASSERT_TRUE(m);
  EmitOptions o = options("tiny.lac");
  uint64_t last_done = 0, last_total = 0;
  o.progress = [&](uint64_t done, uint64_t total) {
    EXPECT_GE(done, last_done);
    last_done = done;
    last_total = total;
  };
  VoidResult r = emitArtifact(*m, spec_, modelSpecWeights(spec_), o);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_GT(last_total, 0u);
  EXPECT_EQ(last_done, last_total);

  auto a = artifact::Artifact::open(o.path, noCpuCheck());
  ASSERT_TRUE(a.ok()) << a.status().toString();
  ASSERT_TRUE(a->verifyWeights().ok());
  const plan::Plan& p = a->plan();

  // Entry points and steps, one per exec op: one rmsnorm_matmul over the
  // fused wqkv into one qkv buffer, read whole by rope_kv_attention.
  ASSERT_EQ(p.entry_points()->size(), 2u);
  const plan::EntryPoint& prefill = *p.entry_points()->Get(0);
  EXPECT_EQ(prefill.name()->str(), "prefill");
  EXPECT_EQ(prefill.max_tokens(), 16u);
  EXPECT_EQ(prefill.arena_bytes(), 529536u);
  ASSERT_EQ(prefill.steps()->size(), 7u);
  EXPECT_EQ(prefill.steps()->Get(0)->kernel(), plan::Kernel::embed);
  const plan::Step& qkv = *prefill.steps()->Get(1);
  EXPECT_EQ(qkv.kernel(), plan::Kernel::rmsnorm_matmul);
  ASSERT_EQ(qkv.weights()->size(), 2u);
  EXPECT_EQ(p.weights()->Get(qkv.weights()->Get(1))->name()->str(), "layers.0.attention.wqkv.weight");
  EXPECT_EQ(qkv.params()->rows(), 128u);  // (H + 2 KV) * hd = (4 + 2 * 2) * 16
  const plan::Step& att = *prefill.steps()->Get(2);
  EXPECT_EQ(att.kernel(), plan::Kernel::rope_kv_attention);
  EXPECT_EQ(att.layer(), 0);
  ASSERT_EQ(att.inputs()->size(), 1u);
  EXPECT_EQ(att.inputs()->Get(0), qkv.outputs()->Get(0));
  const plan::Step& ffn = *prefill.steps()->Get(4);
  EXPECT_EQ(ffn.kernel(), plan::Kernel::rmsnorm_gate_up_silu);
  ASSERT_EQ(ffn.weights()->size(), 2u);
  EXPECT_EQ(p.weights()->Get(ffn.weights()->Get(1))->name()->str(), "layers.0.feed_forward.w13.weight");
  EXPECT_EQ(ffn.params()->rows(), 192u);  // F, the output features (w13 has 2F rows)
  EXPECT_EQ(prefill.steps()->Get(6)->kernel(), plan::Kernel::final_norm_lm_head);
  EXPECT_EQ(prefill.buffers()->Get(6)->role(), plan::BufferRole::logits);
  const plan::EntryPoint& decode = *p.entry_points()->Get(1);
  EXPECT_EQ(decode.max_tokens(), 1u);
  EXPECT_EQ(decode.steps()->size(), 12u);

  // Weights: bf16 bytes as in the checkpoint; f32 norms widened exactly.
  ASSERT_EQ(p.weights()->size(), 12u);
  auto wq = a->findWeight("layers.0.attention.wq.weight");
  ASSERT_TRUE(wq.ok());
  const import::TensorView* t = spec_.findTensor("layers.0.attention.wq.weight");
  ASSERT_NE(t, nullptr);
  std::vector<uint8_t> expect(t->numBytes());
  ASSERT_TRUE(t->copyTo(expect).ok());
  std::span<const uint8_t> got = a->weightBytes(*wq);
  ASSERT_EQ(got.size(), expect.size());
  EXPECT_EQ(std::memcmp(got.data(), expect.data(), got.size()), 0);

  // The fused wqkv: the parts' bytes one after the other (same format).
  auto wqkv = a->findWeight("layers.0.attention.wqkv.weight");
  ASSERT_TRUE(wqkv.ok());
  std::vector<uint8_t> stacked;
  for (const char* part : {"layers.0.attention.wq.weight", "layers.0.attention.wk.weight",
                           "layers.0.attention.wv.weight"}) {
    const import::TensorView* tp = spec_.findTensor(part);
    ASSERT_NE(tp, nullptr);
    std::vector<uint8_t> bytes(tp->numBytes());
    ASSERT_TRUE(tp->copyTo(bytes).ok());
    stacked.insert(stacked.end(), bytes.begin(), bytes.end());
  }
  std::span<const uint8_t> gq = a->weightBytes(*wqkv);
  ASSERT_EQ(gq.size(), stacked.size());
  EXPECT_EQ(std::memcmp(gq.data(), stacked.data(), gq.size()), 0);

  auto nw = a->findWeight("norm.weight");
  ASSERT_TRUE(nw.ok());
  const import::TensorView* tn = spec_.findTensor("norm.weight");
  std::vector<float> norm(tn->numElements());
  ASSERT_TRUE(tn->toFloat(norm).ok());
  std::span<const uint8_t> gn = a->weightBytes(*nw);
  ASSERT_EQ(gn.size(), norm.size() * 4);
  EXPECT_EQ(std::memcmp(gn.data(), norm.data(), gn.size()), 0);

  // Tokenizer, stop tokens, generation defaults.
  ASSERT_NE(p.tokenizer(), nullptr);
  EXPECT_EQ(p.tokenizer()->tokens()->size(), spec_.tokenizer.tokens.size());
  const auto* tok = p.tokenizer()->tokens()->Get(128009)->bytes();
  EXPECT_EQ(std::string(tok->begin(), tok->end()), "<|eot_id|>");
  EXPECT_EQ(p.tokenizer()->merges()->size(), spec_.tokenizer.merges.size());
  EXPECT_EQ(*p.tokenizer()->bos_id(), 128000u);
  ASSERT_NE(p.stop_token_ids(), nullptr);
  EXPECT_EQ(std::vector<uint32_t>(p.stop_token_ids()->begin(), p.stop_token_ids()->end()), spec_.stop_token_ids);
  EXPECT_FLOAT_EQ(p.generation()->temperature(), 0.6f);
  EXPECT_FLOAT_EQ(p.generation()->top_p(), 0.9f);
  EXPECT_EQ(p.chat()->kind(), plan::ChatFormatKind::llama3);
  EXPECT_EQ(p.kv_cache()->max_seq_len(), 256u);
}

TEST_F(EmitTest, ExternalAndRandomWeights) {
  auto m = parse(ir_);
  ASSERT_TRUE(m);
  EmitOptions ext = options("ext.lac");
  ext.weights = WeightMode::External;
  ext.weights_out = "ext.weights";
  ASSERT_TRUE(emitArtifact(*m, spec_, modelSpecWeights(spec_), ext).ok());
  auto a = artifact::Artifact::open(ext.path, noCpuCheck());
  ASSERT_TRUE(a.ok()) << a.status().toString();
  EXPECT_EQ(a->plan().weights_file()->str(), "ext.weights");
  EXPECT_TRUE(a->verifyWeights().ok());

  EmitOptions rnd = options("rnd.lac");
  rnd.weights = WeightMode::Random;
  ASSERT_TRUE(emitArtifact(*m, spec_, nullptr, rnd).ok());
  auto b = artifact::Artifact::open(rnd.path, noCpuCheck());
  ASSERT_TRUE(b.ok()) << b.status().toString();
  EXPECT_TRUE(b->randomWeights());
  EXPECT_LT(fs::file_size(rnd.path), b->plan().weight_blob()->bytes());  // no blob: the plan only
}

TEST_F(EmitTest, PlanJsonSummarizesTheTokenizer) {
  auto m = parse(ir_);
  ASSERT_TRUE(m);
  std::ostringstream out;
  ASSERT_TRUE(emitPlanJson(*m, spec_, out).ok());
  EXPECT_NE(out.str().find("\"tokens_count\": 128256"), std::string::npos);
  EXPECT_LT(out.str().size(), 64u << 10);
}

// ---------------------------------------------------------------------------
// Failures leave nothing behind

TEST_F(EmitTest, UnwritablePathIsAnErrorAndWritesNothing) {
  auto m = parse(ir_);
  ASSERT_TRUE(m);
  EmitOptions o;
  o.path = dir_ + "/no/such/folder/x.lac";
  VoidResult r = emitArtifact(*m, spec_, modelSpecWeights(spec_), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::IoError) << r.message();
  EXPECT_FALSE(fs::exists(o.path));
  EXPECT_EQ(filesInDir(), 0u);
}

TEST_F(EmitTest, ShortWeightIsAnErrorAndWritesNothing) {
  auto m = parse(ir_);
  ASSERT_TRUE(m);
  EmitOptions o = options("short.lac");
  WeightProvider inner = modelSpecWeights(spec_);
  WeightProvider shortOne = [&](std::string_view name, const ExecWeightInfo& info, WeightSink& sink) -> VoidResult {
    if (name != "layers.0.attention.wo.weight") return inner(name, info, sink);
    std::vector<uint8_t> half(info.bytes / 2);
    return sink.write(half);
  };
  VoidResult r = emitArtifact(*m, spec_, shortOne, o);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.message().find("layers.0.attention.wo.weight"), std::string::npos) << r.message();
  EXPECT_FALSE(fs::exists(o.path));
  EXPECT_EQ(filesInDir(), 0u);
}

TEST_F(EmitTest, WeightFormatTheModelLacksIsRefused) {
  // The plan wants wq in q8_0; the default provider does not quantize.
  std::string ir = ir_;
  const std::string from = "@layers.0.attention.wq.weight : [64, 64] bf16";
  ir.replace(ir.find(from), from.size(), "@layers.0.attention.wq.weight : [64, 64] q8_0");
  auto m = parse(ir);
  ASSERT_TRUE(m);
  EmitOptions o = options("q8.lac");
  VoidResult r = emitArtifact(*m, spec_, modelSpecWeights(spec_), o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::Unsupported) << r.message();
  EXPECT_NE(r.message().find("is bf16 in the model but q8_0 in the plan"), std::string::npos) << r.message();
  EXPECT_FALSE(fs::exists(o.path));
  EXPECT_EQ(filesInDir(), 0u);
}

TEST_F(EmitTest, OpWithoutKernelIsRefused) {
  const std::string text = R"mlir(
module attributes {exec.kv_cache = #exec.kv_cache<layout = blhd, dtype = f32, n_layers = 2, n_kv_heads = 2, head_dim = 16, max_seq_len = 256, max_batch = 1>} {
  func.func @decode(%t: !exec.buf<1xi32, offset = 0>, %p: !exec.buf<1xi32, offset = 64>, %g: !exec.buf<1x192xf32, offset = 128>) -> !exec.buf<1x192xf32, offset = 1024>
      attributes {exec.arena_bytes = 2048 : i64} {
    %s = exec.silu_mul %g, %g {kernel = "generic"} : !exec.buf<1x192xf32, offset = 128>, !exec.buf<1x192xf32, offset = 128> -> !exec.buf<1x192xf32, offset = 1024>
    return %s : !exec.buf<1x192xf32, offset = 1024>
  }
})mlir";
  auto m = parse(text);
  ASSERT_TRUE(m);
  std::ostringstream out;
  VoidResult r = emitPlanJson(*m, spec_, out);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::Unsupported);
  EXPECT_NE(r.message().find("'exec.silu_mul': has no runtime kernel"), std::string::npos) << r.message();
}

}  // namespace
}  // namespace lac::emit
