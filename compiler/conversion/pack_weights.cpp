#include "compiler/conversion/pack_weights.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>
#include <string>

#include "compiler/conversion/pack_q4_g32.h"
#include "compiler/import/dequantize.h"
#include "runtime/artifact/weight_layout.h"
#include "runtime/core/half.h"
#include "runtime/kernels/cpu/pack_x8.h"

namespace lac::conversion {

namespace {

constexpr int kQK = 32;  // elements per q8_0/q4_0/q4_1 block

void putF16(uint8_t* dst, float v) {
  const uint16_t h = floatToF16(v);
  std::memcpy(dst, &h, 2);
}

//===----------------------------------------------------------------------===//
// GGML reference quantizers (one block of 32 floats each)
//===----------------------------------------------------------------------===//

// block_q8_0 {f16 d; int8 qs[32]}: d = amax / 127, q = round(x / d).
void quantizeBlockQ8_0(const float* x, uint8_t* y) {
  float amax = 0.0f;
  for (int j = 0; j < kQK; ++j) amax = std::max(amax, std::fabs(x[j]));
  const float d = amax / 127.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  putF16(y, d);
  for (int j = 0; j < kQK; ++j) y[2 + j] = static_cast<uint8_t>(static_cast<int8_t>(std::roundf(x[j] * id)));
}

// block_q4_0 {f16 d; u8 qs[16]}: d = (signed value of max |x|) / -8,
// q = min(15, trunc(x / d + 8.5)); low nibbles hold elements 0..15.
void quantizeBlockQ4_0(const float* x, uint8_t* y) {
  float amax = 0.0f, max = 0.0f;
  for (int j = 0; j < kQK; ++j)
    if (amax < std::fabs(x[j])) {
      amax = std::fabs(x[j]);
      max = x[j];
    }
  const float d = max / -8.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  putF16(y, d);
  for (int j = 0; j < kQK / 2; ++j) {
    const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>(x[j] * id + 8.5f)));
    const int q1 = std::min(15, static_cast<int>(static_cast<int8_t>(x[j + kQK / 2] * id + 8.5f)));
    y[2 + j] = static_cast<uint8_t>(q0 | (q1 << 4));
  }
}

// block_q4_1 {f16 d; f16 m; u8 qs[16]}: d = (max - min) / 15, m = min,
// q = min(15, trunc((x - min) / d + 0.5)).
void quantizeBlockQ4_1(const float* x, uint8_t* y) {
  float min = FLT_MAX, max = -FLT_MAX;
  for (int j = 0; j < kQK; ++j) {
    min = std::min(min, x[j]);
    max = std::max(max, x[j]);
  }
  const float d = (max - min) / 15.0f;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  putF16(y, d);
  putF16(y + 2, min);
  for (int j = 0; j < kQK / 2; ++j) {
    const int q0 = std::min(15, static_cast<int>(static_cast<int8_t>((x[j] - min) * id + 0.5f)));
    const int q1 = std::min(15, static_cast<int>(static_cast<int8_t>((x[j + kQK / 2] - min) * id + 0.5f)));
    y[4 + j] = static_cast<uint8_t>(q0 | (q1 << 4));
  }
}

// Whether `layout` is the x8 interleave (pack_x8.h) for `target`; an error
// for a layout that is neither row_major nor that.
Result<bool> isX8Layout(std::string_view layout, DType target) {
  if (layout == "row_major") return false;
  const std::string x8 = artifact::x8LayoutName(target);
  LAC_CHECK_OR_RETURN(!x8.empty() && layout == x8, Error::Unsupported,
                      "unknown weight layout '%.*s' for %s (known: row_major%s%s)", static_cast<int>(layout.size()),
                      layout.data(), std::string(dtypeName(target)).c_str(), x8.empty() ? "" : ", ", x8.c_str());
  return true;
}

// [rows, cols] of a rank-1 or rank-2 logical shape.
Result<std::pair<uint64_t, uint64_t>> rowsCols(const lac::import::TensorView& t) {
  LAC_CHECK_OR_RETURN(t.shape.size() == 1 || t.shape.size() == 2, Error::Unsupported,
                      "tensor '%s': weights are vectors or matrices, got rank %zu", t.name.c_str(), t.shape.size());
  if (t.shape.size() == 1) return std::pair<uint64_t, uint64_t>{1, t.shape[0]};
  return std::pair<uint64_t, uint64_t>{t.shape[0], t.shape[1]};
}

// GGML q4_0/q4_1 rows -> Q4_G32 rows, value for value (pack_q4_g32.h).
VoidResult repackToQ4G32(const lac::import::TensorView& t, uint64_t rows, uint64_t cols, std::span<uint8_t> dst) {
  const uint64_t src_row = *rowBytes(t.dtype, cols), dst_row = *rowBytes(DType::Q4_G32, cols);
  std::vector<uint8_t> raw(rows * src_row);
  LAC_RETURN_IF_ERROR(t.copyTo(raw));
  for (uint64_t r = 0; r < rows; ++r) {
    auto ok = repackRowToQ4G32(t.dtype, raw.data() + r * src_row, dst.data() + r * dst_row, cols);
    LAC_CHECK_OR_RETURN(ok.ok(), ok.error(), "tensor '%s' row %llu: %s", t.name.c_str(),
                        static_cast<unsigned long long>(r), ok.message().c_str());
  }
  return {};
}

// Appends the packed rows of `t` to `out`.
VoidResult appendPacked(const lac::import::TensorView& t, DType target, std::vector<uint8_t>& out) {
  LAC_ASSIGN_OR_RETURN(auto rc, rowsCols(t));
  const auto [rows, cols] = rc;
  const std::optional<uint64_t> row_bytes = rowBytes(target, cols);
  LAC_CHECK_OR_RETURN(row_bytes.has_value(), Error::InvalidArgument,
                      "tensor '%s': %llu columns are not a whole number of %s blocks", t.name.c_str(),
                      static_cast<unsigned long long>(cols), std::string(dtypeName(target)).c_str());
  const size_t base = out.size();
  out.resize(base + rows * *row_bytes);
  std::span<uint8_t> dst(out.data() + base, rows * *row_bytes);
  if (t.dtype == target) return t.copyTo(dst);  // already in place: bytes unchanged
  if (target == DType::Q4_G32 && (t.dtype == DType::Q4_0 || t.dtype == DType::Q4_1))
    return repackToQ4G32(t, rows, cols, dst);  // lossless: no trip through f32
  std::vector<float> values(t.numElements());
  LAC_RETURN_IF_ERROR(t.toFloat(values));
  for (uint64_t r = 0; r < rows; ++r)
    LAC_RETURN_IF_ERROR(quantizeRow(target, values.data() + r * cols, dst.data() + r * *row_bytes, cols));
  return {};
}

}  // namespace

bool isPackableFormat(DType t) {
  switch (t) {
    case DType::F32: case DType::F16: case DType::BF16:
    case DType::Q8_0: case DType::Q4_0: case DType::Q4_1:
    case DType::Q4_G32:
      return true;
    default:
      return false;
  }
}

VoidResult quantizeRow(DType target, const float* src, uint8_t* dst, uint64_t n) {
  LAC_CHECK_OR_RETURN(isPackableFormat(target), Error::Unsupported, "cannot pack weights as %s (no kernel reads it)",
                      std::string(dtypeName(target)).c_str());
  const DTypeInfo& info = dtypeInfo(target);
  LAC_CHECK_OR_RETURN(n % info.blockElems == 0, Error::InvalidArgument,
                      "%llu elements are not a whole number of %s blocks", static_cast<unsigned long long>(n),
                      std::string(info.name).c_str());
  if (target == DType::Q4_G32) {
    // q4_1's rounding, then the lossless repacking into the planar row (one
    // quantizer for both formats).
    std::vector<uint8_t> q4_1(n / 32 * dtypeInfo(DType::Q4_1).blockBytes);
    LAC_RETURN_IF_ERROR(quantizeRow(DType::Q4_1, src, q4_1.data(), n));
    return repackRowToQ4G32(DType::Q4_1, q4_1.data(), dst, n);
  }
  for (uint64_t i = 0; i < n / info.blockElems; ++i) {
    const float* x = src + i * info.blockElems;
    uint8_t* y = dst + i * info.blockBytes;
    switch (target) {
      case DType::F32: std::memcpy(y, x, 4); break;
      case DType::F16: { const uint16_t h = floatToF16(*x); std::memcpy(y, &h, 2); break; }
      case DType::BF16: { const uint16_t h = floatToBf16(*x); std::memcpy(y, &h, 2); break; }
      case DType::Q8_0: quantizeBlockQ8_0(x, y); break;
      case DType::Q4_0: quantizeBlockQ4_0(x, y); break;
      case DType::Q4_1: quantizeBlockQ4_1(x, y); break;
      default: break;
    }
  }
  return {};
}

Result<std::vector<uint8_t>> packWeight(const lac::import::TensorView& src, DType target_format,
                                        std::string_view layout) {
  const lac::import::TensorView* one[] = {&src};
  return packConcatRows(one, target_format, layout);
}

Result<std::vector<uint8_t>> packConcatRows(std::span<const lac::import::TensorView* const> srcs,
                                            DType target_format, std::string_view layout) {
  LAC_ASSIGN_OR_RETURN(const bool x8, isX8Layout(layout, target_format));
  LAC_CHECK_OR_RETURN(isPackableFormat(target_format), Error::Unsupported,
                      "cannot pack weights as %s (no kernel reads it)", std::string(dtypeName(target_format)).c_str());
  LAC_CHECK_OR_RETURN(!srcs.empty(), Error::InvalidArgument, "nothing to pack");
  const uint64_t cols = srcs.front()->shape.empty() ? 0 : srcs.front()->shape.back();
  std::vector<uint8_t> out;
  for (const lac::import::TensorView* t : srcs) {
    LAC_CHECK_OR_RETURN(!t->shape.empty() && t->shape.back() == cols, Error::InvalidArgument,
                        "tensor '%s': stacking rows needs %llu columns like '%s'", t->name.c_str(),
                        static_cast<unsigned long long>(cols), srcs.front()->name.c_str());
    LAC_RETURN_IF_ERROR(appendPacked(*t, target_format, out));
  }
  if (!x8) return out;
  // The stacked rows, interleaved by 8 (a fused weight's parts may each have
  // any row count: only the total must be a multiple of 8).
  const uint64_t rows = out.size() / *rowBytes(target_format, cols);
  LAC_CHECK_OR_RETURN(kernels::cpu::fitsX8(target_format, int64_t(rows), int64_t(cols)), Error::InvalidArgument,
                      "weight '%s': layout %.*s needs rows %% 8 == 0, got [%llu, %llu]", srcs.front()->name.c_str(),
                      static_cast<int>(layout.size()), layout.data(), static_cast<unsigned long long>(rows),
                      static_cast<unsigned long long>(cols));
  std::vector<uint8_t> packed(out.size());
  kernels::cpu::packX8(target_format, out.data(), int64_t(rows), int64_t(cols), packed.data());
  return packed;
}

}  // namespace lac::conversion
