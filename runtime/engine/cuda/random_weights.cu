// Random weights for --no-weights plans, generated on the device: an 8B
// model's 16 GB of bf16 would take the host a minute to fill and copy; the
// GPU fills it in well under a second. Same distribution as the CPU
// engine's (random_weights.cpp): norm vectors ~1 + 0.1 U(-1, 1), matrices
// ~U(-1, 1)/sqrt(cols) in their format (valid blocks, sane scales); not the
// same values (a counter-based hash instead of a sequential generator).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <algorithm>
#include <cmath>

#include "runtime/core/dtype.h"
#include "runtime/engine/cuda/device_random.h"

namespace lac::engine {

namespace {

__device__ __forceinline__ uint64_t mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
__device__ __forceinline__ uint64_t bits(uint64_t seed, uint64_t i) { return mix(seed + (i + 1) * 0x9E3779B97F4A7C15ull); }
__device__ __forceinline__ float uniform(uint64_t seed, uint64_t i) {  // [-1, 1)
  return float(bits(seed, i) >> 40) / float(1 << 24) * 2.0f - 1.0f;
}

__device__ __forceinline__ void putHalf(uint8_t* p, float v) {
  *reinterpret_cast<unsigned short*>(p) = __half_as_ushort(__float2half_rn(v));
}

// f32 / f16 / bf16: one element per thread.
__global__ void fillScalar(uint8_t* dst, int type, uint64_t n, bool vector, float scale, uint64_t seed) {
  for (uint64_t i = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; i < n; i += uint64_t(gridDim.x) * blockDim.x) {
    const float u = uniform(seed, i);
    const float v = vector ? 1.0f + 0.1f * u : scale * u;
    if (type == int(DType::F32))
      reinterpret_cast<float*>(dst)[i] = v;
    else if (type == int(DType::F16))
      reinterpret_cast<unsigned short*>(dst)[i] = __half_as_ushort(__float2half_rn(v));
    else
      reinterpret_cast<unsigned short*>(dst)[i] = __bfloat16_as_ushort(__float2bfloat16_rn(v));
  }
}

// q8_0 blocks {f16 d; i8 qs[32]}: one block per thread.
__global__ void fillQ8_0(uint8_t* dst, uint64_t blocks, float scale, uint64_t seed) {
  for (uint64_t b = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; b < blocks; b += uint64_t(gridDim.x) * blockDim.x) {
    uint8_t* p = dst + b * 34;
    putHalf(p, scale / 127.0f);
    for (int j = 0; j < 32; j += 8) {
      const uint64_t r = bits(seed, b * 4 + j / 8);
      for (int k = 0; k < 8; ++k) p[2 + j + k] = uint8_t(int8_t(int((r >> (8 * k)) & 0xFF) % 255 - 127));
    }
  }
}

// q4_g32 rows (qs[cols/2] | d[cols/32] f16 | m[cols/32] f16): one group of
// 32 per thread; values d * q + m in [-scale, scale].
__global__ void fillQ4G32(uint8_t* dst, uint64_t rows, uint64_t cols, float scale, uint64_t seed) {
  const uint64_t groups = cols / 32, total = rows * groups, row_bytes = cols / 2 + groups * 4;
  for (uint64_t g = blockIdx.x * uint64_t(blockDim.x) + threadIdx.x; g < total; g += uint64_t(gridDim.x) * blockDim.x) {
    const uint64_t r = g / groups, c = g % groups;
    uint8_t* row = dst + r * row_bytes;
    // 16 bytes; a row is 20 * cols / 32 bytes, so rows are only 4-aligned
    // when cols / 32 is odd: four 32-bit stores.
    uint32_t* qs = reinterpret_cast<uint32_t*>(row + c * 16);
    const uint64_t lo = bits(seed, 2 * g), hi = bits(seed, 2 * g + 1);
    qs[0] = uint32_t(lo);
    qs[1] = uint32_t(lo >> 32);
    qs[2] = uint32_t(hi);
    qs[3] = uint32_t(hi >> 32);
    putHalf(row + cols / 2 + 2 * c, 2.0f * scale / 15.0f);
    putHalf(row + cols / 2 + groups * 2 + 2 * c, -scale);
  }
}

unsigned gridFor(uint64_t n) { return unsigned(std::min<uint64_t>((n + 255) / 256, 65535)); }

}  // namespace

cudaError_t fillRandomWeightsOnDevice(const plan::Plan& p, uint8_t* device_base, uint64_t seed, cudaStream_t stream) {
  cudaError_t e = cudaMemsetAsync(device_base, 0, p.weight_blob()->bytes(), stream);
  if (e != cudaSuccess || !p.weights()) return e;
  for (uint32_t i = 0; i < p.weights()->size(); ++i) {
    const plan::Weight& w = *p.weights()->Get(i);
    uint64_t elems = 1, cols = 1;
    if (w.shape())
      for (uint64_t d : *w.shape()) elems *= d, cols = d;
    const bool vector = !w.shape() || w.shape()->size() < 2;
    const float scale = 1.0f / std::sqrt(float(cols));
    const uint64_t s = seed * 0x100000001B3ull + i;
    uint8_t* dst = device_base + w.blob()->offset();
    const DType t = artifact::toDType(w.dtype());
    switch (t) {
      case DType::F32:
      case DType::F16:
      case DType::BF16: fillScalar<<<gridFor(elems), 256, 0, stream>>>(dst, int(t), elems, vector, scale, s); break;
      case DType::Q8_0: fillQ8_0<<<gridFor(elems / 32), 256, 0, stream>>>(dst, elems / 32, scale, s); break;
      case DType::Q4_G32:
        fillQ4G32<<<gridFor(elems / 32), 256, 0, stream>>>(dst, elems / cols, cols, scale, s);
        break;
      default: break;  // formats the CUDA engine does not bind stay zero (binding refuses them)
    }
    if ((e = cudaGetLastError()) != cudaSuccess) return e;
  }
  return cudaSuccess;
}

}  // namespace lac::engine
