// Embedding gather: out[t, :] = dequant(table[ids[t], :]).
// Grid: one block per token; threads stride over the row's groups.
#pragma once

#include "runtime/kernels/cuda/weights.cuh"

namespace lac::kernels::cuda {

template <typename Dec>
__global__ void embeddingKernel(const uint8_t* table, int64_t row_bytes, int64_t vocab,
                                int64_t dim, const int32_t* ids, float* out, int64_t out_stride) {
  const int64_t t = blockIdx.x;
  const int32_t id = ids[t];
  float* dst = out + t * out_stride;
  const int64_t groups = dim / Dec::kGroup;
  if (id < 0 || id >= vocab) {  // out of range: a zero row
    for (int64_t i = threadIdx.x; i < dim; i += blockDim.x) dst[i] = 0.0f;
    return;
  }
  const uint8_t* row = table + id * row_bytes;
  for (int64_t g = threadIdx.x; g < groups; g += blockDim.x) {
    float v[Dec::kGroup];
    Dec::load(row, dim, g, v);
#pragma unroll
    for (int j = 0; j < Dec::kGroup; ++j) dst[g * Dec::kGroup + j] = v[j];
  }
}

}  // namespace lac::kernels::cuda
