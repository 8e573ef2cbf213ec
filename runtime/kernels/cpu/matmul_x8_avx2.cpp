// The AVX2 matmul for q8_0/q4_0/q4_1 weights in the x8 layouts (pack_x8.h).
//
// One 256-bit load of a superblock's quants holds 4 bytes of each of 8 rows,
// the 4 quants chunk k covers; broadcasting the activation bytes of that
// chunk to every 32-bit lane makes vpmaddubsw produce each row's partial dot
// product in its own lane, so after 8 chunks (q4: 4 loads, low and high
// nibbles) one vpmaddwd gives the 8 rows' block dot products with no
// horizontal sums, and the 8 f16 scales convert with one vcvtph2ps
// (matmul_x8_tile.inc does the scales, tiles and tails).
//
//   q8_0: |q_w| x sign(q_x, q_w) as u8 x s8
//   q4:   the unsigned nibbles x q_x
// Overflow: q4 keeps the chunk sums in i16: each vpmaddubsw lane is at most
// 2 * 15 * 127 = 3810 in magnitude and 8 are added: 30480 < 32767. q8_0
// lanes reach 2 * 128 * 127 = 32512, so each goes to i32 at once.
//
// A tile is 8 rows x 4 tokens: every weight load is reused for 4 tokens
// (prefill, batched decode), and one token streams the weights once
// (decode). On a Zen 1 core (256-bit ops split in two, vpmaddubsw on one
// pipe) a superblock costs about 20 cycles per token in prefill; decode is
// close to the DRAM bandwidth.
#include "runtime/kernels/cpu/matmul_tiles.h"
#include "runtime/kernels/cpu/matmul_x8_common.h"

#if LAC_KERNELS_X86

namespace lac::kernels::cpu {

namespace avx2_x8 {

#define LAC_X8_TARGET LAC_TARGET_AVX2

// Tokens per tile: the accumulators and the i16/i32 partials of 4 tokens,
// plus the unpacked weights, fit in the 16 ymm registers.
constexpr int kTokens = 4;

// Decode (one token) streams the weights once and asks for them this far
// ahead of use: with the hardware prefetcher alone a single thread left DRAM
// bandwidth unused (~25% slower on the Zen 1 EPYC this was tuned on).
constexpr size_t kPrefetchBytes = 2048;

template <DType kT, int T>
LAC_X8_TARGET inline void blockDots(const typename x8::SuperOf<kT>::type& s, const int8_t* const* xq,
                                    __m256i* p32) {
  const __m256i ones = _mm256_set1_epi16(1);
  if constexpr (kT == DType::Q8_0) {
    for (int k = 0; k < 8; ++k) {
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.qs + 32 * k));
      const __m256i wabs = _mm256_sign_epi8(w, w);
      for (int t = 0; t < T; ++t) {
        __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(wabs, _mm256_sign_epi8(x8::chunk(xq[t], k), w)), ones);
        p32[t] = k == 0 ? p : _mm256_add_epi32(p32[t], p);
      }
    }
  } else {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    __m256i p16[T];
    for (int k = 0; k < 4; ++k) {
      const __m256i raw = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.qs + 32 * k));
      const __m256i lo = _mm256_and_si256(raw, m4);                         // elements 4k ..
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(raw, 4), m4);  // elements 16 + 4k ..
      for (int t = 0; t < T; ++t) {
        __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(lo, x8::chunk(xq[t], k)),
                                     _mm256_maddubs_epi16(hi, x8::chunk(xq[t], k + 4)));
        p16[t] = k == 0 ? p : _mm256_add_epi16(p16[t], p);
      }
    }
    for (int t = 0; t < T; ++t) p32[t] = _mm256_madd_epi16(p16[t], ones);
  }
}

#include "runtime/kernels/cpu/matmul_x8_tile.inc"
#undef LAC_X8_TARGET

}  // namespace avx2_x8

QuantRectFn quantRectX8Avx2(DType t) { return avx2_x8::pickQuantRectX8(t); }

}  // namespace lac::kernels::cpu

#endif  // LAC_KERNELS_X86
