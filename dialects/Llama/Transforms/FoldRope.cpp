//===- FoldRope.cpp - lac-fold-rope ----------------------------------------===//
//
// attention(rope(q, pos), rope(k, pos), v, pos) -> attention(q, k, v, pos) {rope}
//
//===----------------------------------------------------------------------===//

#include "dialects/Llama/Transforms/PassDetail.h"
#include "dialects/Llama/Transforms/Passes.h"

namespace lac {
#define GEN_PASS_DEF_LACFOLDROPE
#include "dialects/Llama/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::llama;

namespace {

struct FoldRopePattern : OpRewritePattern<AttentionOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AttentionOp attn,
                                PatternRewriter &rewriter) const override {
    if (attn.getRopeAttr())
      return rewriter.notifyMatchFailure(attn, "rope already folded");
    auto q = attn.getQ().getDefiningOp<RopeOp>();
    auto k = attn.getK().getDefiningOp<RopeOp>();
    if (!q || !k)
      return rewriter.notifyMatchFailure(attn, "q and k are not both roped");
    // hasOneUse also rejects one rope feeding both q and k.
    if (!q->hasOneUse() || !k->hasOneUse())
      return rewriter.notifyMatchFailure(attn, "a rope has other users");
    if (q.getRopeAttr() != k.getRopeAttr())
      return rewriter.notifyMatchFailure(attn, "q and k rope parameters differ");
    if (q.getPositions() != attn.getPositions() ||
        k.getPositions() != attn.getPositions())
      return rewriter.notifyMatchFailure(attn, "rope positions are not the attention's");

    RopeAttr rope = q.getRopeAttr();
    rewriter.modifyOpInPlace(attn, [&] {
      attn.getQMutable().assign(q.getInput());
      attn.getKMutable().assign(k.getInput());
      attn.setRopeAttr(rope);
    });
    rewriter.eraseOp(q);
    rewriter.eraseOp(k);
    return success();
  }
};

struct LacFoldRopePass : lac::impl::LacFoldRopeBase<LacFoldRopePass> {
  void runOnOperation() override {
    RewritePatternSet patterns(&getContext());
    patterns.add<FoldRopePattern>(&getContext());
    if (failed(lac::detail::applyFusionPatterns(getOperation(), std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
