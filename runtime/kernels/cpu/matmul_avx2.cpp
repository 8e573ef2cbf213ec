// The AVX2 + FMA + F16C matmul tiles: f32/f16/bf16 weights with f32 FMAs, and
// q8_0/q4_0/q4_1 with vpmaddubsw + vpmaddwd integer dot products.
#include "runtime/kernels/cpu/matmul_tiles.h"
#include "runtime/kernels/cpu/simd_avx2.h"

#if LAC_KERNELS_X86

#include "runtime/core/half.h"

namespace lac::kernels::cpu {

// ---- f32 / f16 / bf16 ---------------------------------------------------------

namespace avx2_float {

template <DType kT>
LAC_TARGET_AVX2 inline __m256 load8(const void* row, int64_t i) {
  if constexpr (kT == DType::F32) return _mm256_loadu_ps(static_cast<const float*>(row) + i);
  if constexpr (kT == DType::F16) return avx2::loadF16(static_cast<const uint16_t*>(row) + i);
  return avx2::loadBf16(static_cast<const uint16_t*>(row) + i);
}

template <DType kT>
inline float load1(const void* row, int64_t i) {
  if constexpr (kT == DType::F32) return static_cast<const float*>(row)[i];
  if constexpr (kT == DType::F16) return f16ToFloat(static_cast<const uint16_t*>(row)[i]);
  return bf16ToFloat(static_cast<const uint16_t*>(row)[i]);
}

// out[r][t] = dot(w[r], x[t]) over `in` elements (8 at a time, then the tail).
template <DType kT, int R, int T>
LAC_TARGET_AVX2 inline void floatMicro(const void* const* w, const float* const* x, int64_t in,
                                       float (*out)[T]) {
  __m256 acc[R][T];
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) acc[r][t] = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 8 <= in; i += 8) {
    __m256 xv[T];
    for (int t = 0; t < T; ++t) xv[t] = _mm256_loadu_ps(x[t] + i);
    for (int r = 0; r < R; ++r) {
      __m256 wv = load8<kT>(w[r], i);
      for (int t = 0; t < T; ++t) acc[r][t] = _mm256_fmadd_ps(wv, xv[t], acc[r][t]);
    }
  }
  for (int r = 0; r < R; ++r)
    for (int t = 0; t < T; ++t) {
      float s = avx2::hsum(acc[r][t]);
      for (int64_t k = i; k < in; ++k) s += load1<kT>(w[r], k) * x[t][k];
      out[r][t] = s;
    }
}

template <DType kT, int R>
LAC_TARGET_AVX2 inline void floatRowTile(const MatmulArgs& a, int64_t o) {
  const int64_t row_bytes = a.in * (kT == DType::F32 ? 4 : 2);
  const void* w[R];
  for (int r = 0; r < R; ++r) w[r] = static_cast<const uint8_t*>(a.w) + (o + r) * row_bytes;
  int64_t t = 0;
  for (; t + 2 <= a.n; t += 2) {
    const float* x[2] = {a.x + t * a.x_stride, a.x + (t + 1) * a.x_stride};
    float out[R][2];
    floatMicro<kT, R, 2>(w, x, a.in, out);
    for (int r = 0; r < R; ++r) {
      storeOut(a, t, o + r, out[r][0]);
      storeOut(a, t + 1, o + r, out[r][1]);
    }
  }
  for (; t < a.n; ++t) {
    const float* x[1] = {a.x + t * a.x_stride};
    float out[R][1];
    floatMicro<kT, R, 1>(w, x, a.in, out);
    for (int r = 0; r < R; ++r) storeOut(a, t, o + r, out[r][0]);
  }
}

template <DType kT>
LAC_TARGET_AVX2 void floatRect(const MatmulArgs& a, int64_t o0, int64_t o1) {
  int64_t o = o0;
  for (; o + 4 <= o1; o += 4) floatRowTile<kT, 4>(a, o);
  for (; o < o1; ++o) floatRowTile<kT, 1>(a, o);
}

}  // namespace avx2_float

FloatRectFn floatRectAvx2(DType t) {
  switch (t) {
    case DType::F32: return avx2_float::floatRect<DType::F32>;
    case DType::F16: return avx2_float::floatRect<DType::F16>;
    case DType::BF16: return avx2_float::floatRect<DType::BF16>;
    default: return nullptr;
  }
}

// ---- q8_0 / q4_0 / q4_1 -------------------------------------------------------

namespace avx2_quant {

LAC_TARGET_AVX2 inline __m256i dotU8S8(__m256i u, __m256i s) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(u, s), _mm256_set1_epi16(1));
}

#define LAC_TILE_TARGET LAC_TARGET_AVX2
#define LAC_DOT_U8S8(u, s) dotU8S8(u, s)
#include "runtime/kernels/cpu/matmul_quant_tile.inc"
#undef LAC_DOT_U8S8
#undef LAC_TILE_TARGET

}  // namespace avx2_quant

QuantRectFn quantRectAvx2(DType t) { return avx2_quant::pickQuantRect(t); }

}  // namespace lac::kernels::cpu

#endif  // LAC_KERNELS_X86
