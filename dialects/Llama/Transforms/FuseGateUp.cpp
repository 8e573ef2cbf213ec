//===- FuseGateUp.cpp - lac-fuse-gate-up -----------------------------------===//
//
// swiglu(linear(x, w1), linear(x, w3)) -> swiglu_linear(x, w1, w3)
//
//===----------------------------------------------------------------------===//

#include "dialects/Llama/Transforms/PassDetail.h"
#include "dialects/Llama/Transforms/Passes.h"

namespace lac {
#define GEN_PASS_DEF_LACFUSEGATEUP
#include "dialects/Llama/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::llama;

namespace {

struct FuseGateUpPattern : OpRewritePattern<SwigluOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(SwigluOp swiglu,
                                PatternRewriter &rewriter) const override {
    auto gate = swiglu.getGate().getDefiningOp<LinearOp>();
    auto up = swiglu.getUp().getDefiningOp<LinearOp>();
    if (!gate || !up || gate == up)
      return rewriter.notifyMatchFailure(swiglu, "gate/up not two linears");
    // Other users would still need the unfused projections.
    if (!gate->hasOneUse() || !up->hasOneUse())
      return rewriter.notifyMatchFailure(swiglu, "a projection has other users");
    if (gate.getInput() != up.getInput())
      return rewriter.notifyMatchFailure(swiglu, "gate/up read different inputs");
    if (!lac::detail::sameNormPrologue(gate, up))
      return rewriter.notifyMatchFailure(swiglu, "gate/up norm prologues differ");

    rewriter.replaceOpWithNewOp<SwigluLinearOp>(
        swiglu, swiglu.getType(), gate.getInput(), gate.getWeightAttr(),
        up.getWeightAttr(), gate.getNormWeightAttr(), gate.getNormEpsAttr());
    rewriter.eraseOp(gate);
    rewriter.eraseOp(up);
    return success();
  }
};

struct LacFuseGateUpPass : lac::impl::LacFuseGateUpBase<LacFuseGateUpPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseGateUpPattern>(&getContext());
    if (failed(lac::detail::applyFusionPatterns(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
