// The cuBLASLt path of matmul (matmul_lt.cu), for f16/bf16 weights and
// enough tokens: x rounded to the weight's 16-bit type in the workspace
// (normalized on the way with `norm`), then one cuBLASLt matmul whose
// algorithm comes from a per-shape cache (the heuristic runs once per shape
// and context, not once per call).
#pragma once

#include <cuda_runtime_api.h>

#include "runtime/kernels/cuda/context.h"
#include "runtime/kernels/cuda/xnorm.cuh"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cuda {

// cudaErrorNotSupported when cuBLASLt has no algorithm for the shape (the
// caller falls back to the f32 GEMM; with norm.w the normalized rows are
// in norm.y by then), cudaErrorMemoryAllocation when the workspace is short.
cudaError_t ltMatmul(const CudaContext& ctx, const MatmulArgs& a, const XNorm& norm);

// The heuristic cache CudaContext::lt_algos points to.
void* createLtAlgoCache();
void destroyLtAlgoCache(void* cache);

}  // namespace lac::kernels::cuda
