#include "compiler/import/dequantize.h"

#include "runtime/core/half.h"

namespace lac::import {

VoidResult dequantizeRow(DType t, const uint8_t* src, float* dst, uint64_t n) {
  switch (t) {
    case DType::F32:
      __builtin_memcpy(dst, src, n * 4);
      return {};
    case DType::F16:
      for (uint64_t i = 0; i < n; ++i) dst[i] = f16ToFloat(static_cast<uint16_t>(src[2 * i] | src[2 * i + 1] << 8));
      return {};
    case DType::BF16:
      for (uint64_t i = 0; i < n; ++i) dst[i] = bf16ToFloat(static_cast<uint16_t>(src[2 * i] | src[2 * i + 1] << 8));
      return {};
    default:
      LAC_FAIL(Error::Unsupported, "no dequantizer for %s yet", std::string(dtypeName(t)).c_str());
  }
}

}  // namespace lac::import
