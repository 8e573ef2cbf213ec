#include "runtime/kernels/cpu/swiglu.h"

#include <cmath>

#include "runtime/kernels/cpu/parallel.h"
#include "runtime/kernels/cpu/simd_avx2.h"

namespace lac::kernels::cpu {

namespace {

inline float siluMul(float g, float u) { return g / (1.0f + std::exp(-g)) * u; }

void swigluRowsRef(const SwigluArgs& a, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* g = a.gate + r * a.gate_stride;
    const float* u = a.up + r * a.up_stride;
    float* o = a.out + r * a.out_stride;
    for (int64_t j = 0; j < a.ffn; ++j) o[j] = siluMul(g[j], u[j]);
  }
}

#if LAC_KERNELS_X86
LAC_TARGET_AVX2 void swigluRowsAvx2(const SwigluArgs& a, int64_t r0, int64_t r1) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 sign = _mm256_set1_ps(-0.0f);
  for (int64_t r = r0; r < r1; ++r) {
    const float* g = a.gate + r * a.gate_stride;
    const float* u = a.up + r * a.up_stride;
    float* o = a.out + r * a.out_stride;
    int64_t j = 0;
    for (; j + 8 <= a.ffn; j += 8) {
      __m256 gv = _mm256_loadu_ps(g + j);
      __m256 e = avx2::exp(_mm256_xor_ps(gv, sign));  // exp(-g), clamped at e^88: silu -> -0 for g << 0
      __m256 s = _mm256_div_ps(gv, _mm256_add_ps(one, e));
      _mm256_storeu_ps(o + j, _mm256_mul_ps(s, _mm256_loadu_ps(u + j)));
    }
    for (; j < a.ffn; ++j) o[j] = siluMul(g[j], u[j]);
  }
}
#endif

}  // namespace

void swiglu(const CpuContext& ctx, const SwigluArgs& a) {
  parallelRows(ctx, a.n, std::max<int64_t>(1, 32768 / (a.ffn + 1)), [&](int64_t r0, int64_t r1) {
#if LAC_KERNELS_X86
    if (ctx.isa >= Isa::Avx2) return swigluRowsAvx2(a, r0, r1);
#endif
    swigluRowsRef(a, r0, r1);
  });
}

void swigluRef(const SwigluArgs& a) { swigluRowsRef(a, 0, a.n); }

}  // namespace lac::kernels::cpu
