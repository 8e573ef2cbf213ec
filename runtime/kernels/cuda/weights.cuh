// Weight-row decoders for the matmul and embedding kernels: each turns group
// g (kGroup consecutive elements) of one row into floats.
//
//   F32/F16/BF16 scalar: kGroup 1, any row length, any alignment;
//   F32x4 / F16x8 / BF16x8: one 128-bit load per group (row start 16-byte
//     aligned and in % kGroup == 0: the launcher checks);
//   Q8_0: one GGML block of 32 (quant_blocks.h);
//   Q4_G32: planar rows qs[in/2] | d[in/32] f16 | m[in/32] f16 (dtype.h).
// These are the cuda target's formats (runtime/schema/kernels.def): GGML's
// q4_0/q4_1 reach a GPU repacked as Q4_G32, never as themselves.
#pragma once

#include "runtime/core/dtype.h"
#include "runtime/kernels/cuda/common.cuh"

namespace lac::kernels::cuda {

struct DecF32 {
  static constexpr int kGroup = 1;
  __device__ static void load(const uint8_t* row, int64_t in, int64_t g, float* v) {
    v[0] = reinterpret_cast<const float*>(row)[g];
  }
};
struct DecF16 {
  static constexpr int kGroup = 1;
  __device__ static void load(const uint8_t* row, int64_t in, int64_t g, float* v) {
    v[0] = halfBits(reinterpret_cast<const uint16_t*>(row)[g]);
  }
};
struct DecBF16 {
  static constexpr int kGroup = 1;
  __device__ static void load(const uint8_t* row, int64_t in, int64_t g, float* v) {
    v[0] = bf16Bits(reinterpret_cast<const uint16_t*>(row)[g]);
  }
};
struct DecF32x4 {
  static constexpr int kGroup = 4;
  __device__ static void load(const uint8_t* row, int64_t in, int64_t g, float* v) {
    const float4 f = __ldg(reinterpret_cast<const float4*>(row) + g);
    v[0] = f.x; v[1] = f.y; v[2] = f.z; v[3] = f.w;
  }
};
template <bool kBf16>
struct DecHalfx8 {
  static constexpr int kGroup = 8;
  __device__ static void load(const uint8_t* row, int64_t in, int64_t g, float* v) {
    const uint4 u = __ldg(reinterpret_cast<const uint4*>(row) + g);
    const uint32_t w[4] = {u.x, u.y, u.z, u.w};
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const uint16_t lo = static_cast<uint16_t>(w[k] & 0xffffu), hi = static_cast<uint16_t>(w[k] >> 16);
      v[2 * k] = kBf16 ? bf16Bits(lo) : halfBits(lo);
      v[2 * k + 1] = kBf16 ? bf16Bits(hi) : halfBits(hi);
    }
  }
};
using DecF16x8 = DecHalfx8<false>;
using DecBF16x8 = DecHalfx8<true>;

// {f16 d; i8 qs[32]}: 34 bytes, 2-byte aligned.
struct DecQ8_0 {
  static constexpr int kGroup = 32;
  __device__ static void load(const uint8_t* row, int64_t in, int64_t g, float* v) {
    const uint8_t* b = row + g * 34;
    const float d = halfBits(loadU16(b));
#pragma unroll
    for (int k = 0; k < 16; ++k) {
      const uint16_t q = loadU16(b + 2 + 2 * k);
      v[2 * k] = d * static_cast<float>(static_cast<int8_t>(q & 0xff));
      v[2 * k + 1] = d * static_cast<float>(static_cast<int8_t>(q >> 8));
    }
  }
};
// Planar: group g has 16 bytes of nibbles at row + 16 g (element 2i in the
// low nibble of byte i), its d at row + in/2 + 2 g, its m at
// row + in/2 + in/16 + 2 g; value d * nibble + m. Rows are 20 * in/32 bytes:
// 4-byte aligned when the weight base is.
struct DecQ4G32 {
  static constexpr int kGroup = 32;
  __device__ static void load(const uint8_t* row, int64_t in, int64_t g, float* v) {
    const uint32_t* qs = reinterpret_cast<const uint32_t*>(row + 16 * g);
    const float d = halfBits(loadU16(row + in / 2 + 2 * g));
    const float m = halfBits(loadU16(row + in / 2 + in / 16 + 2 * g));
#pragma unroll
    for (int k = 0; k < 4; ++k) {
      const uint32_t q = __ldg(qs + k);
#pragma unroll
      for (int j = 0; j < 8; ++j) v[8 * k + j] = d * static_cast<float>((q >> (4 * j)) & 0xf) + m;
    }
  }
};

// Calls f(Decoder{}) for weight type t (the vector decoders when `vec`);
// returns false for a type without a decoder (not a cuda format).
template <typename F>
bool withDecoder(DType t, bool vec, F&& f) {
  switch (t) {
    case DType::F32: vec ? f(DecF32x4{}) : f(DecF32{}); return true;
    case DType::F16: vec ? f(DecF16x8{}) : f(DecF16{}); return true;
    case DType::BF16: vec ? f(DecBF16x8{}) : f(DecBF16{}); return true;
    case DType::Q8_0: f(DecQ8_0{}); return true;
    case DType::Q4_G32: f(DecQ4G32{}); return true;
    default: return false;
  }
}

// Whether the 128-bit decoders fit rows of `in` elements of float type t at w.
inline bool vectorRows(DType t, const void* w, int64_t in) {
  const int group = t == DType::F32 ? 4 : 8;
  return (reinterpret_cast<uintptr_t>(w) % 16 == 0) && in % group == 0;
}

}  // namespace lac::kernels::cuda
