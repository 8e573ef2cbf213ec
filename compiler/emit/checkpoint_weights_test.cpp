// checkpointWeights (checkpoint_weights.cpp) on fused weights: the hand-written
// planned module (test/Emit/Inputs/tiny-planned.mlir) with wqkv requantized
// to q8_0 is written with the tiny GGUF model, then the artifact's wqkv and
// w13 bytes are compared with their parts packed one by one and stacked.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "compiler/conversion/pack_weights.h"
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

// The parts packed one at a time in `format`, rows stacked.
std::vector<uint8_t> stackedParts(const import::ModelSpec& spec, const std::vector<std::string>& parts, DType format) {
  std::vector<uint8_t> out;
  for (const std::string& name : parts) {
    const import::TensorView* t = spec.findTensor(name);
    EXPECT_NE(t, nullptr) << name;
    if (!t) return {};
    auto packed = conversion::packWeight(*t, format, "row_major");
    EXPECT_TRUE(packed.ok()) << packed.status().toString();
    if (!packed.ok()) return {};
    out.insert(out.end(), packed->begin(), packed->end());
  }
  return out;
}

TEST(CompileFusedWeightsTest, FusedWeightBytesAreThePartsRowsStacked) {
  const char* d = std::getenv("LAC_TINY_MODELS");
  std::string gguf = std::string(d ? d : LAC_BINARY_DIR "/tiny-models") + "/tiny.gguf";
  if (!fs::exists(gguf)) GTEST_SKIP() << "no tiny model at " << gguf;
  auto spec = import::readModel(gguf);
  ASSERT_TRUE(spec.ok()) << spec.status().toString();

  // wqkv in q8_0 (the parts are bf16 in the model: packed = quantized).
  std::string ir = readText(LAC_SOURCE_DIR "/test/Emit/Inputs/tiny-planned.mlir");
  const std::string from = "@layers.0.attention.wqkv.weight : [128, 64] bf16";
  ASSERT_NE(ir.find(from), std::string::npos);
  ir.replace(ir.find(from), from.size(), "@layers.0.attention.wqkv.weight : [128, 64] q8_0");
  mlir::MLIRContext ctx;
  mlir::DialectRegistry registry;
  lac::registerAllDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
  auto m = mlir::parseSourceString<mlir::ModuleOp>(ir, &ctx);
  ASSERT_TRUE(m);

  std::string dir = lac::testing::tempPath("fused-weights");
  fs::remove_all(dir);
  fs::create_directories(dir);
  emit::EmitOptions o;
  o.path = dir + "/fused.lac";
  // The provider sees the parts of each fused weight.
  emit::WeightProvider packing = checkpointWeights(*spec);
  std::vector<std::string> seen_parts;
  emit::WeightProvider spy = [&](std::string_view name, const emit::ExecWeightInfo& info,
                                 emit::WeightSink& sink) -> VoidResult {
    if (name == "layers.0.attention.wqkv.weight") seen_parts = info.concat_of;
    return packing(name, info, sink);
  };
  VoidResult r = emit::emitArtifact(*m, *spec, spy, o);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(seen_parts, (std::vector<std::string>{"layers.0.attention.wq.weight", "layers.0.attention.wk.weight",
                                                  "layers.0.attention.wv.weight"}));

  artifact::OpenOptions open;
  open.check_host_cpu = false;
  auto a = artifact::Artifact::open(o.path, open);
  ASSERT_TRUE(a.ok()) << a.status().toString();
  ASSERT_TRUE(a->verifyWeights().ok());

  struct Case {
    std::string name;
    std::vector<std::string> parts;
    DType format;
  };
  for (const Case& c : {Case{"layers.0.attention.wqkv.weight",
                             {"layers.0.attention.wq.weight", "layers.0.attention.wk.weight",
                              "layers.0.attention.wv.weight"},
                             DType::Q8_0},
                        Case{"layers.0.feed_forward.w13.weight",
                             {"layers.0.feed_forward.w1.weight", "layers.0.feed_forward.w3.weight"},
                             DType::BF16}}) {
    SCOPED_TRACE(c.name);
    auto w = a->findWeight(c.name);
    ASSERT_TRUE(w.ok()) << w.status().toString();
    std::vector<uint8_t> expect = stackedParts(*spec, c.parts, c.format);
    ASSERT_FALSE(expect.empty());
    std::span<const uint8_t> got = a->weightBytes(*w);
    ASSERT_EQ(got.size(), expect.size());
    EXPECT_TRUE(std::equal(got.begin(), got.end(), expect.begin()));
  }
  fs::remove_all(dir);
}

}  // namespace
}  // namespace lac::emit
