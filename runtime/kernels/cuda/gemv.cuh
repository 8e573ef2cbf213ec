// Decode GEMV: y[t, o] = sum_i x[t, i] W[o, i] (+ residual) for n <= 8 tokens.
//
// Launch: blocks of kWarps warps, one warp per output row; blockIdx.y is the
// K split. The warp's lanes take the row's groups round-robin (consecutive
// lanes read consecutive groups: coalesced, 128-bit loads for the vector
// decoders) and keep kMaxN accumulators, one per token. With one split the
// warp writes y directly; with several it writes its partial sum to
// part[split][t][o] and gemvCombineKernel adds the splits in order
// (deterministic, no atomics).
//
// With norm.w (rmsnorm_matmul, xnorm.cuh) every block first reduces each
// token's sum of squares over the whole row (x is tiny next to the weights
// it streams), multiplies the weights it loads by norm.w and the sums by
// inv[t]; block (0, 0) also writes the normalized rows to norm.y.
#pragma once

#include "runtime/kernels/cuda/common.cuh"
#include "runtime/kernels/cuda/weights.cuh"
#include "runtime/kernels/cuda/xnorm.cuh"

namespace lac::kernels::cuda {

constexpr int kGemvWarps = 8;

template <typename Dec, int kMaxN>
__global__ void __launch_bounds__(kGemvWarps * 32)
gemvKernel(const float* __restrict__ x, int64_t x_stride, const uint8_t* __restrict__ w,
           int64_t row_bytes, float* y, int64_t y_stride, const float* residual,
           int64_t residual_stride, int n, int64_t in, int64_t out,
           int64_t groups_per_split, float* part, XNorm norm) {
  const int lane = threadIdx.x & 31;
  const int64_t o = static_cast<int64_t>(blockIdx.x) * kGemvWarps + (threadIdx.x >> 5);
  float inv[kMaxN];
#pragma unroll
  for (int t = 0; t < kMaxN; ++t) inv[t] = 1.0f;
  if (norm.w) {  // the whole block, before any thread leaves
    __shared__ float scratch[32];
    for (int t = 0; t < n; ++t) {
      float ss = 0.0f;
      for (int64_t i = threadIdx.x; i < in; i += kGemvWarps * 32) ss += x[t * x_stride + i] * x[t * x_stride + i];
      inv[t] = invRms(blockReduce(ss, scratch, SumOp{}), in, norm.eps);
    }
    if (blockIdx.x == 0 && blockIdx.y == 0)
      for (int t = 0; t < n; ++t)
        for (int64_t i = threadIdx.x; i < in; i += kGemvWarps * 32)
          norm.y[t * norm.y_stride + i] = x[t * x_stride + i] * inv[t] * norm.w[i];
  }
  if (o >= out) return;
  const int64_t groups = (in + Dec::kGroup - 1) / Dec::kGroup;
  const int64_t g0 = blockIdx.y * groups_per_split;
  const int64_t g1 = min(groups, g0 + groups_per_split);
  const uint8_t* row = w + o * row_bytes;

  float acc[kMaxN];
#pragma unroll
  for (int t = 0; t < kMaxN; ++t) acc[t] = 0.0f;
  for (int64_t g = g0 + lane; g < g1; g += 32) {
    float v[Dec::kGroup];
    Dec::load(row, in, g, v);
    if (norm.w) {
#pragma unroll
      for (int j = 0; j < Dec::kGroup; ++j) v[j] *= __ldg(norm.w + g * Dec::kGroup + j);
    }
    const float* xg = x + g * Dec::kGroup;
#pragma unroll
    for (int t = 0; t < kMaxN; ++t) {
      if (t < n) {
        float s = 0.0f;
#pragma unroll
        for (int j = 0; j < Dec::kGroup; ++j) s = fmaf(v[j], __ldg(xg + t * x_stride + j), s);
        acc[t] += s;
      }
    }
  }
#pragma unroll
  for (int t = 0; t < kMaxN; ++t) acc[t] = warpSum(acc[t]) * inv[t];
  if (lane != 0) return;
  for (int t = 0; t < n; ++t) {
    if (part) {
      part[(static_cast<int64_t>(blockIdx.y) * n + t) * out + o] = acc[t];
    } else {
      y[t * y_stride + o] = acc[t] + (residual ? residual[t * residual_stride + o] : 0.0f);
    }
  }
}

// y[t, o] = sum over splits of part[s][t][o] (+ residual), splits in order.
__global__ void gemvCombineKernel(const float* part, int splits, int n, int64_t out, float* y,
                                  int64_t y_stride, const float* residual,
                                  int64_t residual_stride) {
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n * out) return;
  const int64_t t = i / out, o = i % out;
  float s = 0.0f;
  for (int k = 0; k < splits; ++k) s += part[k * n * out + i];
  y[t * y_stride + o] = s + (residual ? residual[t * residual_stride + o] : 0.0f);
}

}  // namespace lac::kernels::cuda
