//===- AttentionGeometry.h - shared attention attribute checks -*- C++ -*-===//
//
// The rules both `llama.attention` and `exec.rope_kv_attention` verify on
// their layer / head attributes. Header only, so neither dialect depends on
// the other.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>

#include "mlir/IR/OpDefinition.h"

namespace lac::dialects {

template <typename OpT>
mlir::LogicalResult verifyAttentionGeometry(OpT op, int64_t n_heads, int64_t n_kv_heads, int64_t head_dim,
                                            int64_t layer) {
  if (layer < 0)
    return op.emitOpError("'layer' must be non-negative, got ") << layer;
  if (n_heads <= 0 || n_kv_heads <= 0 || head_dim <= 0)
    return op.emitOpError("n_heads, n_kv_heads and head_dim must be positive");
  if (n_heads % n_kv_heads != 0)
    return op.emitOpError("n_heads (") << n_heads << ") must be a multiple of n_kv_heads (" << n_kv_heads << ")";
  if (head_dim % 2 != 0)
    return op.emitOpError("head_dim must be even, got ") << head_dim;
  return mlir::success();
}

}  // namespace lac::dialects
