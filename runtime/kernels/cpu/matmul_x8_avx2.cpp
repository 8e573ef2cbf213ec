// The AVX2 matmul for q8_0/q4_0/q4_1 weights in the x8 layouts (pack_x8.h).
//
// One 256-bit load of a superblock's quants holds 4 bytes of each of 8 rows,
// the 4 quants chunk k covers; broadcasting the activation bytes of that
// chunk to every 32-bit lane makes vpmaddubsw produce each row's partial dot
// product in its own lane, so after 8 chunks (q4: 4 loads, low and high
// nibbles) one vpmaddwd gives the 8 rows' block dot products with no
// horizontal sums, and the 8 f16 scales convert with one vcvtph2ps.
//
// Per block and row (see quant_blocks.h):
//   q8_0: d_w d_x dot(q_w, q_x)            (|q_w| x sign(q_x, q_w) as u8 x s8)
//   q4_0: d_w (d_x dot(n, q_x) - 8 s_x)    (n the unsigned nibbles)
//   q4_1: d_w d_x dot(n, q_x) + m s_x
// Overflow: q4 keeps the chunk sums in i16: each vpmaddubsw lane is at most
// 2 * 15 * 127 = 3810 in magnitude and 8 are added: 30480 < 32767. q8_0
// lanes reach 2 * 128 * 127 = 32512, so each goes to i32 at once.
//
// A tile is 8 rows x T tokens: every weight load is reused for T tokens
// (prefill), and T = 1 streams the weights once (decode). On a Zen 1 core
// (256-bit ops split in two, vpmaddubsw on one pipe) a superblock costs about
// 20 cycles per token in prefill; decode is close to the DRAM bandwidth.
#include "runtime/kernels/cpu/matmul_tiles.h"
#include "runtime/kernels/cpu/pack_x8.h"
#include "runtime/kernels/cpu/simd_avx2.h"

#if LAC_KERNELS_X86

#include <cstring>

namespace lac::kernels::cpu {

namespace avx2_x8 {

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

// acc[t] (8 rows in the lanes) += block b of the group's rows . token t.
template <DType kT, int T>
LAC_TARGET_AVX2 inline void superDot(const typename SuperOf<kT>::type& s, const ActQ8Row* x, int64_t b,
                                     __m256* acc) {
  const __m256i ones = _mm256_set1_epi16(1);
  const int8_t* xq[T];
  for (int t = 0; t < T; ++t) xq[t] = x[t].qs + b * kQBlock;
  __m256i p32[T];
  if constexpr (kT == DType::Q8_0) {
    for (int k = 0; k < 8; ++k) {
      const __m256i w = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s.qs + 32 * k));
      const __m256i wabs = _mm256_sign_epi8(w, w);
      for (int t = 0; t < T; ++t) {
        __m256i p = _mm256_madd_epi16(_mm256_maddubs_epi16(wabs, _mm256_sign_epi8(chunk(xq[t], k), w)), ones);
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
        __m256i p = _mm256_add_epi16(_mm256_maddubs_epi16(lo, chunk(xq[t], k)),
                                     _mm256_maddubs_epi16(hi, chunk(xq[t], k + 4)));
        p16[t] = k == 0 ? p : _mm256_add_epi16(p16[t], p);
      }
    }
    for (int t = 0; t < T; ++t) p32[t] = _mm256_madd_epi16(p16[t], ones);
  }
  const __m256 dw = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.d)));
  for (int t = 0; t < T; ++t) {
    const __m256 p = _mm256_cvtepi32_ps(p32[t]);
    const __m256 dx = _mm256_set1_ps(x[t].d[b]);
    if constexpr (kT == DType::Q8_0) {
      acc[t] = _mm256_fmadd_ps(p, _mm256_mul_ps(dw, dx), acc[t]);
    } else if constexpr (kT == DType::Q4_0) {
      const __m256 c = _mm256_set1_ps(-8.0f * x[t].s[b]);
      acc[t] = _mm256_fmadd_ps(dw, _mm256_fmadd_ps(p, dx, c), acc[t]);
    } else {
      acc[t] = _mm256_fmadd_ps(dw, _mm256_mul_ps(p, dx), acc[t]);
      const __m256 m = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s.m)));
      acc[t] = _mm256_fmadd_ps(m, _mm256_set1_ps(x[t].s[b]), acc[t]);
    }
  }
}

// Decode streams the weights once: it asks for them this far ahead of use
// (with the hardware prefetcher alone a single thread leaves DRAM bandwidth
// unused: ~25% slower on the Zen 1 EPYC this was tuned on).
constexpr size_t kPrefetchBytes = 2048;

// Rows [o, o + 8) (row group o / 8) for tokens [t0, t0 + T).
template <DType kT, int T>
LAC_TARGET_AVX2 void groupTile(const MatmulArgs& a, const QuantAct& act, int64_t o, int64_t t0) {
  using S = typename SuperOf<kT>::type;
  const int64_t nb = a.in / kQBlock;
  const S* w = static_cast<const S*>(a.w) + (o / kX8Rows) * nb;
  ActQ8Row x[T];
  __m256 acc[T];
  for (int t = 0; t < T; ++t) {
    x[t] = act.row(t0 + t);
    acc[t] = _mm256_setzero_ps();
  }
  for (int64_t b = 0; b < nb; ++b) {
    if constexpr (T == 1) {
      const char* ahead = reinterpret_cast<const char*>(w + b) + kPrefetchBytes;
      for (size_t off = 0; off < sizeof(S); off += 64) _mm_prefetch(ahead + off, _MM_HINT_T0);
    }
    superDot<kT, T>(w[b], x, b, acc);
  }
  for (int t = 0; t < T; ++t) {
    float* y = a.y + (t0 + t) * a.y_stride + o;
    __m256 v = acc[t];
    if (a.residual) v = _mm256_add_ps(v, _mm256_loadu_ps(a.residual + (t0 + t) * a.residual_stride + o));
    _mm256_storeu_ps(y, v);
  }
}

// Tokens per tile: the accumulators and the i16/i32 partials of 4 tokens,
// plus the unpacked weights, fit in the 16 ymm registers.
constexpr int kTokens = 4;

template <DType kT>
LAC_TARGET_AVX2 void quantRectX8(const MatmulArgs& a, const QuantAct& act, int64_t o0, int64_t o1) {
  for (int64_t o = o0; o < o1; o += kX8Rows) {
    int64_t t = 0;
    for (; t + kTokens <= a.n; t += kTokens) groupTile<kT, kTokens>(a, act, o, t);
    switch (a.n - t) {
      case 3: groupTile<kT, 3>(a, act, o, t); break;
      case 2: groupTile<kT, 2>(a, act, o, t); break;
      case 1: groupTile<kT, 1>(a, act, o, t); break;
      default: break;
    }
  }
}

}  // namespace avx2_x8

QuantRectFn quantRectX8Avx2(DType t) {
  switch (t) {
    case DType::Q8_0: return avx2_x8::quantRectX8<DType::Q8_0>;
    case DType::Q4_0: return avx2_x8::quantRectX8<DType::Q4_0>;
    case DType::Q4_1: return avx2_x8::quantRectX8<DType::Q4_1>;
    default: return nullptr;
  }
}

}  // namespace lac::kernels::cpu

#endif  // LAC_KERNELS_X86
