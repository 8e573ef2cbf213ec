// The AVX-512 VNNI quantized matmul tiles: the AVX2 tiles with each block's
// vpmaddubsw + vpmaddwd pair replaced by one vpdpbusd (256-bit, AVX512VL),
// which also cannot saturate. Float weights keep the AVX2 tiles (those are
// bound by memory bandwidth, not by the width of the FMAs).
#include "runtime/kernels/cpu/matmul_tiles.h"
#include "runtime/kernels/cpu/simd_avx2.h"

#if LAC_KERNELS_X86

namespace lac::kernels::cpu {

namespace avx512_quant {

LAC_TARGET_AVX512 inline __m256i dotU8S8(__m256i u, __m256i s) {
  return _mm256_dpbusd_epi32(_mm256_setzero_si256(), u, s);
}

#define LAC_TILE_TARGET LAC_TARGET_AVX512
#define LAC_DOT_U8S8(u, s) dotU8S8(u, s)
#include "runtime/kernels/cpu/matmul_quant_tile.inc"
#undef LAC_DOT_U8S8
#undef LAC_TILE_TARGET

}  // namespace avx512_quant

QuantRectFn quantRectAvx512(DType t) { return avx512_quant::pickQuantRect(t); }

}  // namespace lac::kernels::cpu

#endif  // LAC_KERNELS_X86
