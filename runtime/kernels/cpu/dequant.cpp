#include "runtime/kernels/cpu/dequant.h"

#include <cstring>

#include "runtime/core/half.h"
#include "runtime/kernels/cpu/quant_blocks.h"
#include "runtime/kernels/cpu/simd_avx2.h"

namespace lac::kernels::cpu {

// ---- scalar reference -------------------------------------------------------

bool dequantizeRowRef(DType t, const void* src, float* dst, int64_t n) {
  switch (t) {
    case DType::F32:
      std::memcpy(dst, src, n * sizeof(float));
      return true;
    case DType::F16: {
      auto* p = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = f16ToFloat(p[i]);
      return true;
    }
    case DType::BF16: {
      auto* p = static_cast<const uint16_t*>(src);
      for (int64_t i = 0; i < n; ++i) dst[i] = bf16ToFloat(p[i]);
      return true;
    }
    case DType::Q8_0: {
      auto* b = static_cast<const BlockQ8_0*>(src);
      for (int64_t i = 0; i < n / kQBlock; ++i) {
        float d = f16ToFloat(b[i].d);
        for (int j = 0; j < 32; ++j) dst[i * 32 + j] = d * b[i].qs[j];
      }
      return true;
    }
    case DType::Q4_0: {
      auto* b = static_cast<const BlockQ4_0*>(src);
      for (int64_t i = 0; i < n / kQBlock; ++i) {
        float d = f16ToFloat(b[i].d);
        for (int j = 0; j < 16; ++j) {
          dst[i * 32 + j] = d * ((b[i].qs[j] & 0x0f) - 8);
          dst[i * 32 + j + 16] = d * ((b[i].qs[j] >> 4) - 8);
        }
      }
      return true;
    }
    case DType::Q4_1: {
      auto* b = static_cast<const BlockQ4_1*>(src);
      for (int64_t i = 0; i < n / kQBlock; ++i) {
        float d = f16ToFloat(b[i].d), m = f16ToFloat(b[i].m);
        for (int j = 0; j < 16; ++j) {
          dst[i * 32 + j] = d * (b[i].qs[j] & 0x0f) + m;
          dst[i * 32 + j + 16] = d * (b[i].qs[j] >> 4) + m;
        }
      }
      return true;
    }
    case DType::Q4_G32: {
      // Planar row: qs[n/2] (element 2i low nibble of byte i), d[n/32], m[n/32] f16.
      auto* qs = static_cast<const uint8_t*>(src);
      auto* dm = reinterpret_cast<const uint8_t*>(qs + n / 2);
      for (int64_t g = 0; g < n / kQBlock; ++g) {
        uint16_t dh, mh;
        std::memcpy(&dh, dm + 2 * g, 2);
        std::memcpy(&mh, dm + n / 16 + 2 * g, 2);
        const float d = f16ToFloat(dh), m = f16ToFloat(mh);
        for (int j = 0; j < 16; ++j) {
          const uint8_t b = qs[g * 16 + j];
          dst[g * 32 + 2 * j] = d * (b & 0x0f) + m;
          dst[g * 32 + 2 * j + 1] = d * (b >> 4) + m;
        }
      }
      return true;
    }
    default:
      return false;
  }
}

// ---- AVX2 -------------------------------------------------------------------

#if LAC_KERNELS_X86
namespace {

// Stores the 32 bytes of v (as signed or unsigned per `is_signed`) times d (+ m).
template <bool kSigned>
LAC_TARGET_AVX2 void store32(__m256i v, __m256 d, __m256 m, float* dst) {
  __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
  __m128i parts[4] = {lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8)};
  for (int k = 0; k < 4; ++k) {
    __m256i w = kSigned ? _mm256_cvtepi8_epi32(parts[k]) : _mm256_cvtepu8_epi32(parts[k]);
    _mm256_storeu_ps(dst + 8 * k, _mm256_fmadd_ps(_mm256_cvtepi32_ps(w), d, m));
  }
}

LAC_TARGET_AVX2 bool dequantizeRowAvx2(DType t, const void* src, float* dst, int64_t n) {
  using namespace avx2;
  const __m256 zero = _mm256_setzero_ps();
  switch (t) {
    case DType::F16:
    case DType::BF16: {
      auto* p = static_cast<const uint16_t*>(src);
      int64_t i = 0;
      for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, t == DType::F16 ? loadF16(p + i) : loadBf16(p + i));
      for (; i < n; ++i) dst[i] = t == DType::F16 ? f16ToFloat(p[i]) : bf16ToFloat(p[i]);
      return true;
    }
    case DType::Q8_0: {
      auto* b = static_cast<const BlockQ8_0*>(src);
      for (int64_t i = 0; i < n / kQBlock; ++i) {
        __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b[i].qs));
        store32<true>(q, _mm256_set1_ps(f16Scalar(b[i].d)), zero, dst + 32 * i);
      }
      return true;
    }
    case DType::Q4_0: {
      auto* b = static_cast<const BlockQ4_0*>(src);
      for (int64_t i = 0; i < n / kQBlock; ++i) {
        float d = f16Scalar(b[i].d);
        store32<false>(unpackNibbles(b[i].qs), _mm256_set1_ps(d), _mm256_set1_ps(-8.0f * d),
                       dst + 32 * i);
      }
      return true;
    }
    case DType::Q4_1: {
      auto* b = static_cast<const BlockQ4_1*>(src);
      for (int64_t i = 0; i < n / kQBlock; ++i)
        store32<false>(unpackNibbles(b[i].qs), _mm256_set1_ps(f16Scalar(b[i].d)),
                       _mm256_set1_ps(f16Scalar(b[i].m)), dst + 32 * i);
      return true;
    }
    default:
      return dequantizeRowRef(t, src, dst, n);
  }
}

}  // namespace
#endif

bool dequantizeRow(Isa isa, DType t, const void* src, float* dst, int64_t n) {
#if LAC_KERNELS_X86
  if (isa >= Isa::Avx2) return dequantizeRowAvx2(t, src, dst, n);
#endif
  return dequantizeRowRef(t, src, dst, n);
}

}  // namespace lac::kernels::cpu
