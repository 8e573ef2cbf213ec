//===- KernelTable.cpp - per-target kernel tables --------------------------===//

#include "dialects/Exec/Transforms/KernelTable.h"

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::exec;

namespace lac::exec_kernels {

//===----------------------------------------------------------------------===//
// CPU: every matmul-family kernel and the embedding gather read all six
// storage formats; norms read f32.
//===----------------------------------------------------------------------===//

static constexpr WeightFormat kCpuFormats[] = {
    WeightFormat::f32,  WeightFormat::f16,  WeightFormat::bf16,
    WeightFormat::q8_0, WeightFormat::q4_0, WeightFormat::q4_1};

static const KernelEntry kCpuKernels[] = {
    {"exec.embed", "embed", kCpuFormats},
    {"exec.matmul", "matmul", kCpuFormats},
    {"exec.matmul_residual", "matmul_residual", kCpuFormats},
    {"exec.rmsnorm_matmul", "rmsnorm_matmul", kCpuFormats},
    {"exec.rmsnorm_gate_up_silu", "rmsnorm_gate_up_silu", kCpuFormats},
    {"exec.final_norm_lm_head", "final_norm_lm_head", kCpuFormats},
    {"exec.rmsnorm", "rmsnorm", {}},
    {"exec.rope_kv_attention", "rope_kv_attention", {}},
    {"exec.add", "add", {}},
    {"exec.silu_mul", "silu_mul", {}},
};

//===----------------------------------------------------------------------===//
// CUDA (runtime/kernels/cuda/launch.h): the matmul family and the embedding
// gather read f32, f16, bf16, q8_0 (GGML blocks) and q4_g32 (LAC's planar
// int4 rows, which q4_0/q4_1 repack into losslessly); GGML's q4_0/q4_1 block
// layouts have no CUDA kernel. Norms read f32. The kernels are built for
// sm_80 and sm_90 (bf16 tensor cores need Ampere), hence min_cuda_arch 80.
//===----------------------------------------------------------------------===//

static constexpr WeightFormat kCudaFormats[] = {
    WeightFormat::f32, WeightFormat::f16, WeightFormat::bf16,
    WeightFormat::q8_0, WeightFormat::q4_g32};

static const KernelEntry kCudaKernels[] = {
    {"exec.embed", "embed", kCudaFormats},
    {"exec.matmul", "matmul", kCudaFormats},
    {"exec.matmul_residual", "matmul_residual", kCudaFormats},
    {"exec.rmsnorm_matmul", "rmsnorm_matmul", kCudaFormats},
    {"exec.rmsnorm_gate_up_silu", "rmsnorm_gate_up_silu", kCudaFormats},
    {"exec.final_norm_lm_head", "final_norm_lm_head", kCudaFormats},
    {"exec.rmsnorm", "rmsnorm", {}},
    {"exec.rope_kv_attention", "rope_kv_attention", {}},
    {"exec.add", "add", {}},
    {"exec.silu_mul", "silu_mul", {}},
};

static const TargetKernels kTargets[] = {
    {"cpu", Backend::cpu, kCpuKernels, kCpuFormats, /*minCudaArch=*/0},
    {"cuda", Backend::cuda, kCudaKernels, kCudaFormats, /*minCudaArch=*/80},
};

//===----------------------------------------------------------------------===//
// Lookup
//===----------------------------------------------------------------------===//

const KernelEntry *TargetKernels::find(StringRef opName) const {
  for (const KernelEntry &k : kernels)
    if (k.op == opName)
      return &k;
  return nullptr;
}

const TargetKernels *lookupTargetKernels(StringRef name) {
  for (const TargetKernels &t : kTargets)
    if (t.name == name)
      return &t;
  return nullptr;
}

const TargetKernels *lookupTargetKernels(Backend backend) {
  for (const TargetKernels &t : kTargets)
    if (t.backend == backend)
      return &t;
  return nullptr;
}

TargetAttr makeTargetAttr(MLIRContext *ctx, const TargetKernels &target) {
  return TargetAttr::get(ctx, target.backend, target.formats);
}

//===----------------------------------------------------------------------===//
// Weight roles
//===----------------------------------------------------------------------===//

SmallVector<FlatSymbolRefAttr> matrixWeights(Operation *op) {
  return llvm::TypeSwitch<Operation *, SmallVector<FlatSymbolRefAttr>>(op)
      .Case([](EmbedOp o) { return SmallVector<FlatSymbolRefAttr>{o.getTableAttr()}; })
      .Case([](MatmulOp o) { return SmallVector<FlatSymbolRefAttr>{o.getWeightAttr()}; })
      .Case([](MatmulResidualOp o) { return SmallVector<FlatSymbolRefAttr>{o.getWeightAttr()}; })
      .Case([](FinalNormLmHeadOp o) { return SmallVector<FlatSymbolRefAttr>{o.getWeightAttr()}; })
      .Case([](RmsNormGateUpSiluOp o) {
        return SmallVector<FlatSymbolRefAttr>{o.getGateUpAttr()};
      })
      .Case([](RmsNormMatmulOp o) {
        return SmallVector<FlatSymbolRefAttr>{o.getWeightAttr()};
      })
      .Default([](Operation *) { return SmallVector<FlatSymbolRefAttr>{}; });
}

SmallVector<FlatSymbolRefAttr> normWeights(Operation *op) {
  return llvm::TypeSwitch<Operation *, SmallVector<FlatSymbolRefAttr>>(op)
      .Case([](RmsNormOp o) { return SmallVector<FlatSymbolRefAttr>{o.getWeightAttr()}; })
      .Case<RmsNormMatmulOp, RmsNormGateUpSiluOp, FinalNormLmHeadOp>([](auto o) {
        return SmallVector<FlatSymbolRefAttr>{o.getNormWeightAttr()};
      })
      .Default([](Operation *) { return SmallVector<FlatSymbolRefAttr>{}; });
}

//===----------------------------------------------------------------------===//
// Format precision (a fused weight takes the most precise of its parts)
//===----------------------------------------------------------------------===//

static int precision(WeightFormat f) {
  switch (f) {
  case WeightFormat::f32: return 7;
  case WeightFormat::f16: return 6;
  case WeightFormat::bf16: return 5;
  case WeightFormat::q8_0: return 4;
  case WeightFormat::q4_g32: return 3; // holds every q4_0 and q4_1 value exactly
  case WeightFormat::q4_1: return 2;
  case WeightFormat::q4_0: return 1;
  }
  return 0;
}

WeightFormat morePrecise(WeightFormat a, WeightFormat b) {
  return precision(b) > precision(a) ? b : a;
}

//===----------------------------------------------------------------------===//
// Kernel variants
//===----------------------------------------------------------------------===//

LogicalResult assignKernels(ModuleOp module, const TargetKernels &target) {
  SymbolTable symbols(module);
  auto result = module.walk([&](Operation *op) -> WalkResult {
    if (!op->hasAttr("kernel") || !isa<ExecDialect>(op->getDialect()))
      return WalkResult::advance();
    const KernelEntry *entry = target.find(op->getName().getStringRef());
    if (!entry)
      return op->emitOpError("target '") << target.name << "' has no kernel for this op";
    std::string variant = (target.name + "." + entry->kernel).str();
    std::optional<WeightFormat> format;
    for (FlatSymbolRefAttr ref : matrixWeights(op)) {
      auto weight = symbols.lookup<WeightOp>(ref.getValue());
      if (!weight)
        return op->emitOpError("weight ") << ref << " does not name an exec.weight";
      if (format && *format != weight.getFormat())
        return op->emitOpError("weights of one kernel must share a format, got ")
               << stringifyWeightFormat(*format) << " and "
               << stringifyWeightFormat(weight.getFormat()) << " (" << ref << ")";
      format = weight.getFormat();
    }
    if (format) {
      if (!llvm::is_contained(entry->formats, *format))
        return op->emitOpError("target '") << target.name << "' has no " << entry->kernel
                                           << " kernel for " << stringifyWeightFormat(*format)
                                           << " weights";
      variant += "." + stringifyWeightFormat(*format).str();
    }
    op->setAttr("kernel", StringAttr::get(op->getContext(), variant));
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

} // namespace lac::exec_kernels
