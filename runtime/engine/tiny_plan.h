// Test-only: a hand-built plan for a tiny random 2-layer model that uses
// every kernel (fused and separate qkv / gate-up, rmsnorm_matmul split into
// three steps, matmul + add, a last-token-only logits row), written as a
// real .lac file with f32 weights, plus the same weights as a RefModel.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "runtime/artifact/plan.h"
#include "runtime/core/result.h"
#include "runtime/engine/reference_forward.h"

namespace lac::engine::testing {

struct TinyPlanOptions {
  uint32_t prefill_tokens = 8;  // prefill max_tokens (prompts longer run in chunks)
  uint32_t max_seq_len = 32;
  uint32_t max_batch = 2;
  bool random_weights = false;  // --no-weights plan
  plan::DType matrix_dtype = plan::DType::f32;  // random_weights only
  plan::DType kv_dtype = plan::DType::f32;      // the plan's KV cache dtype
};

// Dims: D 64, 2 layers, H 4, KV 2, hd 16, F 96, V 50, llama3 rope scaling.
RefModel makeTinyModel(uint64_t seed);

std::unique_ptr<plan::PlanT> makeTinyPlan(const RefModel& m, const TinyPlanOptions& o);

// Writes `m` as an artifact at `path` (weights from `m`, or none).
VoidResult writeTinyArtifact(const std::string& path, const RefModel& m, const TinyPlanOptions& o);

}  // namespace lac::engine::testing
