#include "compiler/conversion/pack_q4_g32.h"

#include <cmath>
#include <cstring>
#include <string>

#include "runtime/core/half.h"

namespace lac::conversion {

namespace {

constexpr uint64_t kGroup = 32;

// The three planes of a row of n elements.
struct Planes {
  uint8_t* qs;  // [n/2]
  uint8_t* d;   // [n/32] f16
  uint8_t* m;   // [n/32] f16
};

Planes planes(uint8_t* row, uint64_t n) { return {row, row + n / 2, row + n / 2 + (n / kGroup) * 2}; }

void putF16(uint8_t* p, uint16_t h) { std::memcpy(p, &h, 2); }
uint16_t getF16(const uint8_t* p) {
  uint16_t h;
  std::memcpy(&h, p, 2);
  return h;
}

void setNibble(uint8_t* qs, uint64_t i, int q) {
  uint8_t& b = qs[i / 2];
  b = (i % 2) ? uint8_t((b & 0x0F) | (q << 4)) : uint8_t((b & 0xF0) | q);
}

}  // namespace

VoidResult repackRowToQ4G32(DType src_type, const uint8_t* src, uint8_t* dst, uint64_t n) {
  LAC_CHECK_OR_RETURN(src_type == DType::Q4_0 || src_type == DType::Q4_1, Error::Unsupported,
                      "cannot repack %s into q4_g32 (only q4_0 and q4_1)", std::string(dtypeName(src_type)).c_str());
  LAC_CHECK_OR_RETURN(n % kGroup == 0, Error::InvalidArgument, "%llu elements are not whole groups of 32",
                      static_cast<unsigned long long>(n));
  const bool q4_0 = src_type == DType::Q4_0;
  const uint64_t block_bytes = dtypeInfo(src_type).blockBytes;  // 18 | 20
  const Planes p = planes(dst, n);
  for (uint64_t g = 0; g < n / kGroup; ++g) {
    const uint8_t* b = src + g * block_bytes;
    const uint16_t d = getF16(b);
    uint16_t m;
    if (q4_0) {
      // value = d * (q - 8) = d * q + (-8 d); -8 d is exact unless it overflows.
      const float m32 = -8.0f * f16ToFloat(d);
      m = floatToF16(m32);
      LAC_CHECK_OR_RETURN(f16ToFloat(m) == m32 || std::isnan(m32), Error::InvalidArgument,
                          "q4_0 block %llu: scale %g is too large to repack into q4_g32 losslessly",
                          static_cast<unsigned long long>(g), f16ToFloat(d));
    } else {
      m = getF16(b + 2);
    }
    putF16(p.d + 2 * g, d);
    putF16(p.m + 2 * g, m);
    const uint8_t* qs = b + (q4_0 ? 2 : 4);
    for (uint64_t j = 0; j < kGroup / 2; ++j) {
      setNibble(p.qs, g * kGroup + j, qs[j] & 0x0F);
      setNibble(p.qs, g * kGroup + j + 16, qs[j] >> 4);
    }
  }
  return {};
}

void dequantizeRowQ4G32(const uint8_t* src, float* y, uint64_t n) {
  const Planes p = planes(const_cast<uint8_t*>(src), n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint64_t g = i / kGroup;
    const int q = (i % 2) ? p.qs[i / 2] >> 4 : p.qs[i / 2] & 0x0F;
    y[i] = f16ToFloat(getF16(p.d + 2 * g)) * float(q) + f16ToFloat(getF16(p.m + 2 * g));
  }
}

}  // namespace lac::conversion
