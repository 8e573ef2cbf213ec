#include "runtime/kernels/cuda/kv_append.cuh"
#include "runtime/kernels/cuda/launch.h"

namespace lac::kernels::cuda {

cudaError_t kvAppend(const CudaContext& ctx, const KvAppendArgs& a) {
  const int64_t n = a.n_tokens * a.cache.n_kv_heads * a.cache.head_dim;
  if (n == 0) return cudaSuccess;
  if (a.cache.dtype == DType::F16)
    kvAppendKernel<uint16_t><<<ceilDiv(n, 256), 256, 0, ctx.stream>>>(a.cache, a.k, a.k_stride, a.v, a.v_stride,
                                                                       a.n_tokens, a.slots, a.positions);
  else if (a.cache.dtype == DType::F32)
    kvAppendKernel<float><<<ceilDiv(n, 256), 256, 0, ctx.stream>>>(a.cache, a.k, a.k_stride, a.v, a.v_stride,
                                                                    a.n_tokens, a.slots, a.positions);
  else
    return cudaErrorNotSupported;
  return launchError();
}

}  // namespace lac::kernels::cuda
