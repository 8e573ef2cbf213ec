#include "runtime/kernels/cpu/matmul.h"

#include <vector>

#include "runtime/core/half.h"
#include "runtime/kernels/cpu/matmul_tiles.h"
#include "runtime/kernels/cpu/pack_x8.h"
#include "runtime/kernels/cpu/parallel.h"
#include "runtime/kernels/cpu/quantize_act.h"

namespace lac::kernels::cpu {

// ---- scalar tiles (the reference) -------------------------------------------

namespace {

template <DType kT>
float weightAt(const void* row, int64_t i) {
  if constexpr (kT == DType::F32) return static_cast<const float*>(row)[i];
  if constexpr (kT == DType::F16) return f16ToFloat(static_cast<const uint16_t*>(row)[i]);
  if constexpr (kT == DType::BF16) return bf16ToFloat(static_cast<const uint16_t*>(row)[i]);
  return 0.0f;
}

template <DType kT>
void floatRectRef(const MatmulArgs& a, int64_t o0, int64_t o1) {
  const int64_t row_bytes = a.in * (kT == DType::F32 ? 4 : 2);
  for (int64_t o = o0; o < o1; ++o) {
    const void* w = static_cast<const uint8_t*>(a.w) + o * row_bytes;
    for (int64_t t = 0; t < a.n; ++t) {
      const float* x = a.x + t * a.x_stride;
      float sum = 0.0f;
      for (int64_t i = 0; i < a.in; ++i) sum += weightAt<kT>(w, i) * x[i];
      storeOut(a, t, o, sum);
    }
  }
}

// Integer dot product of block b of a weight row with the activation block.
//   q8_0: d_w d_x sum(q_w q_x)
//   q4_0: d_w d_x sum((n - 8) q_x) = d_w d_x sum(n q_x) - 8 d_w s_x
//   q4_1: sum((d_w n + m) d_x q_x) = d_w d_x sum(n q_x) + m s_x
template <DType kT>
float blockDot(const void* w_row, const ActQ8Row& x, int64_t b) {
  const int8_t* xq = x.qs + b * kQBlock;
  int isum = 0;
  if constexpr (kT == DType::Q8_0) {
    const auto& blk = static_cast<const BlockQ8_0*>(w_row)[b];
    for (int j = 0; j < 32; ++j) isum += blk.qs[j] * xq[j];
    return f16ToFloat(blk.d) * x.d[b] * static_cast<float>(isum);
  } else if constexpr (kT == DType::Q4_0) {
    const auto& blk = static_cast<const BlockQ4_0*>(w_row)[b];
    for (int j = 0; j < 16; ++j) isum += (blk.qs[j] & 0x0f) * xq[j] + (blk.qs[j] >> 4) * xq[j + 16];
    float dw = f16ToFloat(blk.d);
    return dw * x.d[b] * static_cast<float>(isum) - 8.0f * dw * x.s[b];
  } else {
    const auto& blk = static_cast<const BlockQ4_1*>(w_row)[b];
    for (int j = 0; j < 16; ++j) isum += (blk.qs[j] & 0x0f) * xq[j] + (blk.qs[j] >> 4) * xq[j + 16];
    return f16ToFloat(blk.d) * x.d[b] * static_cast<float>(isum) + f16ToFloat(blk.m) * x.s[b];
  }
}

template <DType kT>
void quantRectRef(const MatmulArgs& a, const QuantAct& act, int64_t o0, int64_t o1) {
  const int64_t nb = a.in / kQBlock;
  const int64_t row_bytes = nb * dtypeInfo(kT).blockBytes;
  for (int64_t o = o0; o < o1; ++o) {
    const void* w = static_cast<const uint8_t*>(a.w) + o * row_bytes;
    for (int64_t t = 0; t < a.n; ++t) {
      ActQ8Row x = act.row(t);
      float sum = 0.0f;
      for (int64_t b = 0; b < nb; ++b) sum += blockDot<kT>(w, x, b);
      storeOut(a, t, o, sum);
    }
  }
}

// The x8 reference: each row back to GGML blocks, then as above (so it gives
// exactly the row-major reference's result).
template <DType kT>
void quantRectRefX8(const MatmulArgs& a, const QuantAct& act, int64_t o0, int64_t o1) {
  const int64_t nb = a.in / kQBlock;
  std::vector<uint8_t> row(nb * dtypeInfo(kT).blockBytes);
  for (int64_t o = o0; o < o1; ++o) {
    unpackRowX8(kT, a.w, a.in, o, row.data());
    for (int64_t t = 0; t < a.n; ++t) {
      ActQ8Row x = act.row(t);
      float sum = 0.0f;
      for (int64_t b = 0; b < nb; ++b) sum += blockDot<kT>(row.data(), x, b);
      storeOut(a, t, o, sum);
    }
  }
}

}  // namespace

QuantRectFn quantRectX8Scalar(DType t) {
  switch (t) {
    case DType::Q8_0: return quantRectRefX8<DType::Q8_0>;
    case DType::Q4_0: return quantRectRefX8<DType::Q4_0>;
    case DType::Q4_1: return quantRectRefX8<DType::Q4_1>;
    default: return nullptr;
  }
}

FloatRectFn floatRectScalar(DType t) {
  switch (t) {
    case DType::F32: return floatRectRef<DType::F32>;
    case DType::F16: return floatRectRef<DType::F16>;
    case DType::BF16: return floatRectRef<DType::BF16>;
    default: return nullptr;
  }
}

QuantRectFn quantRectScalar(DType t) {
  switch (t) {
    case DType::Q8_0: return quantRectRef<DType::Q8_0>;
    case DType::Q4_0: return quantRectRef<DType::Q4_0>;
    case DType::Q4_1: return quantRectRef<DType::Q4_1>;
    default: return nullptr;
  }
}

// ---- dispatch -----------------------------------------------------------------

namespace {

// Quantized activations of the calling thread, grown as needed and kept
// (one allocation for the life of the thread, not one per call).
struct ActScratch {
  std::vector<int8_t> qs;
  std::vector<float> ds;
};

QuantAct quantizeActivations(const CpuContext& ctx, const MatmulArgs& a, bool parallel) {
  thread_local ActScratch scratch;
  const int64_t nb = a.in / kQBlock;
  if (static_cast<int64_t>(scratch.qs.size()) < a.n * a.in) scratch.qs.resize(a.n * a.in);
  if (static_cast<int64_t>(scratch.ds.size()) < 2 * a.n * nb) scratch.ds.resize(2 * a.n * nb);
  QuantAct act{scratch.qs.data(), scratch.ds.data(), scratch.ds.data() + a.n * nb, a.in, nb};
  auto rows = [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t)
      quantizeActRow(ctx.isa, a.x + t * a.x_stride, a.in, const_cast<int8_t*>(act.qs + t * a.in),
                     const_cast<float*>(act.d + t * nb), const_cast<float*>(act.s + t * nb));
  };
  if (parallel) parallelRows(ctx, a.n, 4, rows);
  else rows(0, a.n);
  return act;
}

// Columns per thread piece: a multiple of the 4-row tile and of the 8-row x8
// groups.
constexpr int64_t kColumnGrain = 16;

template <typename Rect>
void splitColumns(const CpuContext& ctx, const MatmulArgs& a, Rect&& rect) {
  const int64_t groups = (a.out + kColumnGrain - 1) / kColumnGrain;
  // Do not wake threads for less than ~64 KiB-equivalent of work each.
  int64_t min_groups = std::max<int64_t>(1, 4096 / std::max<int64_t>(1, a.in * a.n));
  parallelRows(ctx, groups, min_groups, [&](int64_t g0, int64_t g1) {
    rect(g0 * kColumnGrain, std::min(a.out, g1 * kColumnGrain));
  });
}

}  // namespace

void matmul(const CpuContext& ctx, const MatmulArgs& a) {
  if (a.n <= 0 || a.out <= 0) return;
  FloatRectFn frect = nullptr;
  QuantRectFn qrect = nullptr;
  const bool x8 = a.w_layout == WeightLayout::X8;
#if LAC_KERNELS_X86
  if (x8) {
    if (ctx.isa >= Isa::Avx512) qrect = quantRectX8Avx512(a.w_type);
    else if (ctx.isa >= Isa::Avx2) qrect = quantRectX8Avx2(a.w_type);
  } else if (ctx.isa >= Isa::Avx512) {
    qrect = quantRectAvx512(a.w_type);
  }
  if (ctx.isa >= Isa::Avx2) {
    frect = floatRectAvx2(a.w_type);
    if (!qrect && !x8) qrect = quantRectAvx2(a.w_type);
  }
#endif
  if (!frect) frect = floatRectScalar(a.w_type);
  if (!qrect) qrect = x8 ? quantRectX8Scalar(a.w_type) : quantRectScalar(a.w_type);

  if (dtypeInfo(a.w_type).quantized) {
    if (!qrect) return;
    QuantAct act = quantizeActivations(ctx, a, a.n >= 8);
    splitColumns(ctx, a, [&](int64_t o0, int64_t o1) { qrect(a, act, o0, o1); });
  } else if (frect) {
    splitColumns(ctx, a, [&](int64_t o0, int64_t o1) { frect(a, o0, o1); });
  }
}

void matmulRef(const MatmulArgs& a) {
  if (a.n <= 0 || a.out <= 0) return;
  if (dtypeInfo(a.w_type).quantized) {
    QuantRectFn rect = a.w_layout == WeightLayout::X8 ? quantRectX8Scalar(a.w_type) : quantRectScalar(a.w_type);
    if (!rect) return;
    // The reference quantizes with the reference quantizer.
    const int64_t nb = a.in / kQBlock;
    std::vector<int8_t> qs(a.n * a.in);
    std::vector<float> ds(2 * a.n * nb);
    for (int64_t t = 0; t < a.n; ++t)
      quantizeActRowRef(a.x + t * a.x_stride, a.in, qs.data() + t * a.in, ds.data() + t * nb,
                        ds.data() + a.n * nb + t * nb);
    rect(a, QuantAct{qs.data(), ds.data(), ds.data() + a.n * nb, a.in, nb}, 0, a.out);
  } else if (FloatRectFn rect = floatRectScalar(a.w_type)) {
    rect(a, 0, a.out);
  }
}

#if !LAC_KERNELS_X86
FloatRectFn floatRectAvx2(DType) { return nullptr; }
QuantRectFn quantRectAvx2(DType) { return nullptr; }
QuantRectFn quantRectAvx512(DType) { return nullptr; }
QuantRectFn quantRectX8Avx2(DType) { return nullptr; }
#endif

}  // namespace lac::kernels::cpu
