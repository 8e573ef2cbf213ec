//===- Pipeline.cpp - registration and the lac-llama-fusions pipeline ------===//

#include "dialects/Llama/Transforms/Passes.h"

#include "dialects/Llama/IR/LlamaDialect.h"

#include "mlir/Pass/PassRegistry.h"

namespace lac {
namespace {
#define GEN_PASS_REGISTRATION
#include "dialects/Llama/Transforms/Passes.h.inc"
} // namespace

// Order: the two projection fusions first, so fold-norm folds each norm into
// one fused op (not into each of its projections); residual and rope folds
// are independent of the rest.
void buildLlamaFusionPipeline(mlir::OpPassManager &pm) {
  pm.addPass(createLacFuseQkv());
  pm.addPass(createLacFuseGateUp());
  pm.addPass(createLacFoldNorm());
  pm.addPass(createLacFoldResidual());
  pm.addPass(createLacFoldRope());
}

void registerLlamaTransformsPasses() {
  registerLlamaTransformsGenPasses();
  mlir::PassPipelineRegistration<>(
      "lac-llama-fusions",
      "Every llama fusion in order: fuse-qkv, fuse-gate-up, fold-norm, "
      "fold-residual, fold-rope",
      buildLlamaFusionPipeline);
}

} // namespace lac
