// Device helpers shared by the CUDA kernels: half/bfloat16 decoding, warp
// and block reductions, launch-error plumbing.
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>

namespace lac::kernels::cuda {

// ---- scalars ------------------------------------------------------------------

// IEEE f16 bits -> float (exact; the hardware conversion).
__device__ __forceinline__ float halfBits(uint16_t h) {
  float f;
  asm("{ cvt.f32.f16 %0, %1; }" : "=f"(f) : "h"(h));
  return f;
}
// KV cache elements (KvCacheView::dtype): f32, or f16 bits.
__device__ __forceinline__ float kvLoad(const float* p, int64_t i) { return p[i]; }
__device__ __forceinline__ float kvLoad(const uint16_t* p, int64_t i) { return halfBits(p[i]); }
__device__ __forceinline__ void kvStore(float* p, int64_t i, float v) { p[i] = v; }
__device__ __forceinline__ void kvStore(uint16_t* p, int64_t i, float v) {
  p[i] = __half_as_ushort(__float2half_rn(v));  // round to nearest even, as the CPU's
}
__device__ __forceinline__ float bf16Bits(uint16_t h) {
  return __uint_as_float(static_cast<uint32_t>(h) << 16);
}
// An unaligned-safe 2-byte load (quantized blocks are only 2-byte aligned).
__device__ __forceinline__ uint16_t loadU16(const uint8_t* p) {
  return *reinterpret_cast<const uint16_t*>(p);
}

// ---- reductions ---------------------------------------------------------------

__device__ __forceinline__ float warpSum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ double warpSumD(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warpMax(float v) {
  for (int o = 16; o > 0; o >>= 1) v = fmaxf(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

// Sum / max over the block (blockDim.x a multiple of 32, at most 1024); every
// thread gets the result. `scratch` holds 32 values; reusable after return.
template <typename T, typename Op>
__device__ __forceinline__ T blockReduce(T v, T* scratch, Op op) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  for (int o = 16; o > 0; o >>= 1) v = op(v, __shfl_xor_sync(0xffffffffu, v, o));
  __syncthreads();  // scratch may still be read by a previous call
  if (lane == 0) scratch[warp] = v;
  __syncthreads();
  v = scratch[0];
  for (int w = 1; w < warps; ++w) v = op(v, scratch[w]);
  return v;
}
struct SumOp {
  template <typename T>
  __device__ T operator()(T a, T b) const { return a + b; }
};
struct MaxOp {
  __device__ float operator()(float a, float b) const { return fmaxf(a, b); }
};

// ---- launches -----------------------------------------------------------------

inline unsigned ceilDiv(int64_t a, int64_t b) { return static_cast<unsigned>((a + b - 1) / b); }

// The error of the last launch (clears it).
inline cudaError_t launchError() { return cudaGetLastError(); }

}  // namespace lac::kernels::cuda
