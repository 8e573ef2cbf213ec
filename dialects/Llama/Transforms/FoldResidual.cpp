//===- FoldResidual.cpp - lac-fold-residual --------------------------------===//
//
// add(linear(x, w), r) | add(r, linear(x, w)) -> linear_residual(x, w, r)
//
//===----------------------------------------------------------------------===//

#include "dialects/Llama/Transforms/PassDetail.h"
#include "dialects/Llama/Transforms/Passes.h"

namespace lac {
#define GEN_PASS_DEF_LACFOLDRESIDUAL
#include "dialects/Llama/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::llama;

namespace {

// `v` comes from a plain linear (no norm prologue) whose only user is the add.
LinearOp foldableLinear(Value v) {
  auto linear = v.getDefiningOp<LinearOp>();
  if (!linear || !linear->hasOneUse() || linear.getNormWeightAttr())
    return {};
  return linear;
}

struct FoldResidualPattern : OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp add,
                                PatternRewriter &rewriter) const override {
    Value residual = add.getRhs();
    LinearOp linear = foldableLinear(add.getLhs());
    if (!linear) {
      linear = foldableLinear(add.getRhs());
      residual = add.getLhs();
    }
    if (!linear)
      return rewriter.notifyMatchFailure(add, "no operand is a single-use linear");

    rewriter.replaceOpWithNewOp<LinearResidualOp>(
        add, add.getType(), linear.getInput(), linear.getWeightAttr(), residual);
    rewriter.eraseOp(linear);
    return success();
  }
};

struct LacFoldResidualPass : lac::impl::LacFoldResidualBase<LacFoldResidualPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldResidualPattern>(&getContext());
    if (failed(lac::detail::applyFusionPatterns(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
