// Internal to the x8 matmuls (matmul_x8_avx2.cpp, matmul_x8_avx512.cpp):
// what both ISA versions read the same way.
#pragma once

#include <cstdint>
#include <cstring>

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/cpu/pack_x8.h"

#if LAC_KERNELS_X86
#include <immintrin.h>

namespace lac::kernels::cpu::x8 {

template <DType kT>
struct SuperOf;
template <>
struct SuperOf<DType::Q8_0> { using type = SuperQ8_0x8; };
template <>
struct SuperOf<DType::Q4_0> { using type = SuperQ4_0x8; };
template <>
struct SuperOf<DType::Q4_1> { using type = SuperQ4_1x8; };

// Activation bytes 4k .. 4k+3 of a block in every 32-bit lane.
LAC_TARGET_AVX2 inline __m256i chunk(const int8_t* xq, int k) {
  int32_t v;
  std::memcpy(&v, xq + 4 * k, 4);
  return _mm256_set1_epi32(v);
}

}  // namespace lac::kernels::cpu::x8

#endif  // LAC_KERNELS_X86
