//===- PassDetail.h - helpers shared by the fusion passes ------------------===//
#pragma once

#include "dialects/Llama/IR/LlamaOps.h"

#include "mlir/IR/PatternMatch.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace lac::detail {

// Applies `patterns` to everything nested under `root` with the greedy
// driver; no region simplification (entry points keep their blocks).
inline mlir::LogicalResult applyFusionPatterns(mlir::Operation *root,
                                               mlir::RewritePatternSet &&patterns) {
  mlir::GreedyRewriteConfig config;
  config.enableRegionSimplification = mlir::GreedySimplifyRegionLevel::Disabled;
  return mlir::applyPatternsAndFoldGreedily(root, std::move(patterns), config);
}

// The norm prologue attributes of a linear-family op (null when absent).
inline mlir::Attribute normWeightOf(mlir::Operation *op) {
  return op->getAttr("norm_weight");
}
inline mlir::Attribute normEpsOf(mlir::Operation *op) {
  return op->getAttr("norm_eps");
}

// Two linear-family ops normalize their input the same way (or not at all).
inline bool sameNormPrologue(mlir::Operation *a, mlir::Operation *b) {
  return normWeightOf(a) == normWeightOf(b) && normEpsOf(a) == normEpsOf(b);
}

} // namespace lac::detail
