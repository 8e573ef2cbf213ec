#include "runtime/kernels/cuda/launch.h"
#include "runtime/kernels/cuda/sample.cuh"
#include "runtime/kernels/cuda/workspace.h"

namespace lac::kernels::cuda {

cudaError_t sample(const CudaContext& ctx, const SampleArgs& a) {
  if (a.batch == 0) return cudaSuccess;
  if (a.vocab <= 0 || a.vocab > (int64_t{1} << 30) || !(a.temperature >= 0.0f) ||
      !(a.top_p > 0.0f && a.top_p <= 1.0f) || a.top_k < 0)
    return cudaErrorInvalidValue;
  const size_t row_bytes = sampleRowBytes(a.vocab);
  if (row_bytes * static_cast<size_t>(a.batch) > ctx.workspace_bytes) return cudaErrorMemoryAllocation;
  sampleKernel<<<static_cast<unsigned>(a.batch), kSampleThreads, 0, ctx.stream>>>(
      a.logits, a.logits_stride, static_cast<int>(a.vocab), a.temperature, a.top_p, a.top_k,
      a.uniforms, a.tokens, a.logprobs, static_cast<uint8_t*>(ctx.workspace), row_bytes,
      alignUp(static_cast<size_t>(a.vocab) * 4));
  return launchError();
}

}  // namespace lac::kernels::cuda
