// The CUDA kernels, one launcher per op (one .cu/.cuh pair per op behind it).
//
// Arguments are the CPU kernels' structs (runtime/kernels/kernel_args.h) with
// DEVICE pointers. Each launcher enqueues on ctx.stream and returns the launch
// error (cudaGetLastError); none synchronizes or allocates. Weight types:
// f32, f16, bf16, q8_0, q4_0, q4_1 (GGML blocks) and q4_g32 (planar, dtype.h).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "runtime/kernels/cuda/context.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cuda {

cudaError_t embedding(const CudaContext& ctx, const EmbeddingArgs& a);
cudaError_t rmsnorm(const CudaContext& ctx, const RmsNormArgs& a);
// rmsnorm into norm.y, then the matmul reading it (mm.x == norm.y).
cudaError_t rmsnormMatmul(const CudaContext& ctx, const RmsNormArgs& norm, const MatmulArgs& mm);
// n <= 8: GEMV (split-K when the rows are few); larger n: GEMM.
cudaError_t matmul(const CudaContext& ctx, const MatmulArgs& a);
cudaError_t rope(const CudaContext& ctx, const RopeArgs& a);  // freqs: device [head_dim/2]
// The KV cache is F32 or F16 (KvCacheView::dtype; cudaErrorNotSupported
// otherwise); attention computes in f32.
// Attention takes head_dim <= kAttentionMaxHeadDim (cudaErrorInvalidValue
// above; the engine refuses such a plan at load).
constexpr int64_t kAttentionMaxHeadDim = 256;
cudaError_t kvAppend(const CudaContext& ctx, const KvAppendArgs& a);
cudaError_t attentionPrefill(const CudaContext& ctx, const AttentionPrefillArgs& a);
cudaError_t attentionDecode(const CudaContext& ctx, const AttentionDecodeArgs& a);  // flash-decoding
cudaError_t swiglu(const CudaContext& ctx, const SwigluArgs& a);
// out = a + b elementwise; out may alias a or b.
cudaError_t add(const CudaContext& ctx, const float* a, const float* b, float* out, int64_t n_elems);

// Temperature, top-k and top-p (Meta's rule) sampling on the GPU; with the
// same uniform it picks the token the CPU Sampler (runtime/sampling) picks
// with top_k / top_p set alike and no penalty / min-p.
struct SampleArgs {
  const float* logits = nullptr;  // [batch, vocab], row stride logits_stride
  int64_t logits_stride = 0, batch = 0, vocab = 0;
  float temperature = 0.6f;         // 0: greedy argmax
  float top_p = 0.9f;               // Meta's sample_top_p rule; 1: off
  int32_t top_k = 0;                // 0: off
  const float* uniforms = nullptr;  // [batch] device, in [0,1), drawn on the host from the seeded RNG
  int32_t* tokens = nullptr;        // [batch] out
  float* logprobs = nullptr;        // [batch] out (log-softmax of the raw logits at the token), may be null
};
cudaError_t sample(const CudaContext& ctx, const SampleArgs& a);

}  // namespace lac::kernels::cuda
