//===- KernelTable.cpp - per-target kernel tables --------------------------===//

#include "dialects/Exec/Transforms/KernelTable.h"

#include <cassert>
#include <vector>

#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::exec;

namespace lac::exec_kernels {

//===----------------------------------------------------------------------===//
// The tables, from the kernel registry (runtime/schema/kernels.def): every
// kernel on every target; a kernel that reads matrices takes the target's
// matrix formats, the others read none (norm weights are always f32).
//===----------------------------------------------------------------------===//

namespace {

struct RegistryKernel {
  const char *name;  // "rmsnorm_matmul"
  const char *op;    // "exec.rmsnorm_matmul"
  bool readsMatrix;
};
const RegistryKernel kRegistryKernels[] = {
#define LAC_KERNEL(Name, ExecOp, MinIn, MaxIn, Outs, MinW, MaxW, Layer, Eps, Matrix, Width, Attention,  \
                   ReadsMatrix)                                                                         \
  {#Name, ExecOp, ReadsMatrix != 0},
#include "runtime/schema/kernels.def"
};

struct RegistryFormat {
  const char *target;  // "cpu"
  const char *dtype;   // "Q4_1": runtime/core/dtype.h's name, the format's in capitals
};
const RegistryFormat kRegistryFormats[] = {
#define LAC_MATRIX_FORMAT(Tgt, Fmt) {#Tgt, #Fmt},
#include "runtime/schema/kernels.def"
};

// One target's table, with the storage its ArrayRefs point into.
struct BuiltTarget {
  std::vector<WeightFormat> formats;
  std::vector<KernelEntry> kernels;
  TargetKernels table;
};

BuiltTarget *buildTarget(StringRef name, Backend backend, unsigned minCudaArch) {
  auto *t = new BuiltTarget();  // lives for the process, as the tables did
  for (const RegistryFormat &f : kRegistryFormats)
    if (name == f.target) {
      std::optional<WeightFormat> wf = symbolizeWeightFormat(StringRef(f.dtype).lower());
      if (!wf)
        llvm::report_fatal_error("runtime/schema/kernels.def names a format the exec dialect lacks");
      t->formats.push_back(*wf);
    }
  for (const RegistryKernel &k : kRegistryKernels)
    t->kernels.push_back({k.op, k.name, k.readsMatrix ? ArrayRef<WeightFormat>(t->formats)
                                                      : ArrayRef<WeightFormat>()});
  t->table = {name, backend, t->kernels, t->formats, minCudaArch};
  return t;
}

// The CUDA kernels are built for sm_80 and sm_90 (bf16 tensor cores need
// Ampere), hence min_cuda_arch 80.
ArrayRef<const TargetKernels *> targets() {
  static const TargetKernels *const all[] = {&buildTarget("cpu", Backend::cpu, 0)->table,
                                             &buildTarget("cuda", Backend::cuda, 80)->table};
  return all;
}

}  // namespace

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
  for (const TargetKernels *t : targets())
    if (t->name == name)
      return t;
  return nullptr;
}

const TargetKernels *lookupTargetKernels(Backend backend) {
  for (const TargetKernels *t : targets())
    if (t->backend == backend)
      return t;
  return nullptr;
}

TargetAttr makeTargetAttr(MLIRContext *ctx, const TargetKernels &target) {
  return TargetAttr::get(ctx, target.backend, target.formats, target.minCudaArch);
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
