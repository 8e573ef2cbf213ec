//===- KernelTable.h - which kernels a target has, and their names ---------===//
//
// One table per target (cpu, cuda), built from the kernel registry
// (runtime/schema/kernels.def, shared with the runtime): for every exec
// kernel op, the kernel's name and the weight formats its implementations
// read. An exec op the registry does not list (exec.silu_mul: no runtime
// kernel) has no kernel on any target, so lowering refuses it. Lowering (lac-convert-llama-to-exec) and format selection
// (lac-select-weight-formats) both name kernel variants through here:
//   "<target>.<kernel>[.<format of its matrix weights>]"
//   e.g. "cpu.matmul.q4_1", "cpu.rmsnorm_matmul.q8_0", "cpu.add",
//   "cuda.matmul.q4_g32".
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dialects/Exec/IR/ExecDialect.h"
#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/StringRef.h"

namespace lac::exec_kernels {

using mlir::exec::WeightFormat;

struct KernelEntry {
  llvm::StringRef op;      // "exec.matmul"
  llvm::StringRef kernel;  // "matmul"
  // Formats of the matrix weights an implementation exists for; empty: the
  // kernel reads no matrix (norm weights are always f32).
  llvm::ArrayRef<WeightFormat> formats;
};

struct TargetKernels {
  llvm::StringRef name;  // "cpu"
  mlir::exec::Backend backend;
  llvm::ArrayRef<KernelEntry> kernels;
  // Every format some kernel reads: the #exec.target's format list.
  llvm::ArrayRef<WeightFormat> formats;
  // The oldest GPU the target's kernels run on (compute capability x 10,
  // e.g. 80 for sm_80); 0 for a CPU target. It is the
  // #exec.target's `min_cuda_arch` (plan TargetInfo.min_cuda_arch).
  unsigned minCudaArch = 0;

  const KernelEntry *find(llvm::StringRef opName) const;
};

// The table of target `name` ("cpu", "cuda"), or null.
const TargetKernels *lookupTargetKernels(llvm::StringRef name);
const TargetKernels *lookupTargetKernels(mlir::exec::Backend backend);

mlir::exec::TargetAttr makeTargetAttr(mlir::MLIRContext *ctx, const TargetKernels &target);

// Weight roles of a kernel op: matrices (formats chosen per target) and norm
// vectors (always f32).
llvm::SmallVector<mlir::FlatSymbolRefAttr> matrixWeights(mlir::Operation *op);
llvm::SmallVector<mlir::FlatSymbolRefAttr> normWeights(mlir::Operation *op);

// The more precise of two formats
// (f32 > f16 > bf16 > q8_0 > q4_g32 > q4_1 > q4_0).
WeightFormat morePrecise(WeightFormat a, WeightFormat b);

// Sets `kernel` on every kernel op of `module` from its matrix weights'
// format; an op whose matrices disagree in format, or that the target has no
// kernel for, is an error (emitted on the op).
mlir::LogicalResult assignKernels(mlir::ModuleOp module, const TargetKernels &target);

} // namespace lac::exec_kernels
