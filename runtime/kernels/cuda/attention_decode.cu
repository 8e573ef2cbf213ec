#include "runtime/kernels/cuda/attention_decode.cuh"
#include "runtime/kernels/cuda/launch.h"

namespace lac::kernels::cuda {

static_assert(kDecodeMaxHd == kAttentionMaxHeadDim, "launch.h promises what the decode kernel takes");

cudaError_t attentionDecode(const CudaContext& ctx, const AttentionDecodeArgs& a) {
  if (a.batch == 0 || a.n_heads == 0) return cudaSuccess;
  const KvCacheView& c = a.cache;
  if (c.head_dim > kDecodeMaxHd || c.n_kv_heads <= 0 || a.n_heads % c.n_kv_heads != 0)
    return cudaErrorInvalidValue;
  const int64_t splits = decodeSplits(c.max_seq);
  const size_t part_bytes =
      static_cast<size_t>(a.batch * a.n_heads * splits * (c.head_dim + 2)) * sizeof(float);
  if (part_bytes > ctx.workspace_bytes) return cudaErrorMemoryAllocation;
  const int64_t group = a.n_heads / c.n_kv_heads;
  const int64_t chunks = (group + kDecodeMaxG - 1) / kDecodeMaxG;
  float* part = static_cast<float*>(ctx.workspace);
  const dim3 grid(static_cast<unsigned>(splits), static_cast<unsigned>(c.n_kv_heads * chunks),
                  static_cast<unsigned>(a.batch));
  if (c.dtype == DType::F16)
    decodePartialKernel<uint16_t><<<grid, kDecodeThreads, decodeSmemBytes(c.head_dim), ctx.stream>>>(
        c, a.q, a.q_stride, static_cast<int>(a.n_heads), a.slots, a.lengths, a.scale,
        static_cast<int>(splits), part);
  else if (c.dtype == DType::F32)
    decodePartialKernel<float><<<grid, kDecodeThreads, decodeSmemBytes(c.head_dim), ctx.stream>>>(
        c, a.q, a.q_stride, static_cast<int>(a.n_heads), a.slots, a.lengths, a.scale,
        static_cast<int>(splits), part);
  else
    return cudaErrorNotSupported;
  if (cudaError_t e = launchError(); e != cudaSuccess) return e;
  decodeCombineKernel<<<dim3(static_cast<unsigned>(a.n_heads), static_cast<unsigned>(a.batch)), 128,
                        0, ctx.stream>>>(part, static_cast<int>(a.n_heads),
                                         static_cast<int>(c.head_dim), static_cast<int>(splits),
                                         a.lengths, a.out, a.out_stride);
  return launchError();
}

}  // namespace lac::kernels::cuda
