// KV-cache append: token t's K and V rows [n_kv_heads, head_dim] go to
// sequence slots[t] at position positions[t]. One thread per element; E is
// the cache's element (float, or uint16_t f16 bits).
#pragma once

#include "runtime/kernels/cuda/common.cuh"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cuda {

template <typename E>
__global__ void kvAppendKernel(KvCacheView c, const float* k, int64_t k_stride, const float* v,
                               int64_t v_stride, int64_t n_tokens, const int32_t* slots,
                               const int32_t* positions) {
  const int64_t row = c.n_kv_heads * c.head_dim;
  const int64_t i = static_cast<int64_t>(blockIdx.x) * blockDim.x + threadIdx.x;
  if (i >= n_tokens * row) return;
  const int64_t t = i / row, h = (i % row) / c.head_dim, d = i % c.head_dim;
  const int64_t dst = slots[t] * c.seq_stride + h * c.head_stride + positions[t] * c.pos_stride + d;
  kvStore(static_cast<E*>(c.k), dst, k[t * k_stride + h * c.head_dim + d]);
  kvStore(static_cast<E*>(c.v), dst, v[t * v_stride + h * c.head_dim + d]);
}

}  // namespace lac::kernels::cuda
