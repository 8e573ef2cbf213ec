#include "runtime/kernels/cuda/launch.h"
#include "runtime/kernels/cuda/rmsnorm.cuh"

namespace lac::kernels::cuda {

cudaError_t rmsnorm(const CudaContext& ctx, const RmsNormArgs& a) {
  if (a.n == 0) return cudaSuccess;
  rmsnormKernel<256><<<static_cast<unsigned>(a.n), 256, 0, ctx.stream>>>(
      a.x, a.x_stride, a.w, a.y, a.y_stride, a.dim, a.eps);
  return launchError();
}

}  // namespace lac::kernels::cuda
