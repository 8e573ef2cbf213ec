// Flash-decoding: one query per sequence against its cached K/V.
//
// Pass 1 (decodePartialKernel), grid (splits, n_kv_heads * head_chunks,
// batch), 128 threads: a block takes kDecodeChunk positions of one sequence
// and up to kMaxG query heads that share one kv head (GQA: each K and V row
// is read once for all of them). Scores go to shared memory; per head it
// writes the chunk's max m, sum l = sum exp(s - m) and unnormalized output
// o = sum exp(s - m) v to part[b][h][split] = {m, l, o[head_dim]}. Splits
// past the sequence's length (lengths live on the device: the grid is sized
// for max_seq) return at once.
// Pass 2 (decodeCombineKernel), grid (n_heads, batch): rescales the splits
// to their common max and normalizes.
// Preconditions: head_dim <= kDecodeMaxHd; every length in [1, max_seq].
#pragma once

#include "runtime/kernels/cuda/common.cuh"
#include "runtime/kernels/cuda/workspace.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cuda {

constexpr int kDecodeMaxG = 8;      // query heads per block
constexpr int kDecodeMaxHd = 256;
constexpr int kDecodeThreads = 128;

// Dynamic shared memory: q [G][hd] (scaled), scores [G][kDecodeChunk], m/l [G][2].
inline size_t decodeSmemBytes(int64_t hd) {
  return (kDecodeMaxG * hd + kDecodeMaxG * kDecodeChunk + 2 * kDecodeMaxG) * sizeof(float);
}

template <typename E>  // the cache's element: float, or uint16_t f16 bits
__global__ void __launch_bounds__(kDecodeThreads)
decodePartialKernel(KvCacheView c, const float* q, int64_t q_stride, int n_heads,
                    const int32_t* slots, const int32_t* lengths, float scale, int splits,
                    float* part) {
  extern __shared__ float smem[];
  const int hd = static_cast<int>(c.head_dim);
  float* qs = smem;                               // [G][hd]
  float* sc = qs + kDecodeMaxG * hd;              // [G][kDecodeChunk]
  float* ml = sc + kDecodeMaxG * kDecodeChunk;    // [G][2]
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  constexpr int kWarps = kDecodeThreads / 32;

  const int b = blockIdx.z, split = blockIdx.x;
  const int group = n_heads / static_cast<int>(c.n_kv_heads);
  const int chunks = (group + kDecodeMaxG - 1) / kDecodeMaxG;
  const int kvh = blockIdx.y / chunks;
  const int h0 = kvh * group + (blockIdx.y % chunks) * kDecodeMaxG;
  const int G = min(kDecodeMaxG, kvh * group + group - h0);
  const int len = lengths[b];
  const int start = split * static_cast<int>(kDecodeChunk);
  if (start >= len) return;
  const int cnt = min(len - start, static_cast<int>(kDecodeChunk));
  const int64_t slot = slots ? slots[b] : b;
  const E* K = static_cast<const E*>(c.k) + slot * c.seq_stride + kvh * c.head_stride + start * c.pos_stride;
  const E* V = static_cast<const E*>(c.v) + slot * c.seq_stride + kvh * c.head_stride + start * c.pos_stride;

  for (int i = threadIdx.x; i < G * hd; i += kDecodeThreads)
    qs[i] = q[b * q_stride + static_cast<int64_t>(h0) * hd + i] * scale;
  __syncthreads();

  // Scores: a warp per position, lanes across head_dim (8 values each at most).
  for (int j = warp; j < cnt; j += kWarps) {
    const E* kr = K + j * c.pos_stride;
    float kv[kDecodeMaxHd / 32];
#pragma unroll
    for (int i = 0; i < kDecodeMaxHd / 32; ++i) {
      const int d = lane + 32 * i;
      kv[i] = d < hd ? kvLoad(kr, d) : 0.0f;
    }
    for (int g = 0; g < G; ++g) {
      float s = 0.0f;
#pragma unroll
      for (int i = 0; i < kDecodeMaxHd / 32; ++i) {
        const int d = lane + 32 * i;
        if (d < hd) s = fmaf(kv[i], qs[g * hd + d], s);
      }
      s = warpSum(s);
      if (lane == 0) sc[g * kDecodeChunk + j] = s;
    }
  }
  __syncthreads();

  // Per head: the chunk's max, exp(s - max) in place, and their sum.
  for (int g = warp; g < G; g += kWarps) {
    float* s = sc + g * kDecodeChunk;
    float m = -INFINITY;
    for (int j = lane; j < cnt; j += 32) m = fmaxf(m, s[j]);
    m = warpMax(m);
    float l = 0.0f;
    for (int j = lane; j < cnt; j += 32) {
      const float p = expf(s[j] - m);
      s[j] = p;
      l += p;
    }
    l = warpSum(l);
    if (lane == 0) {
      ml[2 * g] = m;
      ml[2 * g + 1] = l;
    }
  }
  __syncthreads();

  // Unnormalized outputs: a thread per dimension, each V row read once for all heads.
  const int64_t part_row = static_cast<int64_t>(hd) + 2;
  for (int d = threadIdx.x; d < hd; d += kDecodeThreads) {
    float acc[kDecodeMaxG] = {};
    for (int j = 0; j < cnt; ++j) {
      const float v = kvLoad(V, j * c.pos_stride + d);
#pragma unroll
      for (int g = 0; g < kDecodeMaxG; ++g)
        if (g < G) acc[g] = fmaf(sc[g * kDecodeChunk + j], v, acc[g]);
    }
    for (int g = 0; g < G; ++g) {
      float* p = part + ((static_cast<int64_t>(b) * n_heads + h0 + g) * splits + split) * part_row;
      p[2 + d] = acc[g];
      if (d == 0) {
        p[0] = ml[2 * g];
        p[1] = ml[2 * g + 1];
      }
    }
  }
}

__global__ void decodeCombineKernel(const float* part, int n_heads, int hd, int splits,
                                    const int32_t* lengths, float* out, int64_t out_stride) {
  const int h = blockIdx.x, b = blockIdx.y;
  const int used = (lengths[b] + static_cast<int>(kDecodeChunk) - 1) / static_cast<int>(kDecodeChunk);
  const int64_t part_row = static_cast<int64_t>(hd) + 2;
  const float* p = part + (static_cast<int64_t>(b) * n_heads + h) * splits * part_row;
  float m = -INFINITY;
  for (int s = 0; s < used; ++s) m = fmaxf(m, p[s * part_row]);
  float l = 0.0f;
  for (int s = 0; s < used; ++s) l += p[s * part_row + 1] * expf(p[s * part_row] - m);
  const float inv = 1.0f / l;
  for (int d = threadIdx.x; d < hd; d += blockDim.x) {
    float o = 0.0f;
    for (int s = 0; s < used; ++s) o += p[s * part_row + 2 + d] * expf(p[s * part_row] - m);
    out[b * out_stride + static_cast<int64_t>(h) * hd + d] = o * inv;
  }
}

}  // namespace lac::kernels::cuda
