//===- Passes.h - `llama` fusion passes ------------------------------------===//
//
// The fusion passes of Passes.td and their one registration point. Each pass
// rewrites unfused `llama` IR (compiler/build) into one fused form; the
// `lac-llama-fusions` pipeline runs them all in the order that makes each
// one's input the previous one's output. See docs/PASSES.md.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <memory>

#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"

namespace lac {

// createLacFuseQkv(), createLacFuseGateUp(), createLacFoldNorm(),
// createLacFoldResidual(), createLacFoldRope().
#define GEN_PASS_DECL
#include "dialects/Llama/Transforms/Passes.h.inc"

// Adds the fusion passes, in order, to `pm` (anchored on a module or a func):
// fuse-qkv, fuse-gate-up, fold-norm, fold-residual, fold-rope.
void buildLlamaFusionPipeline(mlir::OpPassManager &pm);

// Registers every pass above and the `lac-llama-fusions` pipeline with the
// global registry (for lac-opt and lac-compile's --pass-pipeline).
void registerLlamaTransformsPasses();

} // namespace lac
