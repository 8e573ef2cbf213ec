#include "runtime/kernels/cuda/launch.h"
#include "runtime/kernels/cuda/rope.cuh"

namespace lac::kernels::cuda {

cudaError_t rope(const CudaContext& ctx, const RopeArgs& a) {
  const int64_t n = a.n_tokens * a.n_heads * (a.head_dim / 2);
  if (n == 0) return cudaSuccess;
  ropeKernel<<<ceilDiv(n, 256), 256, 0, ctx.stream>>>(a.x, a.x_stride, a.n_tokens, a.n_heads,
                                                      a.head_dim, a.positions, a.freqs);
  return launchError();
}

}  // namespace lac::kernels::cuda
