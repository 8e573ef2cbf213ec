#include "runtime/kernels/cuda/launch.h"
#include "runtime/kernels/cuda/rmsnorm.cuh"

namespace lac::kernels::cuda {

cudaError_t rmsnorm(const CudaContext& ctx, const RmsNormArgs& a) {
  if (a.n == 0) return cudaSuccess;
  rmsnormKernel<256><<<static_cast<unsigned>(a.n), 256, 0, ctx.stream>>>(
      a.x, a.x_stride, a.w, a.y, a.y_stride, a.dim, a.eps);
  return launchError();
}

// Two launches on one stream: the norm into norm.y, then the matmul reading
// it. (A fused kernel would recompute the norm in every matmul block.)
cudaError_t rmsnormMatmul(const CudaContext& ctx, const RmsNormArgs& norm, const MatmulArgs& mm) {
  if (cudaError_t e = rmsnorm(ctx, norm); e != cudaSuccess) return e;
  return matmul(ctx, mm);
}

}  // namespace lac::kernels::cuda
