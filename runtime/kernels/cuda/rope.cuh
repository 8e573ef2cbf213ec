// Rotary embedding, Meta's interleaved pairs, in place on x [n_tokens,
// n_heads, head_dim]: one thread per (token, head, pair).
#pragma once

#include "runtime/kernels/cuda/common.cuh"

namespace lac::kernels::cuda {

__global__ void ropeKernel(float* x, int64_t x_stride, int64_t n_tokens, int64_t n_heads,
                           int64_t head_dim, const int32_t* positions, const float* freqs) {
  const int64_t half = head_dim / 2;
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n_tokens * n_heads * half) return;
  const int64_t t = i / (n_heads * half), h = (i / half) % n_heads, p = i % half;
  // The angle in f32 as the CPU kernel does; sincosf (not __sinf) for accuracy.
  const float angle = static_cast<float>(positions[t]) * freqs[p];
  float s, c;
  sincosf(angle, &s, &c);
  float* pair = x + t * x_stride + h * head_dim + 2 * p;
  const float a = pair[0], b = pair[1];
  pair[0] = a * c - b * s;
  pair[1] = a * s + b * c;
}

}  // namespace lac::kernels::cuda
