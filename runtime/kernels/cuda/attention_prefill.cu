#include "runtime/kernels/cuda/attention_prefill.cuh"
#include "runtime/kernels/cuda/launch.h"

namespace lac::kernels::cuda {

namespace {

template <int kMaxHd, typename E>
cudaError_t launchPrefill(const CudaContext& ctx, const AttentionPrefillArgs& a) {
  const size_t smem = PrefillTile<kMaxHd>::smemBytes(a.cache.head_dim);
  if (smem > 48 * 1024) {
    cudaError_t e = cudaFuncSetAttribute(prefillKernel<kMaxHd, E>,
                                         cudaFuncAttributeMaxDynamicSharedMemorySize,
                                         static_cast<int>(smem));
    if (e != cudaSuccess) return e;
  }
  const dim3 grid(ceilDiv(a.n_tokens, kPrefillQ), static_cast<unsigned>(a.n_heads));
  prefillKernel<kMaxHd, E><<<grid, kPrefillThreads, smem, ctx.stream>>>(
      a.cache, a.q, a.q_stride, a.out, a.out_stride, a.n_tokens, static_cast<int>(a.n_heads),
      a.slot, a.p0, a.scale);
  return launchError();
}

template <typename E>
cudaError_t launchByHeadDim(const CudaContext& ctx, const AttentionPrefillArgs& a) {
  const int64_t hd = a.cache.head_dim;
  if (hd <= 64) return launchPrefill<64, E>(ctx, a);
  if (hd <= 128) return launchPrefill<128, E>(ctx, a);
  if (hd <= kAttentionMaxHeadDim) return launchPrefill<kAttentionMaxHeadDim, E>(ctx, a);
  return cudaErrorInvalidValue;
}

}  // namespace

cudaError_t attentionPrefill(const CudaContext& ctx, const AttentionPrefillArgs& a) {
  if (a.n_tokens == 0 || a.n_heads == 0) return cudaSuccess;
  if (a.cache.n_kv_heads <= 0 || a.n_heads % a.cache.n_kv_heads != 0) return cudaErrorInvalidValue;
  if (a.cache.dtype != DType::F32 && a.cache.dtype != DType::F16) return cudaErrorNotSupported;
  return a.cache.dtype == DType::F16 ? launchByHeadDim<uint16_t>(ctx, a) : launchByHeadDim<float>(ctx, a);
}

}  // namespace lac::kernels::cuda
