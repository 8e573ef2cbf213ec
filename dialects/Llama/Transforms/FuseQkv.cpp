//===- FuseQkv.cpp - lac-fuse-qkv ------------------------------------------===//
//
// attention(split(rope?(linear(x, wq))), split(rope?(linear(x, wk))),
//           split(linear(x, wv)))
//   -> %q, %k, %v = qkv_linear(x, wq, wk, wv), feeding the same chain.
//
//===----------------------------------------------------------------------===//

#include "dialects/Llama/Transforms/PassDetail.h"
#include "dialects/Llama/Transforms/Passes.h"

namespace lac {
#define GEN_PASS_DEF_LACFUSEQKV
#include "dialects/Llama/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::llama;

namespace {

// The projection behind an attention operand: [rope ->] split_heads -> linear.
LinearOp projectionOf(Value v) {
  if (auto rope = v.getDefiningOp<RopeOp>())
    v = rope.getInput();
  auto split = v.getDefiningOp<SplitHeadsOp>();
  return split ? split.getInput().getDefiningOp<LinearOp>() : LinearOp();
}

struct FuseQkvPattern : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp attn,
                                PatternRewriter &rewriter) const override {
    LinearOp q = projectionOf(attn.getQ()), k = projectionOf(attn.getK()),
             v = projectionOf(attn.getV());
    if (!q || !k || !v)
      return rewriter.notifyMatchFailure(attn, "q/k/v not all from a linear");
    if (q == k || q == v || k == v)
      return rewriter.notifyMatchFailure(attn, "q/k/v share a linear");
    if (q.getInput() != k.getInput() || q.getInput() != v.getInput())
      return rewriter.notifyMatchFailure(attn, "q/k/v linears read different inputs");
    if (!lac::detail::sameNormPrologue(q, k) || !lac::detail::sameNormPrologue(q, v))
      return rewriter.notifyMatchFailure(attn, "q/k/v norm prologues differ");
    Block *block = q->getBlock();
    if (k->getBlock() != block || v->getBlock() != block)
      return rewriter.notifyMatchFailure(attn, "q/k/v linears in different blocks");

    // Insert at the first of the three: x dominates it, and every use of the
    // three results comes after it.
    Operation *first = q;
    for (Operation *op : {k.getOperation(), v.getOperation()})
      if (op->isBeforeInBlock(first))
        first = op;
    rewriter.setInsertionPoint(first);
    auto fused = rewriter.create<QkvLinearOp>(
        rewriter.getFusedLoc({q.getLoc(), k.getLoc(), v.getLoc()}),
        q.getType(), k.getType(), v.getType(), q.getInput(), q.getWeightAttr(),
        k.getWeightAttr(), v.getWeightAttr(), q.getNormWeightAttr(),
        q.getNormEpsAttr());
    rewriter.replaceOp(q, fused.getQ());
    rewriter.replaceOp(k, fused.getK());
    rewriter.replaceOp(v, fused.getV());
    return success();
  }
};

struct LacFuseQkvPass : lac::impl::LacFuseQkvBase<LacFuseQkvPass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseQkvPattern>(&getContext());
    if (failed(lac::detail::applyFusionPatterns(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
