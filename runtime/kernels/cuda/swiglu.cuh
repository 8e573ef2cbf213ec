// Elementwise kernels: swiglu (out = silu(gate) * up) and add. One thread
// per element; out may alias an input (each element is read then written by
// the same thread).
#pragma once

#include "runtime/kernels/cuda/common.cuh"

namespace lac::kernels::cuda {

__global__ void swigluKernel(const float* gate, int64_t gate_stride, const float* up,
                             int64_t up_stride, float* out, int64_t out_stride, int64_t n,
                             int64_t ffn) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * ffn) return;
  const int64_t r = i / ffn, j = i % ffn;
  const float g = gate[r * gate_stride + j];
  out[r * out_stride + j] = g / (1.0f + expf(-g)) * up[r * up_stride + j];
}

__global__ void addKernel(const float* a, const float* b, float* out, int64_t n) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i < n) out[i] = a[i] + b[i];
}

}  // namespace lac::kernels::cuda
