// The generated plan schema (runtime/schema/plan.fbs), plus the glue between
// its enums and the runtime's: DType numbering, names for messages.
#pragma once

#include <string_view>

#include "runtime/core/dtype.h"
#include "runtime/schema/plan_generated.h"

namespace lac::artifact {

// plan.fbs promises lac::DType's numbering; keep them in step.
static_assert(int(plan::DType::f32) == int(DType::F32) && int(plan::DType::f16) == int(DType::F16) &&
              int(plan::DType::bf16) == int(DType::BF16) && int(plan::DType::q8_0) == int(DType::Q8_0) &&
              int(plan::DType::q4_0) == int(DType::Q4_0) && int(plan::DType::q4_1) == int(DType::Q4_1) &&
              int(plan::DType::q5_0) == int(DType::Q5_0) && int(plan::DType::q5_1) == int(DType::Q5_1) &&
              int(plan::DType::q4_k) == int(DType::Q4_K) && int(plan::DType::q5_k) == int(DType::Q5_K) &&
              int(plan::DType::q6_k) == int(DType::Q6_K) && int(plan::DType::i32) == int(DType::I32) &&
              int(plan::DType::q4_g32) == int(DType::Q4_G32),
              "plan.fbs DType must number its values like runtime/core/dtype.h");

inline bool isKnown(plan::DType d) { return d >= plan::DType::MIN && d <= plan::DType::MAX; }
inline DType toDType(plan::DType d) { return static_cast<DType>(d); }
inline plan::DType toPlanDType(DType d) { return static_cast<plan::DType>(d); }

// The ranks a plan is split over (Plan.tensor_parallel; 0 means 1).
inline uint32_t tensorParallelOf(const plan::Plan& p) { return p.tensor_parallel() > 1 ? p.tensor_parallel() : 1; }

// The plan inside a verified buffer.
inline const plan::Plan* planOf(const void* buf) { return plan::GetPlan(buf); }

}  // namespace lac::artifact
