// Prefill GEMM on CUDA cores in f32, for every weight type:
// y[t, o] = sum_i x[t, i] W[o, i] (+ residual).
//
// Tiles: a block (256 threads) computes kTileT tokens x kTileO outputs,
// stepping K by kTileK = 32 (one quantized group). Per step the block
// stages x[kTileT, 32] and W dequantized to f32 [kTileO, 32] in shared
// memory, then each thread accumulates a 4 x 4 sub-tile. Exact f32 (the same
// products as the reference, summed in another order). The tensor-core path
// for f16/bf16 weights is cuBLASLt (matmul_lt.cu).
//
// With norm.w (rmsnorm_matmul, xnorm.cuh) the staged x tile is multiplied by
// norm.w, each token's sum of squares of the raw x is accumulated as the
// tiles pass (thread tid stages rows tid / 32 + 8 m, column tid % 32: a warp
// holds whole tile rows), and the sums are scaled by inv[t] at the end;
// blocks of the first output column also write the normalized rows to norm.y.
#pragma once

#include "runtime/kernels/cuda/weights.cuh"
#include "runtime/kernels/cuda/xnorm.cuh"

namespace lac::kernels::cuda {

constexpr int kTileT = 64, kTileO = 64, kTileK = 32;

template <typename Dec>
__global__ void __launch_bounds__(256)
gemmKernel(const float* __restrict__ x, int64_t x_stride, const uint8_t* __restrict__ w,
           int64_t row_bytes, float* y, int64_t y_stride, const float* residual,
           int64_t residual_stride, int64_t n, int64_t in, int64_t out, XNorm norm) {
  static_assert(kTileK % Dec::kGroup == 0, "a group must not straddle K tiles");
  static_assert(kTileK == 32 && kTileT % 8 == 0, "the staging pattern the norm's sums rely on");
  constexpr int kRowsPerThread = kTileT * kTileK / 256;  // thread tid: rows tid / 32 + 8 m
  __shared__ float inv[kTileT];
  float ss[kRowsPerThread] = {};
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
      const float v = (t < n && k < in) ? x[t * x_stride + k] : 0.0f;
      if (norm.w) {
        ss[(i - tid) / 256] += v * v;
        xs[r][c] = k < in ? v * norm.w[k] : 0.0f;
      } else {
        xs[r][c] = v;
      }
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
  if (norm.w) {
#pragma unroll
    for (int m = 0; m < kRowsPerThread; ++m) {
      const float s = warpSum(ss[m]);
      if ((tid & 31) == 0) inv[tid / 32 + 8 * m] = invRms(s, in, norm.eps);
    }
    __syncthreads();
    if (blockIdx.x == 0)
      for (int64_t i = tid; i < int64_t(kTileT) * in; i += 256) {
        const int r = static_cast<int>(i / in);
        const int64_t t = t0 + r, k = i % in;
        if (t < n) norm.y[t * norm.y_stride + k] = x[t * x_stride + k] * inv[r] * norm.w[k];
      }
  }
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    const int64_t t = t0 + ty + 16 * i;
    if (t >= n) continue;
    const float scale = norm.w ? inv[ty + 16 * i] : 1.0f;
#pragma unroll
    for (int j = 0; j < 4; ++j) {
      const int64_t o = o0 + tx + 16 * j;
      if (o >= out) continue;
      y[t * y_stride + o] = acc[i][j] * scale + (residual ? residual[t * residual_stride + o] : 0.0f);
    }
  }
}

// dst[t, i] = x[t, i] rounded to f16 / bf16 (the cuBLASLt path's activations).
template <bool kBf16>
__device__ __forceinline__ uint16_t toHalfBits(float f) {
  if (kBf16) return __bfloat16_as_ushort(__float2bfloat16_rn(f));
  return __half_as_ushort(__float2half_rn(f));
}
template <bool kBf16>
__global__ void toHalfKernel(const float* x, int64_t x_stride, uint16_t* dst, int64_t n,
                             int64_t in) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * in) return;
  dst[i] = toHalfBits<kBf16>(x[(i / in) * x_stride + i % in]);
}

// The same with the rmsnorm fused (xnorm.cuh): one block of 256 per row,
// dst[t, i] = norm.y[t, i] = x[t, i] * inv[t] * norm.w[i], dst in 16 bits.
template <bool kBf16>
__global__ void __launch_bounds__(256)
normToHalfKernel(const float* x, int64_t x_stride, uint16_t* dst, int64_t in, XNorm norm) {
  __shared__ float scratch[32];
  const float* xr = x + blockIdx.x * x_stride;
  float ss = 0.0f;
  for (int64_t i = threadIdx.x; i < in; i += 256) ss += xr[i] * xr[i];
  const float inv = invRms(blockReduce(ss, scratch, SumOp{}), in, norm.eps);
  float* yr = norm.y + blockIdx.x * norm.y_stride;
  uint16_t* dr = dst + blockIdx.x * in;
  for (int64_t i = threadIdx.x; i < in; i += 256) {
    const float f = xr[i] * inv * norm.w[i];
    yr[i] = f;
    dr[i] = toHalfBits<kBf16>(f);
  }
}

}  // namespace lac::kernels::cuda
