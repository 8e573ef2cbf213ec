#include "runtime/kernels/cuda/launch.h"
#include "runtime/kernels/cuda/swiglu.cuh"

namespace lac::kernels::cuda {

cudaError_t swiglu(const CudaContext& ctx, const SwigluArgs& a) {
  const int64_t n = a.n * a.ffn;
  if (n == 0) return cudaSuccess;
  swigluKernel<<<ceilDiv(n, 256), 256, 0, ctx.stream>>>(a.gate, a.gate_stride, a.up, a.up_stride,
                                                        a.out, a.out_stride, a.n, a.ffn);
  return launchError();
}

cudaError_t add(const CudaContext& ctx, const float* a, const float* b, float* out, int64_t n) {
  if (n == 0) return cudaSuccess;
  addKernel<<<ceilDiv(n, 256), 256, 0, ctx.stream>>>(a, b, out, n);
  return launchError();
}

}  // namespace lac::kernels::cuda
