// RMSNorm: y[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * w.
// Grid: one block per row (256 threads); y may alias x (each element is read
// before it is written, by the same thread).
#pragma once

#include "runtime/kernels/cuda/common.cuh"

namespace lac::kernels::cuda {

template <int kThreads>
__global__ void __launch_bounds__(kThreads)
rmsnormKernel(const float* x, int64_t x_stride, const float* w, float* y, int64_t y_stride,
              int64_t dim, float eps) {
  __shared__ float scratch[32];
  const float* xr = x + blockIdx.x * x_stride;
  float* yr = y + blockIdx.x * y_stride;
  float ss = 0.0f;
  for (int64_t i = threadIdx.x; i < dim; i += kThreads) ss += xr[i] * xr[i];
  ss = blockReduce(ss, scratch, SumOp{});
  const float inv = rsqrtf(ss / static_cast<float>(dim) + eps);
  for (int64_t i = threadIdx.x; i < dim; i += kThreads) yr[i] = xr[i] * inv * w[i];
}

}  // namespace lac::kernels::cuda
