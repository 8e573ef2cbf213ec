// The compiler's named pipeline: ModelSpec -> llama -> fused llama -> exec ->
// weight formats -> memory plan, one stage at a time so lac-compile can stop
// after any of them (--emit=llama-mlir|exec-mlir|plan-json|artifact).
//
//   stage            passes (each runs alone under lac-opt too)
//   build            compiler/build: buildLlamaModuleOrError
//   fuse             lac-llama-fusions (lac-fuse-qkv, lac-fuse-gate-up,
//                    lac-fold-norm, lac-fold-residual, lac-fold-rope)
//   lower            lac-convert-llama-to-exec{target=...}
//   select formats   lac-select-weight-formats{weight-format=... weight-layout=...}
//   plan memory      lac-plan-memory{max-seq-len=... max-batch=... kv-dtype=...}
#pragma once

#include <string>

#include "compiler/import/model_spec.h"
#include "runtime/core/result.h"

namespace mlir {
class MLIRContext;
class ModuleOp;
}  // namespace mlir

namespace lac::pipeline {

struct CompileOptions {
  std::string target = "cpu";           // cpu | cuda
  std::string weight_format = "auto";   // auto|f32|f16|bf16|q8_0 and q4_0|q4_1 (cpu) or q4_g32 (cuda)
  std::string weight_layout = "auto";   // auto (cpu: x8 for q8_0/q4_0/q4_1) | row_major
  uint32_t max_seq_len = 0;             // 0: min(model context, 4096)
  uint32_t max_batch = 1;
  uint32_t tensor_parallel = 1;         // ranks the plan is split over (lac-shard-tensor-parallel)
  std::string kv_dtype = "auto";        // auto (f16 on cpu; f32 on cuda until its f16 path has run on a GPU) | f16 | f32
  bool print_ir_after_all = false;      // every pass's output on stderr
  bool print_memory_plan = true;        // the planner's summary on stderr
};

// Checks options against the model; fills max_seq_len's default.
// InvalidArgument naming the option.
VoidResult resolveOptions(const import::ModelSpec& spec, CompileOptions& opts);

// (Building the unfused module is compiler/build's buildLlamaModuleOrError.)

// Runs the fusions on a llama module.
VoidResult fuse(mlir::ModuleOp module, const CompileOptions& opts);

// Lowers a fused llama module to a planned exec module: lowering, weight
// formats, memory planning.
VoidResult lowerToPlannedExec(mlir::ModuleOp module, const CompileOptions& opts);

// Registers what a context needs for all of the above.
void loadDialects(mlir::MLIRContext& ctx);

}  // namespace lac::pipeline
