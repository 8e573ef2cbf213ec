// The AVX-512 VNNI matmul for q8_0/q4_0/q4_1 weights in the x8 layouts
// (pack_x8.h): matmul_x8_avx2.cpp's scheme with each vpmaddubsw (+ i16 adds
// + vpmaddwd) replaced by one 256-bit vpdpbusd (AVX512VL) that sums 4 u8 x s8
// products into each row's i32 lane, so a block's integer dot product is 8
// instructions per token and never saturates. EVEX encoding gives 32 ymm
// registers, so a tile holds 8 tokens (an f32 accumulator and an i32 partial
// each) and every weight load serves all of them: a decode step over a batch
// reads each weight once for up to 8 sequences. The integer sums equal the
// AVX2 path's, so both ISAs give the same floats.
#include "runtime/kernels/cpu/matmul_tiles.h"
#include "runtime/kernels/cpu/matmul_x8_common.h"

#if LAC_KERNELS_X86

namespace lac::kernels::cpu {

namespace avx512_x8 {

#define LAC_X8_TARGET LAC_TARGET_AVX512

constexpr int kTokens = 8;

// Independent i32 partial sums per token: vpdpbusd accumulates into its
// destination, so one partial per token makes a block's 8 products one
// dependency chain (~5 cycles each); with 1 token (decode) that chain, not
// the memory, set the speed. Few tokens get 4 or 2 chains, summed at the end;
// 8 tokens already have 8. Integer sums: the result is the same either way.
template <int T>
constexpr int kChains = T == 1 ? 4 : (T <= 4 ? 2 : 1);

template <DType kT, int T>
LAC_X8_TARGET inline void blockDots(const typename x8::SuperOf<kT>::type& s, const int8_t* const* xq,
                                    __m256i* p32) {
  constexpr int C = kChains<T>;
  __m256i part[C][T];
  for (int c = 0; c < C; ++c)
    for (int t = 0; t < T; ++t) part[c][t] = _mm256_setzero_si256();
  if constexpr (kT == DType::Q8_0) {
    for (int k = 0; k < 8; ++k) {
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.qs + 32 * k));
      const __m256i wabs = _mm256_sign_epi8(w, w);  // |w| as u8, the sign moved onto x
      for (int t = 0; t < T; ++t)
        part[k % C][t] = _mm256_dpbusd_epi32(part[k % C][t], wabs, _mm256_sign_epi8(x8::chunk(xq[t], k), w));
    }
  } else {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    for (int k = 0; k < 4; ++k) {
      const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.qs + 32 * k));
      const __m256i lo = _mm256_and_si256(raw, m4);                         // elements 4k ..
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4);  // elements 16 + 4k ..
      for (int t = 0; t < T; ++t) {
        part[(2 * k) % C][t] = _mm256_dpbusd_epi32(part[(2 * k) % C][t], lo, x8::chunk(xq[t], k));
        part[(2 * k + 1) % C][t] = _mm256_dpbusd_epi32(part[(2 * k + 1) % C][t], hi, x8::chunk(xq[t], k + 4));
      }
    }
  }
  for (int t = 0; t < T; ++t) {
    p32[t] = part[0][t];
    for (int c = 1; c < C; ++c) p32[t] = _mm256_add_epi32(p32[t], part[c][t]);
  }
}

#include "runtime/kernels/cpu/matmul_x8_tile.inc"
#undef LAC_X8_TARGET

}  // namespace avx512_x8

QuantRectFn quantRectX8Avx512(DType t) { return avx512_x8::pickQuantRectX8(t); }

}  // namespace lac::kernels::cpu

#endif  // LAC_KERNELS_X86
