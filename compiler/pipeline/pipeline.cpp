#include "compiler/pipeline/pipeline.h"

#include <algorithm>

#include "compiler/conversion/Passes.h"
#include "dialects/Exec/Transforms/KernelTable.h"
#include "dialects/Exec/Transforms/Passes.h"
#include "dialects/InitAllDialects.h"
#include "dialects/Llama/Transforms/Passes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/Support/raw_ostream.h"

namespace lac::pipeline {

namespace {

// Runs `pm` on `module`; the first error diagnostic becomes the Result's
// one-line message (MLIR would otherwise print it with a location and notes).
VoidResult runCapturingErrors(mlir::PassManager& pm, mlir::ModuleOp module, const char* stage) {
  std::string first_error;
  mlir::ScopedDiagnosticHandler handler(module.getContext(), [&](mlir::Diagnostic& d) {
    if (d.getSeverity() == mlir::DiagnosticSeverity::Error && first_error.empty()) {
      llvm::raw_string_ostream os(first_error);
      os << d;
    }
    return mlir::success();
  });
  if (mlir::failed(pm.run(module))) {
    if (first_error.empty()) first_error = "a pass failed without a diagnostic";
    std::replace(first_error.begin(), first_error.end(), '\n', ' ');
    LAC_FAIL(Error::InvalidArgument, "%s: %s", stage, first_error.c_str());
  }
  return {};
}

void configure(mlir::PassManager& pm, const CompileOptions& opts) {
  if (opts.print_ir_after_all) {
    pm.getContext()->disableMultithreading();
    pm.enableIRPrinting(
        /*shouldPrintBeforePass=*/[](mlir::Pass*, mlir::Operation*) { return false; },
        /*shouldPrintAfterPass=*/[](mlir::Pass*, mlir::Operation*) { return true; },
        /*printModuleScope=*/true, /*printAfterOnlyOnChange=*/false);
  }
}

}  // namespace

void loadDialects(mlir::MLIRContext& ctx) {
  mlir::DialectRegistry registry;
  lac::registerAllDialects(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
}

VoidResult resolveOptions(const import::ModelSpec& spec, CompileOptions& opts) {
  LAC_CHECK_OR_RETURN(opts.target == "cpu" || opts.target == "cuda", Error::InvalidArgument,
                      "--target=%s: expected cpu or cuda", opts.target.c_str());
  // The formats each target's kernels read: the kernel registry
  // (runtime/schema/kernels.def, through the compiler's kernel table).
  const lac::exec_kernels::TargetKernels* kernels = lac::exec_kernels::lookupTargetKernels(opts.target);
  LAC_CHECK_OR_RETURN(kernels != nullptr, Error::Internal, "no kernel table for --target=%s", opts.target.c_str());
  std::string expected = "auto";
  bool known = opts.weight_format == "auto";
  for (size_t i = 0; i < kernels->formats.size(); ++i) {
    const std::string name = mlir::exec::stringifyWeightFormat(kernels->formats[i]).str();
    known |= opts.weight_format == name;
    expected += (i + 1 == kernels->formats.size() ? " or " : ", ") + name;
  }
  const bool cuda = opts.target == "cuda";
  LAC_CHECK_OR_RETURN(known, Error::InvalidArgument, "--weight-format=%s: expected %s for --target=%s%s",
                      opts.weight_format.c_str(), expected.c_str(), opts.target.c_str(),
                      cuda && (opts.weight_format == "q4_0" || opts.weight_format == "q4_1")
                          ? " (q4_0/q4_1 checkpoints repack losslessly into q4_g32, which auto picks)"
                          : "");
  LAC_CHECK_OR_RETURN(opts.weight_layout == "auto" || opts.weight_layout == "row_major", Error::InvalidArgument,
                      "--weight-layout=%s: expected auto or row_major", opts.weight_layout.c_str());
  const uint32_t context = spec.config.max_seq_len;
  if (opts.max_seq_len == 0) opts.max_seq_len = context ? std::min<uint32_t>(context, 4096) : 4096;
  LAC_CHECK_OR_RETURN(context == 0 || opts.max_seq_len <= context, Error::InvalidArgument,
                      "--max-seq-len=%u is above the model's context length %u", opts.max_seq_len, context);
  LAC_CHECK_OR_RETURN(opts.max_batch >= 1 && opts.max_batch <= 4096, Error::InvalidArgument,
                      "--max-batch=%u: expected 1 to 4096", opts.max_batch);
  LAC_CHECK_OR_RETURN(opts.tensor_parallel >= 1 && opts.tensor_parallel <= 64, Error::InvalidArgument,
                      "--tensor-parallel=%u: expected 1 to 64 ranks", opts.tensor_parallel);
  const import::ModelConfig& c = spec.config;
  const uint32_t n = opts.tensor_parallel;

  LAC_CHECK_OR_RETURN(n == 1 || (c.n_heads % n == 0 && c.n_kv_heads % n == 0 && c.ffn_dim % n == 0),
                      Error::InvalidArgument,
                      "--tensor-parallel=%u must divide the model's heads (%u), KV heads (%u) and ffn dim (%u): "
                      "each rank takes whole heads",
                      n, c.n_heads, c.n_kv_heads, c.ffn_dim);
  if (opts.kv_dtype == "auto") opts.kv_dtype = cuda ? "f32" : "f16";
  LAC_CHECK_OR_RETURN(opts.kv_dtype == "f16" || opts.kv_dtype == "f32", Error::InvalidArgument,
                      "--kv-dtype=%s: expected auto, f16 or f32", opts.kv_dtype.c_str());
  return {};
}

VoidResult fuse(mlir::ModuleOp module, const CompileOptions& opts) {
  mlir::PassManager pm(module.getContext());
  configure(pm, opts);
  lac::buildLlamaFusionPipeline(pm);
  return runCapturingErrors(pm, module, "fusion");
}

VoidResult lowerToPlannedExec(mlir::ModuleOp module, const CompileOptions& opts) {
  mlir::PassManager pm(module.getContext());
  configure(pm, opts);
  lac::LacConvertLlamaToExecOptions lower;
  lower.target = opts.target;
  pm.addPass(lac::createLacConvertLlamaToExec(lower));
  if (opts.tensor_parallel > 1) {
    lac::LacShardTensorParallelOptions shard;
    shard.ranks = opts.tensor_parallel;
    pm.addPass(lac::createLacShardTensorParallel(shard));
  }
  lac::LacSelectWeightFormatsOptions formats;
  formats.weightFormat = opts.weight_format;
  formats.weightLayout = opts.weight_layout;
  pm.addPass(lac::createLacSelectWeightFormats(formats));
  lac::LacPlanMemoryOptions plan;
  plan.maxSeqLen = opts.max_seq_len;
  plan.maxBatch = opts.max_batch;
  plan.kvDtype = opts.kv_dtype;
  plan.print = opts.print_memory_plan;
  pm.addPass(lac::createLacPlanMemory(plan));
  return runCapturingErrors(pm, module, "lowering");
}

}  // namespace lac::pipeline
