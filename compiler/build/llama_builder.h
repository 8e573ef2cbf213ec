// buildLlamaModule: a ModelSpec -> the unfused `llama` MLIR module.
//
// The module holds one `llama.weight` per ModelSpec tensor (same names, the
// logical f32 shape; the bytes stay in the checkpoint) and two entry points:
//
//   func.func @prefill(%tokens: tensor<?xi32>, %pos: tensor<?xi32>) -> tensor<1xVxf32>
//   func.func @decode(%tokens: tensor<1xi32>, %pos: tensor<1xi32>) -> tensor<1xVxf32>
//
// Sequences: ONE SEQUENCE PER CALL. llama.attention takes (q, k, v,
// positions) and no sequence ids, so every token of a call belongs to the one
// sequence whose KV cache the runtime binds for that call. @prefill takes T
// prompt tokens at positions p0 .. p0+T-1 (a chunk of a prompt continues at
// the next position) and returns the last token's logits; @decode takes the
// sequence's next token and returns its logits. Batching several sequences
// would need a seq-ids operand on llama.attention (a dialect change).
//
// Graph (the unfused form; dialects/Llama/Transforms fuses it):
//   h = embedding(tok_embeddings)[tokens]                       // [T, D]
//   per layer i:
//     n = rms_norm(h, attention_norm)
//     q, k, v = linear(n, wq), linear(n, wk), linear(n, wv)      // [T, H*hd], [T, KV*hd]
//     q, k, v = split_heads(q), split_heads(k), split_heads(v)  // [T, H|KV, hd]
//     q, k = rope(q, pos), rope(k, pos)
//     a = attention(q, k, v, pos) {layer = i}                   // [T, H*hd]
//     h = add(h, linear(a, wo))
//     n = rms_norm(h, ffn_norm)
//     h = add(h, linear(swiglu(linear(n, w1), linear(n, w3)), w2))
//   logits = lm_head(rms_norm(h, norm), output | tok_embeddings if tied)
#pragma once

#include "compiler/import/model_spec.h"
#include "runtime/core/result.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"

namespace lac::build {

struct BuildOptions {
  bool prefill = true;  // emit @prefill
  bool decode = true;   // emit @decode
  bool verify = true;   // run mlir::verify on the result (an Internal error if it fails)
};

// The module, or an error: InvalidCheckpoint when a tensor the graph needs is
// missing or has the wrong shape, Unsupported for configurations the graph
// cannot express, InvalidArgument when no entry point is asked for.
Result<mlir::OwningOpRef<mlir::ModuleOp>> buildLlamaModuleOrError(
    const import::ModelSpec& spec, mlir::MLIRContext& context,
    const BuildOptions& options = {});

// The same; on error, emits the message as an MLIR error diagnostic (unknown
// location) and returns a null module.
mlir::OwningOpRef<mlir::ModuleOp> buildLlamaModule(const import::ModelSpec& spec,
                                                   mlir::MLIRContext& context,
                                                   const BuildOptions& options = {});

}  // namespace lac::build
