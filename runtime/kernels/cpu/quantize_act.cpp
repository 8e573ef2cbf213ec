#include "runtime/kernels/cpu/quantize_act.h"

#include <cmath>

#include "runtime/kernels/cpu/simd_avx2.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*() (a self-
// initialized variable), which -Wmaybe-uninitialized reports at every use.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace lac::kernels::cpu {

// ---- scalar reference -------------------------------------------------------

void quantizeActRowRef(const float* x, int64_t n, int8_t* qs, float* d, float* s) {
  for (int64_t b = 0; b < n / kQBlock; ++b) {
    const float* xb = x + b * kQBlock;
    float amax = 0.0f;
    for (int j = 0; j < kQBlock; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    float db = amax / 127.0f;
    float id = db != 0.0f ? 1.0f / db : 0.0f;
    int sum = 0;
    for (int j = 0; j < kQBlock; ++j) {
      int q = static_cast<int>(std::nearbyint(xb[j] * id));  // default mode: half to even
      qs[b * kQBlock + j] = static_cast<int8_t>(q);
      sum += q;
    }
    d[b] = db;
    s[b] = db * static_cast<float>(sum);
  }
}

// The same d and q as quantizeActRowRef (and so as the bit-identical fast
// path), then x - d * q.
void quantizeActResidualRowRef(const float* x, int64_t n, float* r) {
  for (int64_t b = 0; b < n / kQBlock; ++b) {
    const float* xb = x + b * kQBlock;
    float* rb = r + b * kQBlock;
    float amax = 0.0f;
    for (int j = 0; j < kQBlock; ++j) amax = std::fmax(amax, std::fabs(xb[j]));
    const float db = amax / 127.0f;
    const float id = db != 0.0f ? 1.0f / db : 0.0f;
    for (int j = 0; j < kQBlock; ++j) rb[j] = xb[j] - db * std::nearbyint(xb[j] * id);
  }
}

// ---- AVX2 -------------------------------------------------------------------

#if LAC_KERNELS_X86
namespace {

// One block of 32 activations in 4 registers, with the reference's scale d
// = max|x| / 127 and its inverse (0 for an all-zero block).
struct BlockAvx2 {
  __m256 v[4];
  float d, id;
};

LAC_TARGET_AVX2 inline BlockAvx2 loadBlockAvx2(const float* xb) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  BlockAvx2 blk;
  __m256 amax = _mm256_setzero_ps();
  for (int k = 0; k < 4; ++k) {
    blk.v[k] = _mm256_loadu_ps(xb + 8 * k);
    amax = _mm256_max_ps(amax, _mm256_andnot_ps(sign, blk.v[k]));
  }
  blk.d = avx2::hmax(amax) / 127.0f;
  blk.id = blk.d != 0.0f ? 1.0f / blk.d : 0.0f;
  return blk;
}

// round-half-even(v[k] / d) as floats, computed as v[k] * (1/d).
LAC_TARGET_AVX2 inline __m256 roundedAvx2(const BlockAvx2& blk, int k) {
  return _mm256_round_ps(_mm256_mul_ps(blk.v[k], _mm256_set1_ps(blk.id)),
                         _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
}

LAC_TARGET_AVX2 void quantizeActRowAvx2(const float* x, int64_t n, int8_t* qs, float* d,
                                        float* s) {
  using namespace avx2;
  for (int64_t b = 0; b < n / kQBlock; ++b) {
    const BlockAvx2 blk = loadBlockAvx2(x + b * kQBlock);
    const float db = blk.d;
    __m256i q[4];
    for (int k = 0; k < 4; ++k) q[k] = _mm256_cvtps_epi32(roundedAvx2(blk, k));
    int sum = hsumI32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
    // i32 -> i8 keeping order: packs interleave 128-bit lanes, the permute undoes it.
    __m256i p16a = _mm256_packs_epi32(q[0], q[1]);
    __m256i p16b = _mm256_packs_epi32(q[2], q[3]);
    __m256i p8 = _mm256_packs_epi16(p16a, p16b);
    p8 = _mm256_permutevar8x32_epi32(p8, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs + b * kQBlock), p8);
    d[b] = db;
    s[b] = db * static_cast<float>(sum);
  }
}

// quantizeActResidualRowRef's arithmetic, 8 lanes at a time: the same max,
// the same scalar scale, round-half-even of the same product, then a
// separate multiply and subtract (no FMA: the reference rounds twice).
LAC_TARGET_AVX2 void quantizeActResidualRowAvx2(const float* x, int64_t n, float* r) {
  for (int64_t b = 0; b < n / kQBlock; ++b) {
    const BlockAvx2 blk = loadBlockAvx2(x + b * kQBlock);
    const __m256 vdb = _mm256_set1_ps(blk.d);
    for (int k = 0; k < 4; ++k) {
      __m256 dq = _mm256_mul_ps(vdb, roundedAvx2(blk, k));
      __asm__("" : "+x"(dq));  // keep the product rounded on its own (never contracted into an FMA)
      _mm256_storeu_ps(r + b * kQBlock + 8 * k, _mm256_sub_ps(blk.v[k], dq));
    }
  }
}

// quantizeActRowAvx2's arithmetic on 16 lanes (a block is two registers);
// the saturating narrowing keeps lane order, and |q| <= 127 never saturates.
LAC_TARGET_AVX512 void quantizeActRowAvx512(const float* x, int64_t n, int8_t* qs, float* d, float* s) {
  for (int64_t b = 0; b < n / kQBlock; ++b) {
    const float* xb = x + b * kQBlock;
    const __m512 v0 = _mm512_loadu_ps(xb), v1 = _mm512_loadu_ps(xb + 16);
    const float db = _mm512_reduce_max_ps(_mm512_max_ps(_mm512_abs_ps(v0), _mm512_abs_ps(v1))) / 127.0f;
    const float id = db != 0.0f ? 1.0f / db : 0.0f;
    const __m512 vid = _mm512_set1_ps(id);
    const __m512i q0 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(v0, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m512i q1 = _mm512_cvt_roundps_epi32(_mm512_mul_ps(v1, vid), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs + b * kQBlock), _mm512_cvtsepi32_epi8(q0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(qs + b * kQBlock + 16), _mm512_cvtsepi32_epi8(q1));
    d[b] = db;
    s[b] = db * static_cast<float>(_mm512_reduce_add_epi32(_mm512_add_epi32(q0, q1)));
  }
}

}  // namespace
#endif

void quantizeActResidualRow(Isa isa, const float* x, int64_t n, float* r) {
#if LAC_KERNELS_X86
  if (isa >= Isa::Avx2) return quantizeActResidualRowAvx2(x, n, r);
#endif
  quantizeActResidualRowRef(x, n, r);
}

void quantizeActRow(Isa isa, const float* x, int64_t n, int8_t* qs, float* d, float* s) {
#if LAC_KERNELS_X86
  if (isa >= Isa::Avx512) return quantizeActRowAvx512(x, n, qs, d, s);
  if (isa >= Isa::Avx2) return quantizeActRowAvx2(x, n, qs, d, s);
#endif
  quantizeActRowRef(x, n, qs, d, s);
}

}  // namespace lac::kernels::cpu
