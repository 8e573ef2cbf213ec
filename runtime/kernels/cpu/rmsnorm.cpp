#include "runtime/kernels/cpu/rmsnorm.h"

#include <cmath>

#include "runtime/kernels/cpu/parallel.h"
#include "runtime/kernels/cpu/simd_avx2.h"

namespace lac::kernels::cpu {

namespace {

// ---- scalar reference -------------------------------------------------------

void rmsnormRowsRef(const RmsNormArgs& a, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* x = a.x + r * a.x_stride;
    float* y = a.y + r * a.y_stride;
    float ss = 0.0f;
    for (int64_t i = 0; i < a.dim; ++i) ss += x[i] * x[i];
    float inv = 1.0f / std::sqrt(ss / static_cast<float>(a.dim) + a.eps);
    for (int64_t i = 0; i < a.dim; ++i) y[i] = x[i] * inv * a.w[i];
  }
}

// ---- AVX2 -------------------------------------------------------------------

#if LAC_KERNELS_X86
LAC_TARGET_AVX2 void rmsnormRowsAvx2(const RmsNormArgs& a, int64_t r0, int64_t r1) {
  for (int64_t r = r0; r < r1; ++r) {
    const float* x = a.x + r * a.x_stride;
    float* y = a.y + r * a.y_stride;
    __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= a.dim; i += 16) {
      __m256 v0 = _mm256_loadu_ps(x + i), v1 = _mm256_loadu_ps(x + i + 8);
      acc0 = _mm256_fmadd_ps(v0, v0, acc0);
      acc1 = _mm256_fmadd_ps(v1, v1, acc1);
    }
    for (; i + 8 <= a.dim; i += 8) {
      __m256 v = _mm256_loadu_ps(x + i);
      acc0 = _mm256_fmadd_ps(v, v, acc0);
    }
    float ss = avx2::hsum(_mm256_add_ps(acc0, acc1));
    for (; i < a.dim; ++i) ss += x[i] * x[i];
    float inv = 1.0f / std::sqrt(ss / static_cast<float>(a.dim) + a.eps);
    __m256 vinv = _mm256_set1_ps(inv);
    for (i = 0; i + 8 <= a.dim; i += 8)
      _mm256_storeu_ps(y + i, _mm256_mul_ps(_mm256_mul_ps(_mm256_loadu_ps(x + i), vinv),
                                            _mm256_loadu_ps(a.w + i)));
    for (; i < a.dim; ++i) y[i] = x[i] * inv * a.w[i];
  }
}
#endif

}  // namespace

void rmsnorm(const CpuContext& ctx, const RmsNormArgs& a) {
  parallelRows(ctx, a.n, std::max<int64_t>(1, 32768 / (a.dim + 1)), [&](int64_t r0, int64_t r1) {
#if LAC_KERNELS_X86
    if (ctx.isa >= Isa::Avx2) return rmsnormRowsAvx2(a, r0, r1);
#endif
    rmsnormRowsRef(a, r0, r1);
  });
}

void rmsnormRef(const RmsNormArgs& a) { rmsnormRowsRef(a, 0, a.n); }

}  // namespace lac::kernels::cpu
