// Internal to compiler/emit/: the two halves of buildPlan.
//   plan_model.cpp  ModelSpec -> config, tokenizer, chat, stop tokens, generation
//   plan_ir.cpp     exec IR   -> target, limits, weights, KV cache, entry points
#pragma once

#include "compiler/emit/emit.h"
#include "runtime/artifact/plan.h"

namespace mlir {
class ModuleOp;
}

namespace lac::emit {

VoidResult addModelParts(plan::PlanT& p, const import::ModelSpec& spec, const EmitOptions& opts);

VoidResult addIrParts(plan::PlanT& p, mlir::ModuleOp module, const EmitOptions& opts);

// The weight table of `p` as provider requests (index order); a fused
// weight's parts come from its exec.weight's `concat_of` in `module`.
std::vector<ExecWeightInfo> weightInfos(const plan::PlanT& p, mlir::ModuleOp module);

}  // namespace lac::emit
