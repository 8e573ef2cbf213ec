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

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*() (a self-
// initialized variable), which -Wmaybe-uninitialized reports at every use.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#if LAC_KERNELS_X86

namespace lac::kernels::cpu {

namespace avx512_x8 {

#define LAC_X8_TARGET LAC_TARGET_AVX512

constexpr int kTokens = 8;

// No software prefetch in one-token decode: on the Zen 4 EPYC (2026-12-07,
// 1B-class body, 1 thread) the AVX2 tile's prefetcht0 2 KiB ahead made
// decode 9-13% slower than the hardware prefetcher alone (q4_0 41 -> 45.5,
// q8_0 22 -> 24.8 tok/s); prefetcht2 8 KiB ahead was no better than none.
constexpr size_t kPrefetchBytes = 0;

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

// ---- 16 rows per 512-bit register -------------------------------------------
// Two neighbouring row groups (rows o .. o + 15) share every zmm: chunk k of
// group g in the low 256 bits, of group g + 1 in the high ones. One token
// broadcast and one vpdpbusd then serve 16 rows, halving the instructions
// per product (Zen 4 runs a zmm op as one op over two cycles; the 256-bit
// tiles above are bound by how many ops it issues). Lane by lane the integer
// sums and the float operations are the 8-row tile's, so every row gets the
// same floats either way (a row's result still does not depend on the
// tile).

template <DType kT>
LAC_X8_TARGET inline __m512i pair(const typename x8::SuperOf<kT>::type& s0,
                                  const typename x8::SuperOf<kT>::type& s1, int k) {
  return _mm512_inserti64x4(
      _mm512_castsi256_si512(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(s0.qs + 32 * k))),
      _mm256_loadu_si256(reinterpret_cast<const __m256i*>(s1.qs + 32 * k)), 1);
}

LAC_X8_TARGET inline __m512 halves(const uint16_t* h0, const uint16_t* h1) {
  return _mm512_cvtph_ps(_mm256_inserti128_si256(
      _mm256_castsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(h0))),
      _mm_loadu_si128(reinterpret_cast<const __m128i*>(h1)), 1));
}

LAC_X8_TARGET inline __m512i chunk16(const int8_t* xq, int k) {
  int32_t v;
  std::memcpy(&v, xq + 4 * k, 4);
  return _mm512_set1_epi32(v);
}

template <DType kT, int T>
LAC_X8_TARGET inline void superDot16(const typename x8::SuperOf<kT>::type& s0,
                                     const typename x8::SuperOf<kT>::type& s1, const ActQ8Row* x, int64_t b,
                                     __m512* acc) {
  constexpr int C = kChains<T>;
  __m512i part[C][T];
  for (int c = 0; c < C; ++c)
    for (int t = 0; t < T; ++t) part[c][t] = _mm512_setzero_si512();
  const int8_t* xq[T];
  for (int t = 0; t < T; ++t) xq[t] = x[t].qs + b * kQBlock;
  if constexpr (kT == DType::Q8_0) {
    const __m512i zero = _mm512_setzero_si512();
    for (int k = 0; k < 8; ++k) {
      const __m512i w = pair<kT>(s0, s1, k);
      const __m512i wabs = _mm512_abs_epi8(w);
      const __mmask64 neg = _mm512_movepi8_mask(w);  // the sign moved onto x (|w| = 0 where w = 0)
      for (int t = 0; t < T; ++t) {
        const __m512i xb = chunk16(xq[t], k);
        part[k % C][t] = _mm512_dpbusd_epi32(part[k % C][t], wabs, _mm512_mask_sub_epi8(xb, neg, zero, xb));
      }
    }
  } else {
    const __m512i m4 = _mm512_set1_epi8(0x0f);
    for (int k = 0; k < 4; ++k) {
      const __m512i raw = pair<kT>(s0, s1, k);
      const __m512i lo = _mm512_and_si512(raw, m4);
      const __m512i hi = _mm512_and_si512(_mm512_srli_epi16(raw, 4), m4);
      for (int t = 0; t < T; ++t) {
        part[(2 * k) % C][t] = _mm512_dpbusd_epi32(part[(2 * k) % C][t], lo, chunk16(xq[t], k));
        part[(2 * k + 1) % C][t] = _mm512_dpbusd_epi32(part[(2 * k + 1) % C][t], hi, chunk16(xq[t], k + 4));
      }
    }
  }
  const __m512 dw = halves(s0.d, s1.d);
  for (int t = 0; t < T; ++t) {
    __m512i p32 = part[0][t];
    for (int c = 1; c < C; ++c) p32 = _mm512_add_epi32(p32, part[c][t]);
    const __m512 p = _mm512_cvtepi32_ps(p32);
    const __m512 dx = _mm512_set1_ps(x[t].d[b]);
    if constexpr (kT == DType::Q8_0) {
      acc[t] = _mm512_fmadd_ps(p, _mm512_mul_ps(dw, dx), acc[t]);
    } else if constexpr (kT == DType::Q4_0) {
      const __m512 c = _mm512_set1_ps(-8.0f * x[t].s[b]);
      acc[t] = _mm512_fmadd_ps(dw, _mm512_fmadd_ps(p, dx, c), acc[t]);
    } else {
      acc[t] = _mm512_fmadd_ps(dw, _mm512_mul_ps(p, dx), acc[t]);
      acc[t] = _mm512_fmadd_ps(halves(s0.m, s1.m), _mm512_set1_ps(x[t].s[b]), acc[t]);
    }
  }
}

// Rows [o, o + 16) for tokens [t0, t0 + T).
template <DType kT, int T>
LAC_X8_TARGET void pairTile(const MatmulArgs& a, const QuantAct& act, int64_t o, int64_t t0) {
  using S = typename x8::SuperOf<kT>::type;
  const int64_t nb = a.in / kQBlock;
  const S* w0 = static_cast<const S*>(a.w) + (o / kX8Rows) * nb;
  const S* w1 = w0 + nb;
  ActQ8Row x[T];
  __m512 acc[T];
  for (int t = 0; t < T; ++t) {
    x[t] = act.row(t0 + t);
    acc[t] = _mm512_setzero_ps();
  }
  for (int64_t b = 0; b < nb; ++b) superDot16<kT, T>(w0[b], w1[b], x, b, acc);
  for (int t = 0; t < T; ++t) {
    __m512 v = acc[t];
    if (a.residual) v = _mm512_add_ps(v, _mm512_loadu_ps(a.residual + (t0 + t) * a.residual_stride + o));
    _mm512_storeu_ps(a.y + (t0 + t) * a.y_stride + o, v);
  }
}

template <DType kT, int T>
LAC_X8_TARGET void pairTail(const MatmulArgs& a, const QuantAct& act, int64_t o, int64_t t, int64_t left) {
  if constexpr (T > 0) {
    if (left == T) return pairTile<kT, T>(a, act, o, t);
    pairTail<kT, T - 1>(a, act, o, t, left);
  }
}

// 16 rows at a time, a last group of 8 with the 256-bit tile. Up to one
// tile of tokens (decode, batched decode: the weights stream from memory,
// each used once) stays on the 8-row tile: reading two row groups at once
// (two streams one group apart) halved one-token decode and slowed 8-token
// steps ~8%. Pairs pay off when the weights stay in L1 for several tiles.
template <DType kT>
LAC_X8_TARGET void quantRectX8Pairs(const MatmulArgs& a, const QuantAct& act, int64_t o0, int64_t o1) {
  if (a.n <= kTokens) return quantRectX8<kT>(a, act, o0, o1);
  int64_t o = o0;
  for (; o + 2 * kX8Rows <= o1; o += 2 * kX8Rows) {
    int64_t t = 0;
    for (; t + kTokens <= a.n; t += kTokens) pairTile<kT, kTokens>(a, act, o, t);
    if (t < a.n) pairTail<kT, kTokens - 1>(a, act, o, t, a.n - t);
  }
  if (o < o1) quantRectX8<kT>(a, act, o, o1);
}

inline QuantRectFn pickQuantRectX8Pairs(DType t) {
  switch (t) {
    case DType::Q8_0: return quantRectX8Pairs<DType::Q8_0>;
    case DType::Q4_0: return quantRectX8Pairs<DType::Q4_0>;
    case DType::Q4_1: return quantRectX8Pairs<DType::Q4_1>;
    default: return nullptr;
  }
}
#undef LAC_X8_TARGET

}  // namespace avx512_x8

QuantRectFn quantRectX8Avx512(DType t) { return avx512_x8::pickQuantRectX8Pairs(t); }

}  // namespace lac::kernels::cpu

#endif  // LAC_KERNELS_X86
