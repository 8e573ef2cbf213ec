// rmsnorm fused into a matmul's reading of x (launch.h rmsnormMatmul): the
// matmul reads the norm's input rows x[t, :] and uses
//   xn[t, i] = x[t, i] * inv[t] * w[i],   inv[t] = rsqrt(mean(x[t, :]^2) + eps)
// instead of a normalized copy made by a launch of its own. Since inv[t] is
// one scalar per row, the GEMV and GEMM kernels fold w[i] into the weights
// they load and scale each row's sums by inv[t] at the end; the cuBLASLt
// path normalizes while rounding x to 16 bits. The normalized rows are also
// written to y (by one block column) for later steps that reuse the norm.
#pragma once

#include <cstdint>

namespace lac::kernels::cuda {

struct XNorm {
  const float* w = nullptr;  // [in] the norm's weight; null: x is taken as given
  float* y = nullptr;        // [n, in] the normalized rows, row stride y_stride
  int64_t y_stride = 0;
  float eps = 1e-5f;
};

__device__ __forceinline__ float invRms(float sum_sq, int64_t in, float eps) {
  return rsqrtf(sum_sq / static_cast<float>(in) + eps);
}

}  // namespace lac::kernels::cuda
