#include "runtime/kernels/cpu/rope.h"

#include <cmath>

#include "runtime/kernels/cpu/parallel.h"
#include "runtime/kernels/cpu/simd_avx2.h"

namespace lac::kernels::cpu {

// ---- frequencies --------------------------------------------------------------

void ropeFrequencies(int64_t head_dim, float theta, const RopeScaling& s, float* freqs) {
  const float kPi = 3.14159265358979323846f;
  const float low_wavelen = s.original_max_position / s.low_freq_factor;
  const float high_wavelen = s.original_max_position / s.high_freq_factor;
  for (int64_t i = 0; i < head_dim / 2; ++i) {
    float exponent = static_cast<float>(2 * i) / static_cast<float>(head_dim);
    float f = 1.0f / std::pow(theta, exponent);
    if (s.factor > 0.0f) {
      float wavelen = 2.0f * kPi / f;
      if (wavelen < high_wavelen) {
        // unchanged
      } else if (wavelen > low_wavelen) {
        f = f / s.factor;
      } else {
        float smooth = (s.original_max_position / wavelen - s.low_freq_factor) /
                       (s.high_freq_factor - s.low_freq_factor);
        f = (1.0f - smooth) * f / s.factor + smooth * f;
      }
    }
    freqs[i] = f;
  }
}

// ---- rotation -----------------------------------------------------------------

namespace {

// Largest head_dim the per-token cos/sin table on the stack holds.
constexpr int64_t kMaxHalf = 512;

// cs[2i] = cs[2i+1] = cos(pos f_i), sn[2i] = sn[2i+1] = sin(pos f_i).
void angleTable(int32_t pos, const float* freqs, int64_t half, float* cs, float* sn) {
  for (int64_t i = 0; i < half; ++i) {
    float angle = static_cast<float>(pos) * freqs[i];
    cs[2 * i] = cs[2 * i + 1] = std::cos(angle);
    sn[2 * i] = sn[2 * i + 1] = std::sin(angle);
  }
}

void rotateRef(float* x, int64_t head_dim, const float* cs, const float* sn) {
  for (int64_t i = 0; i < head_dim; i += 2) {
    float x0 = x[i], x1 = x[i + 1];
    x[i] = x0 * cs[i] - x1 * sn[i];
    x[i + 1] = x0 * sn[i] + x1 * cs[i];
  }
}

#if LAC_KERNELS_X86
// Even lanes: x0 c - x1 s; odd lanes: x1 c + x0 s  ==  fmaddsub(x, c, swap(x) * s).
LAC_TARGET_AVX2 void rotateAvx2(float* x, int64_t head_dim, const float* cs, const float* sn) {
  int64_t i = 0;
  for (; i + 8 <= head_dim; i += 8) {
    __m256 v = _mm256_loadu_ps(x + i);
    __m256 sw = _mm256_permute_ps(v, 0xb1);  // (x1, x0, x3, x2, ...)
    __m256 r = _mm256_fmaddsub_ps(v, _mm256_loadu_ps(cs + i),
                                  _mm256_mul_ps(sw, _mm256_loadu_ps(sn + i)));
    _mm256_storeu_ps(x + i, r);
  }
  if (i < head_dim) rotateRef(x + i, head_dim - i, cs + i, sn + i);
}
#endif

void ropeTokens(Isa isa, const RopeArgs& a, int64_t t0, int64_t t1) {
  alignas(32) float cs[2 * kMaxHalf], sn[2 * kMaxHalf];
  const int64_t half = a.head_dim / 2;
  for (int64_t t = t0; t < t1; ++t) {
    angleTable(a.positions[t], a.freqs, half, cs, sn);
    float* xt = a.x + t * a.x_stride;
    for (int64_t h = 0; h < a.n_heads; ++h) {
      float* x = xt + h * a.head_dim;
#if LAC_KERNELS_X86
      if (isa >= Isa::Avx2) {
        rotateAvx2(x, 2 * half, cs, sn);
        continue;
      }
#endif
      rotateRef(x, 2 * half, cs, sn);
    }
  }
}

}  // namespace

void rope(const CpuContext& ctx, const RopeArgs& a) {
  if (a.head_dim / 2 > kMaxHalf) return;
  parallelRows(ctx, a.n_tokens, std::max<int64_t>(1, 16384 / (a.n_heads * a.head_dim + 1)),
               [&](int64_t t0, int64_t t1) { ropeTokens(ctx.isa, a, t0, t1); });
}

void ropeRef(const RopeArgs& a) {
  if (a.head_dim / 2 > kMaxHalf) return;
  ropeTokens(Isa::Scalar, a, 0, a.n_tokens);
}

}  // namespace lac::kernels::cpu
