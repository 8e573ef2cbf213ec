//===- FoldNorm.cpp - lac-fold-norm ----------------------------------------===//
//
// %n = rms_norm %x, @w {eps}; users(linear|qkv_linear|swiglu_linear|lm_head %n)
//   -> users read %x with {norm_weight = @w, norm_eps = eps}
//
//===----------------------------------------------------------------------===//

#include "dialects/Llama/Transforms/PassDetail.h"
#include "dialects/Llama/Transforms/Passes.h"

namespace lac {
#define GEN_PASS_DEF_LACFOLDNORM
#include "dialects/Llama/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::llama;

namespace {

// An op that can take the norm as a prologue: one of the linear family, with
// no prologue yet. Their only activation operand is the input (operand 0).
bool canTakePrologue(Operation *user) {
  if (!isa<LinearOp, QkvLinearOp, SwigluLinearOp, LmHeadOp>(user))
    return false;
  return !lac::detail::normWeightOf(user) && !lac::detail::normEpsOf(user);
}

struct FoldNormPattern : OpRewritePattern<RmsNormOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(RmsNormOp norm,
                                PatternRewriter &rewriter) const override {
    if (norm->use_empty())
      return rewriter.notifyMatchFailure(norm, "no users");
    for (Operation *user : norm->getUsers())
      if (!canTakePrologue(user))
        return rewriter.notifyMatchFailure(norm, "a user cannot take the norm");

    // Collect first: rewriting operands edits the use list being walked.
    SmallVector<Operation *> users(norm->getUsers());
    for (Operation *user : users) {
      if (user->hasAttr("norm_weight"))
        continue;  // a user seen twice (never for these ops; keep it safe)
      rewriter.modifyOpInPlace(user, [&] {
        user->setOperand(0, norm.getInput());
        user->setAttr("norm_weight", norm.getWeightAttr());
        user->setAttr("norm_eps", norm.getEpsAttr());
      });
    }
    rewriter.eraseOp(norm);
    return success();
  }
};

struct LacFoldNormPass : lac::impl::LacFoldNormBase<LacFoldNormPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldNormPattern>(&getContext());
    if (failed(lac::detail::applyFusionPatterns(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
