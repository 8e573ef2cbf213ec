//===- Passes.td - `llama` fusion passes ---------------------*- tablegen -*-===//
//
// The fusion passes rewrite the unfused model IR that compiler/build emits
// into the fused ops of LlamaOps.td, one fusion per pass, so each can be run
// and tested alone (`lac-opt --lac-fuse-qkv`). `lac-llama-fusions` runs them
// all in order. Every pass is op-agnostic: it rewrites whatever it is
// anchored on (a module or a func.func) with the greedy pattern driver.
//
//===----------------------------------------------------------------------===//

#ifndef LAC_LLAMA_TRANSFORMS_PASSES
#define LAC_LLAMA_TRANSFORMS_PASSES

include "mlir/Pass/PassBase.td"

def LacFuseQkv : Pass<"lac-fuse-qkv"> {
  let summary = "Fuse the q, k and v projections into llama.qkv_linear";
  let description = [{
    Finds the three `llama.linear` ops that produce an attention's q, k and
    v (through `llama.split_heads` and, on q/k, an optional `llama.rope`)
    and replaces them by one `llama.qkv_linear`. The linears must read the
    same input with the same (or no) norm prologue.

    Rationale: the three projections read the same activations; as one op
    the backend makes one pass over x (one norm prologue, one launch) with
    the weights concatenated row-wise into a [(H + 2 KV) * hd, D] matrix.
    That concatenation happens when weights are packed into the artifact;
    the op keeps the three weight symbols (`wq`, `wk`, `wv`, in that order
    of rows) and nothing is copied here.
  }];
  let dependentDialects = ["mlir::llama::LlamaDialect"];
}

def LacFuseGateUp : Pass<"lac-fuse-gate-up"> {
  let summary = "Fuse linear w1, linear w3 and swiglu into llama.swiglu_linear";
  let description = [{
    Replaces `llama.swiglu(llama.linear(x, @w1), llama.linear(x, @w3))` by
    `llama.swiglu_linear x, @w1, @w3` when both linears read the same input
    with the same (or no) norm prologue and the swiglu is their only user.

    Rationale: the gate and up projections read the same activations and
    their [T, F] results are consumed elementwise right away; fused, the
    backend never writes the two F-wide intermediates to memory and makes
    one pass over x.
  }];
  let dependentDialects = ["mlir::llama::LlamaDialect"];
}

def LacFoldNorm : Pass<"lac-fold-norm"> {
  let summary = "Fold llama.rms_norm into its consumers' norm prologue";
  let description = [{
    An `llama.rms_norm` whose users are all `llama.linear`,
    `llama.qkv_linear`, `llama.swiglu_linear` or `llama.lm_head` without a
    prologue of their own is removed; each user gets `norm_weight` and
    `norm_eps` and reads the un-normalized input. A norm with any other user
    (an add, a rope, a norm already folded into the user) stays unchanged:
    folding it into only some users would not remove it.

    Rationale: rms_norm is a memory-bound pass over [T, D]; as a prologue of
    the matmul that follows, the normalized row is computed on the fly and
    never stored. Run it after lac-fuse-qkv and lac-fuse-gate-up, so the norm
    is computed once per fused op rather than once per projection.
  }];
  let dependentDialects = ["mlir::llama::LlamaDialect"];
}

def LacFoldResidual : Pass<"lac-fold-residual"> {
  let summary = "Fold a residual add into the preceding llama.linear";
  let description = [{
    Replaces `llama.add(llama.linear(x, @w), r)` (either operand order) by
    `llama.linear_residual x, @w, r` when the add is the linear's only user
    and the linear has no norm prologue (linear_residual has none).

    Rationale: the add reads the matmul result right after it is written;
    as the matmul's epilogue (wo and w2 in every layer) the [T, D] sum is
    written once instead of written, read and written again.
  }];
  let dependentDialects = ["mlir::llama::LlamaDialect"];
}

def LacFoldRope : Pass<"lac-fold-rope"> {
  let summary = "Fold llama.rope on q and k into llama.attention";
  let description = [{
    When an `llama.attention` without a `rope` attribute reads q and k from
    two `llama.rope` ops with the same `rope` parameters and the attention's
    own positions, and the attention is each rope's only user, the ropes are
    removed and the attention gets their `rope` attribute (it then rotates
    q and k itself). Anything else (one side roped, different parameters or
    positions, a rope with other users) stays unchanged.

    Rationale: rotating q and k while they are loaded for attention (and k
    before it is appended to the KV cache) saves two passes over q and k and
    matches the runtime's fused rope + KV-append + attention kernel.
  }];
  let dependentDialects = ["mlir::llama::LlamaDialect"];
}

#endif // LAC_LLAMA_TRANSFORMS_PASSES
