// Causal prefill attention, flash-attention style (f32, CUDA cores).
//
// Grid (ceil(n_tokens / kPrefillQ), n_heads), 128 threads. A block holds
// kPrefillQ = 16 queries of one head in shared memory and walks the cache in
// tiles of kKeys positions (K and V tiles staged in shared memory), keeping
// per query an online softmax (running max m, sum l) and the output
// accumulator in registers. Thread t serves query t / 8; its 8 threads
// split the tile's keys for the scores (key j = sub + 8 k) and the head
// dimensions for the output (d = sub + 8 i). Tiles stop at the block's last
// causal position (p0 + last query).
// Preconditions: head_dim <= kMaxHd (the launcher picks 64, 128 or 256).
#pragma once

#include "runtime/kernels/cuda/common.cuh"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cuda {

constexpr int kPrefillQ = 16;
constexpr int kPrefillThreads = 128;  // 8 per query

template <int kMaxHd>
struct PrefillTile {
  static constexpr int kKeys = kMaxHd > 128 ? 16 : 32;
  // Shared floats: Q [16][hd+1], K [kKeys][hd+1], V [kKeys][hd], P [16][kKeys].
  static size_t smemBytes(int64_t hd) {
    return sizeof(float) * static_cast<size_t>(kPrefillQ * (hd + 1) + kKeys * (hd + 1) +
                                               kKeys * hd + kPrefillQ * kKeys);
  }
};

template <int kMaxHd, typename E>  // E: the cache's element (float, or uint16_t f16 bits)
__global__ void __launch_bounds__(kPrefillThreads)
prefillKernel(KvCacheView c, const float* q, int64_t q_stride, float* out, int64_t out_stride,
              int64_t n_tokens, int n_heads, int slot, int64_t p0, float scale) {
  constexpr int kKeys = PrefillTile<kMaxHd>::kKeys;
  constexpr int kKeysPerThread = kKeys / 8;
  constexpr int kDimsPerThread = kMaxHd / 8;
  extern __shared__ float smem[];
  const int hd = static_cast<int>(c.head_dim);
  float* Qs = smem;                         // [16][hd + 1]
  float* Ks = Qs + kPrefillQ * (hd + 1);    // [kKeys][hd + 1]
  float* Vs = Ks + kKeys * (hd + 1);        // [kKeys][hd]
  float* Ps = Vs + kKeys * hd;              // [16][kKeys]

  const int h = blockIdx.y;
  const int kvh = h / (n_heads / static_cast<int>(c.n_kv_heads));
  const int64_t t0 = static_cast<int64_t>(blockIdx.x) * kPrefillQ;
  const int qi = threadIdx.x / 8, sub = threadIdx.x % 8;
  const int64_t t = t0 + qi;
  const bool q_valid = t < n_tokens;
  const int64_t qpos = q_valid ? p0 + t : -1;
  const int64_t kv_end = p0 + min(t0 + kPrefillQ, n_tokens);  // exclusive
  const E* K = static_cast<const E*>(c.k) + slot * c.seq_stride + kvh * c.head_stride;
  const E* V = static_cast<const E*>(c.v) + slot * c.seq_stride + kvh * c.head_stride;

  for (int i = threadIdx.x; i < kPrefillQ * hd; i += kPrefillThreads) {
    const int r = i / hd, d = i % hd;
    Qs[r * (hd + 1) + d] = t0 + r < n_tokens ? q[(t0 + r) * q_stride + h * hd + d] * scale : 0.0f;
  }

  float acc[kDimsPerThread];
#pragma unroll
  for (int i = 0; i < kDimsPerThread; ++i) acc[i] = 0.0f;
  float m = -INFINITY, l = 0.0f;

  for (int64_t k0 = 0; k0 < kv_end; k0 += kKeys) {
    __syncthreads();  // the previous tile's K/V/P are consumed (and Q is written)
    for (int i = threadIdx.x; i < kKeys * hd; i += kPrefillThreads) {
      const int r = i / hd, d = i % hd;
      const int64_t pos = k0 + r;
      const bool in = pos < kv_end;
      Ks[r * (hd + 1) + d] = in ? kvLoad(K, pos * c.pos_stride + d) : 0.0f;
      Vs[r * hd + d] = in ? kvLoad(V, pos * c.pos_stride + d) : 0.0f;
    }
    __syncthreads();

    float s[kKeysPerThread];
    float tile_max = -INFINITY;
#pragma unroll
    for (int kk = 0; kk < kKeysPerThread; ++kk) {
      const int j = sub + 8 * kk;
      const int64_t pos = k0 + j;
      s[kk] = -INFINITY;
      if (pos <= qpos) {
        const float* qr = Qs + qi * (hd + 1);
        const float* kr = Ks + j * (hd + 1);
        float dot = 0.0f;
        for (int d = 0; d < hd; ++d) dot = fmaf(qr[d], kr[d], dot);
        s[kk] = dot;
        tile_max = fmaxf(tile_max, dot);
      }
    }
    // The 8 threads of a query are 8 consecutive lanes.
    for (int o = 4; o > 0; o >>= 1) tile_max = fmaxf(tile_max, __shfl_xor_sync(0xffffffffu, tile_max, o));
    const float m_new = fmaxf(m, tile_max);
    const float corr = m_new == -INFINITY ? 1.0f : expf(m - m_new);
    float psum = 0.0f;
#pragma unroll
    for (int kk = 0; kk < kKeysPerThread; ++kk) {
      const float p = s[kk] == -INFINITY ? 0.0f : expf(s[kk] - m_new);
      Ps[qi * kKeys + sub + 8 * kk] = p;
      psum += p;
    }
    for (int o = 4; o > 0; o >>= 1) psum += __shfl_xor_sync(0xffffffffu, psum, o);
    l = l * corr + psum;
    m = m_new;
    __syncwarp();  // Ps of this query is written by lanes of this warp
#pragma unroll
    for (int i = 0; i < kDimsPerThread; ++i) acc[i] *= corr;
    for (int j = 0; j < kKeys; ++j) {
      const float p = Ps[qi * kKeys + j];
      const float* vr = Vs + j * hd;
#pragma unroll
      for (int i = 0; i < kDimsPerThread; ++i) {
        const int d = sub + 8 * i;
        if (d < hd) acc[i] = fmaf(p, vr[d], acc[i]);
      }
    }
  }
  if (!q_valid) return;
  const float inv = 1.0f / l;
  float* o = out + t * out_stride + static_cast<int64_t>(h) * hd;
#pragma unroll
  for (int i = 0; i < kDimsPerThread; ++i) {
    const int d = sub + 8 * i;
    if (d < hd) o[d] = acc[i] * inv;
  }
}

}  // namespace lac::kernels::cuda
