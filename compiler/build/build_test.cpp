// buildLlamaModule: a synthetic spec against a golden module, errors, op
// counts before/after the fusion pipeline for the tiny GGUF and SmolLM2 (each
// skipped when absent), and build time.

#include "compiler/build/llama_builder.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/import/reader.h"
#include "dialects/Llama/IR/LlamaOps.h"
#include "dialects/Llama/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"

namespace lac::build {
namespace {

using import::ModelSpec;
using OpCounts = std::map<std::string, int64_t>;

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

// A spec with every tensor the graph needs (shapes only; no bytes).
ModelSpec syntheticSpec(uint32_t layers, uint32_t dim, uint32_t heads, uint32_t kv_heads,
                        uint32_t ffn, uint32_t vocab, bool tied) {
  ModelSpec spec;
  spec.path = "synthetic.gguf";
  auto& c = spec.config;
  c.dim = dim, c.n_layers = layers, c.n_heads = heads, c.n_kv_heads = kv_heads;
  c.head_dim = dim / heads, c.ffn_dim = ffn, c.vocab_size = vocab;
  c.norm_eps = 1e-5f, c.rope_theta = 500000.0f, c.tied_embeddings = tied;
  const uint64_t hd = c.head_dim;
  auto add = [&](std::string name, std::vector<uint64_t> shape) {
    import::TensorView t;
    t.name = std::move(name);
    t.shape = std::move(shape);
    spec.tensors.push_back(std::move(t));
  };
  add("tok_embeddings.weight", {vocab, dim});
  for (uint32_t i = 0; i < layers; ++i) {
    const std::string p = "layers." + std::to_string(i) + ".";
    add(p + "attention_norm.weight", {dim});
    add(p + "attention.wq.weight", {heads * hd, dim});
    add(p + "attention.wk.weight", {kv_heads * hd, dim});
    add(p + "attention.wv.weight", {kv_heads * hd, dim});
    add(p + "attention.wo.weight", {dim, heads * hd});
    add(p + "ffn_norm.weight", {dim});
    add(p + "feed_forward.w1.weight", {ffn, dim});
    add(p + "feed_forward.w2.weight", {dim, ffn});
    add(p + "feed_forward.w3.weight", {ffn, dim});
  }
  add("norm.weight", {dim});
  if (!tied) add("output.weight", {vocab, dim});
  return spec;
}

mlir::MLIRContext& context() {
  static mlir::MLIRContext* ctx = [] {
    auto* c = new mlir::MLIRContext();
    c->loadDialect<mlir::llama::LlamaDialect, mlir::func::FuncDialect>();
    return c;
  }();
  return *ctx;
}

OpCounts countOps(mlir::ModuleOp module) {
  OpCounts counts;
  module->walk([&](mlir::Operation* op) {
    if (op != module.getOperation()) ++counts[op->getName().getStringRef().str()];
  });
  return counts;
}

std::string describe(const OpCounts& counts) {
  std::string s;
  for (const auto& [name, n] : counts) s += "  " + name + ": " + std::to_string(n) + "\n";
  return s;
}

void runFusions(mlir::ModuleOp module) {
  mlir::PassManager pm(module->getContext());
  lac::buildLlamaFusionPipeline(pm);
  ASSERT_TRUE(mlir::succeeded(pm.run(module)));
  ASSERT_TRUE(mlir::succeeded(mlir::verify(module)));
}

// Op counts of the unfused module: per entry point, per layer (L) and once.
void expectUnfusedCounts(const OpCounts& c, int64_t L, int64_t n_weights) {
  const int64_t E = 2;  // @prefill and @decode
  EXPECT_EQ(c.at("llama.weight"), n_weights);
  EXPECT_EQ(c.at("func.func"), E);
  EXPECT_EQ(c.at("llama.embedding"), E);
  EXPECT_EQ(c.at("llama.rms_norm"), E * (2 * L + 1));
  EXPECT_EQ(c.at("llama.linear"), E * 7 * L);
  EXPECT_EQ(c.at("llama.split_heads"), E * 3 * L);
  EXPECT_EQ(c.at("llama.rope"), E * 2 * L);
  EXPECT_EQ(c.at("llama.attention"), E * L);
  EXPECT_EQ(c.at("llama.add"), E * 2 * L);
  EXPECT_EQ(c.at("llama.swiglu"), E * L);
  EXPECT_EQ(c.at("llama.lm_head"), E);
}

void expectFusedCounts(const OpCounts& c, int64_t L) {
  const int64_t E = 2;
  EXPECT_EQ(c.at("llama.embedding"), E);
  EXPECT_EQ(c.at("llama.qkv_linear"), E * L);
  EXPECT_EQ(c.at("llama.split_heads"), E * 3 * L);
  EXPECT_EQ(c.at("llama.attention"), E * L);
  EXPECT_EQ(c.at("llama.linear_residual"), E * 2 * L);
  EXPECT_EQ(c.at("llama.swiglu_linear"), E * L);
  EXPECT_EQ(c.at("llama.lm_head"), E);
  for (const char* gone : {"llama.rms_norm", "llama.linear", "llama.rope", "llama.add",
                           "llama.swiglu"})
    EXPECT_EQ(c.count(gone), 0u) << gone;
}

// Every attention got rope, every fused op its norm prologue.
void expectFusedAttributes(mlir::ModuleOp module) {
  module->walk([](mlir::llama::AttentionOp op) { EXPECT_TRUE(op.getRopeAttr()); });
  module->walk([](mlir::llama::QkvLinearOp op) { EXPECT_TRUE(op.getNormWeightAttr()); });
  module->walk([](mlir::llama::SwigluLinearOp op) { EXPECT_TRUE(op.getNormWeightAttr()); });
  module->walk([](mlir::llama::LmHeadOp op) {
    EXPECT_EQ(op.getNormWeightAttr().getValue(), "norm.weight");
  });
}

std::string smolLmPath() {
  const char* cache = std::getenv("LAC_MODEL_CACHE");
  const char* home = std::getenv("HOME");
  std::string dir = cache ? cache : (home ? std::string(home) + "/.cache/lac" : "");
  std::string p = dir + "/SmolLM2-135M-Instruct.Q4_1.gguf";
  return std::filesystem::exists(p) ? p : "";
}

std::string tinyGgufPath() {
  const char* d = std::getenv("LAC_TINY_MODELS");
  std::string p = std::string(d ? d : LAC_BINARY_DIR "/tiny-models") + "/tiny.gguf";
  return std::filesystem::exists(p) ? p : "";
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

//===----------------------------------------------------------------------===//
// Synthetic specs
//===----------------------------------------------------------------------===//

// The printed module equals test/Build/Inputs/two-layer.mlir (the lit tests
// of the fusion passes run on that file). LAC_UPDATE_GOLDENS=1 rewrites it.
TEST(LlamaBuilder, MatchesGolden) {
  ModelSpec spec = syntheticSpec(2, 64, 4, 2, 128, 256, /*tied=*/false);
  auto module = buildLlamaModuleOrError(spec, context());
  ASSERT_TRUE(module.ok()) << module.message();
  std::string printed;
  llvm::raw_string_ostream os(printed);
  (*module)->print(os);
  const std::string golden = std::string(LAC_SOURCE_DIR) + "/test/Build/Inputs/two-layer.mlir";
  const std::string header =
      "// Printed by buildLlamaModule for a synthetic 2-layer spec (D = 64, H = 4,\n"
      "// KV = 2, hd = 16, F = 128, V = 256, untied); compared by\n"
      "// compiler/build/build_test.cpp (LAC_UPDATE_GOLDENS=1 rewrites it).\n";
  if (std::getenv("LAC_UPDATE_GOLDENS")) {
    std::ofstream(golden) << header << printed;
  }
  std::ifstream in(golden);
  ASSERT_TRUE(in) << golden;
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(header + printed, want.str());
}

TEST(LlamaBuilder, CountsAndFusions) {
  ModelSpec spec = syntheticSpec(3, 64, 4, 2, 128, 256, /*tied=*/true);
  auto module = buildLlamaModuleOrError(spec, context());
  ASSERT_TRUE(module.ok()) << module.message();
  expectUnfusedCounts(countOps(**module), 3, spec.tensors.size());
  runFusions(**module);
  expectFusedCounts(countOps(**module), 3);
  expectFusedAttributes(**module);
  // Tied: the lm_head reads the embedding table.
  (*module)->walk([](mlir::llama::LmHeadOp op) {
    EXPECT_EQ(op.getWeightAttr().getValue(), "tok_embeddings.weight");
  });
}

TEST(LlamaBuilder, EntryPointsAreOptional) {
  ModelSpec spec = syntheticSpec(1, 64, 4, 2, 128, 256, true);
  BuildOptions options;
  options.prefill = false;
  auto module = buildLlamaModuleOrError(spec, context(), options);
  ASSERT_TRUE(module.ok()) << module.message();
  EXPECT_FALSE((*module)->lookupSymbol("prefill"));
  EXPECT_TRUE((*module)->lookupSymbol("decode"));
}

// 30 layers at SmolLM2's shapes: well under a second, verification included.
TEST(LlamaBuilder, ThirtyLayersBuildFast) {
  ModelSpec spec = syntheticSpec(30, 576, 9, 3, 1536, 49152, true);
  auto t0 = std::chrono::steady_clock::now();
  auto module = buildLlamaModuleOrError(spec, context());
  double seconds = secondsSince(t0);
  ASSERT_TRUE(module.ok()) << module.message();
  std::printf("30-layer module: built and verified in %.1f ms\n", seconds * 1e3);
  EXPECT_LT(seconds, 0.5);
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

TEST(LlamaBuilder, MissingTensor) {
  ModelSpec spec = syntheticSpec(2, 64, 4, 2, 128, 256, false);
  std::erase_if(spec.tensors, [](auto& t) { return t.name == "layers.1.attention.wk.weight"; });
  auto module = buildLlamaModuleOrError(spec, context());
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error(), Error::InvalidCheckpoint);
  EXPECT_EQ(module.message(), "synthetic.gguf: tensor 'layers.1.attention.wk.weight' is missing");
}

TEST(LlamaBuilder, WrongShape) {
  ModelSpec spec = syntheticSpec(1, 64, 4, 2, 128, 256, false);
  for (auto& t : spec.tensors)
    if (t.name == "output.weight") t.shape = {255, 64};
  auto module = buildLlamaModuleOrError(spec, context());
  ASSERT_FALSE(module.ok());
  EXPECT_EQ(module.error(), Error::InvalidCheckpoint);
  EXPECT_EQ(module.message(),
            "synthetic.gguf: tensor 'output.weight' has shape [255, 64], expected [256, 64]");
}

TEST(LlamaBuilder, UnsupportedConfigAndOptions) {
  ModelSpec spec = syntheticSpec(1, 64, 4, 2, 128, 256, true);
  spec.config.n_kv_heads = 3;
  auto r = buildLlamaModuleOrError(spec, context());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::Unsupported);
  EXPECT_NE(r.message().find("not a multiple of n_kv_heads"), std::string::npos);

  spec = syntheticSpec(1, 64, 4, 2, 128, 256, true);
  spec.tensors.push_back(spec.tensors.front());
  spec.tensors.back().name = "extra.weight";
  spec.tensors.back().shape = {256, 64, 1};
  r = buildLlamaModuleOrError(spec, context());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::Unsupported);
  EXPECT_EQ(r.message(),
            "synthetic.gguf: tensor 'extra.weight' has rank 3; weights are vectors or matrices");

  BuildOptions none;
  none.prefill = none.decode = false;
  r = buildLlamaModuleOrError(syntheticSpec(1, 64, 4, 2, 128, 256, true), context(), none);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), Error::InvalidArgument);
}

TEST(LlamaBuilder, NullModuleAndDiagnosticOnError) {
  ModelSpec spec = syntheticSpec(1, 64, 4, 2, 128, 256, true);
  spec.tensors.clear();
  std::string message;
  mlir::ScopedDiagnosticHandler handler(&context(), [&](mlir::Diagnostic& d) {
    message = d.str();
    return mlir::success();
  });
  auto module = buildLlamaModule(spec, context());
  EXPECT_FALSE(module);
  EXPECT_NE(message.find("tensor 'tok_embeddings.weight' is missing"), std::string::npos);
}

//===----------------------------------------------------------------------===//
// Real files
//===----------------------------------------------------------------------===//

void buildAndFuse(const std::string& path, const char* label) {
  auto spec = import::readModel(path);
  ASSERT_TRUE(spec.ok()) << spec.message();
  auto t0 = std::chrono::steady_clock::now();
  auto module = buildLlamaModuleOrError(*spec, context());
  double seconds = secondsSince(t0);
  ASSERT_TRUE(module.ok()) << module.message();
  const int64_t L = spec->config.n_layers;
  OpCounts before = countOps(**module);
  expectUnfusedCounts(before, L, spec->tensors.size());
  t0 = std::chrono::steady_clock::now();
  runFusions(**module);
  double fuse_seconds = secondsSince(t0);
  OpCounts after = countOps(**module);
  expectFusedCounts(after, L);
  expectFusedAttributes(**module);
  std::printf("%s (%lld layers): built + verified in %.1f ms, fused in %.1f ms\n"
              "before fusion:\n%safter fusion:\n%s",
              label, static_cast<long long>(L), seconds * 1e3, fuse_seconds * 1e3,
              describe(before).c_str(), describe(after).c_str());
  EXPECT_LT(seconds, 1.0);
}

TEST(LlamaBuilderFiles, TinyGguf) {
  const std::string path = tinyGgufPath();
  if (path.empty()) GTEST_SKIP() << "tiny.gguf not generated (run scripts/make-tiny-models; ctest does)";
  buildAndFuse(path, "tiny.gguf");
}

TEST(LlamaBuilderFiles, SmolLM2) {
  const std::string path = smolLmPath();
  if (path.empty()) GTEST_SKIP() << "SmolLM2-135M-Instruct.Q4_1.gguf not in $LAC_MODEL_CACHE or ~/.cache/lac";
  buildAndFuse(path, "SmolLM2-135M-Instruct.Q4_1");
}

}  // namespace
}  // namespace lac::build
