// Prefill GEMM on CUDA cores in f32, for every weight type:
// y[t, o] = sum_i x[t, i] W[o, i] (+ residual).
//
// Tiles: a block (256 threads) computes kTileT tokens x kTileO outputs,
// stepping K by kTileK = 32 (one quantized group). Per step the block
// stages x[kTileT, 32] and W dequantized to f32 [kTileO, 32] in shared
// memory, then each thread accumulates a 4 x 4 sub-tile. Exact f32 (the same
// products as the reference, summed in another order). The tensor-core path
// for f16/bf16 weights is cuBLASLt (matmul.cu).
#pragma once

#include "runtime/kernels/cuda/weights.cuh"

namespace lac::kernels::cuda {

constexpr int kTileT = 64, kTileO = 64, kTileK = 32;

template <typename Dec>
__global__ void __launch_bounds__(256)
gemmKernel(const float* __restrict__ x, int64_t x_stride, const uint8_t* __restrict__ w,
           int64_t row_bytes, float* y, int64_t y_stride, const float* residual,
           int64_t residual_stride, int64_t n, int64_t in, int64_t out) {
  static_assert(kTileK % Dec::kGroup == 0, "a group must not straddle K tiles");
  __shared__ float xs[kTileT][kTileK + 1];  // +1: no bank conflicts on column reads
  __shared__ float ws[kTileO][kTileK + 1];
  const int tid = threadIdx.x;
  const int64_t t0 = static_cast<int64_t>(blockIdx.y) * kTileT;
  const int64_t o0 = static_cast<int64_t>(blockIdx.x) * kTileO;
  const int ty = tid / 16, tx = tid % 16;  // this thread: tokens ty + 16 i, outputs tx + 16 j

  float acc[4][4] = {};
  constexpr int kGroupsPerRow = kTileK / Dec::kGroup;
  for (int64_t k0 = 0; k0 < in; k0 += kTileK) {
    for (int i = tid; i < kTileT * kTileK; i += 256) {
      const int r = i / kTileK, c = i % kTileK;
      const int64_t t = t0 + r, k = k0 + c;
      xs[r][c] = (t < n && k < in) ? x[t * x_stride + k] : 0.0f;
    }
    for (int i = tid; i < kTileO * kGroupsPerRow; i += 256) {
      const int r = i / kGroupsPerRow, gg = i % kGroupsPerRow;
      const int64_t o = o0 + r, g = k0 / Dec::kGroup + gg;
      float v[Dec::kGroup];
      if (o < out && g * Dec::kGroup < in) {
        Dec::load(w + o * row_bytes, in, g, v);
      } else {
#pragma unroll
        for (int j = 0; j < Dec::kGroup; ++j) v[j] = 0.0f;
      }
#pragma unroll
      for (int j = 0; j < Dec::kGroup; ++j) ws[r][gg * Dec::kGroup + j] = v[j];
    }
    __syncthreads();
#pragma unroll 8
    for (int k = 0; k < kTileK; ++k) {
      float a[4], b[4];
#pragma unroll
      for (int i = 0; i < 4; ++i) a[i] = xs[ty + 16 * i][k];
#pragma unroll
      for (int j = 0; j < 4; ++j) b[j] = ws[tx + 16 * j][k];
#pragma unroll
      for (int i = 0; i < 4; ++i)
#pragma unroll
        for (int j = 0; j < 4; ++j) acc[i][j] = fmaf(a[i], b[j], acc[i][j]);
    }
    __syncthreads();
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t t = t0 + ty + 16 * i;
    if (t >= n) continue;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int64_t o = o0 + tx + 16 * j;
      if (o >= out) continue;
      y[t * y_stride + o] = acc[i][j] + (residual ? residual[t * residual_stride + o] : 0.0f);
    }
  }
}

// dst[t, i] = x[t, i] rounded to f16 / bf16 (the cuBLASLt path's activations).
template <bool kBf16>
__global__ void toHalfKernel(const float* x, int64_t x_stride, uint16_t* dst, int64_t n,
                             int64_t in) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * in) return;
  const float f = x[(i / in) * x_stride + i % in];
  uint16_t h;
  if (kBf16) {
    const __nv_bfloat16 b = __float2bfloat16_rn(f);
    h = *reinterpret_cast<const uint16_t*>(&b);
  } else {
    const __half b = __float2half_rn(f);
    h = *reinterpret_cast<const uint16_t*>(&b);
  }
  dst[i] = h;
}

}  // namespace lac::kernels::cuda
