#include "compiler/import/dequantize.h"

#include <cstring>
#include <string>

#include "runtime/core/half.h"

namespace lac::import {

namespace {

// Block layouts (ggml-common.h). All multi-byte fields are little-endian;
// f16 fields are IEEE half.
//   Q8_0  (34 B / 32):  f16 d | i8 qs[32]                      x = d*q
//   Q4_0  (18 B / 32):  f16 d | u8 qs[16]                      x = d*(q-8)
//   Q4_1  (20 B / 32):  f16 d | f16 m | u8 qs[16]              x = d*q + m
//   Q5_0  (22 B / 32):  f16 d | u32 qh | u8 qs[16]             x = d*(q-16)
//   Q5_1  (24 B / 32):  f16 d | f16 m | u32 qh | u8 qs[16]     x = d*q + m
//   Q4_K (144 B / 256): f16 d | f16 dmin | u8 scales[12] | u8 qs[128]
//   Q5_K (176 B / 256): f16 d | f16 dmin | u8 scales[12] | u8 qh[32] | u8 qs[128]
//   Q6_K (210 B / 256): u8 ql[128] | u8 qh[64] | i8 scales[16] | f16 d
// In the 32-element types, byte j of qs holds element j (low nibble) and
// element j+16 (high nibble); bit j of qh is bit 4 of element j.

inline float f16At(const uint8_t* p) { return f16ToFloat(static_cast<uint16_t>(p[0] | p[1] << 8)); }

inline uint32_t u32At(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// ---------------------------------------------------------------------------
// 32-element blocks

void blockQ8_0(const uint8_t* b, float* y) {
  const float d = f16At(b);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

void blockQ4_0(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const uint8_t* qs = b + 2;
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>((qs[j] & 0x0f) - 8) * d;
    y[j + 16] = static_cast<float>((qs[j] >> 4) - 8) * d;
  }
}

void blockQ4_1(const uint8_t* b, float* y) {
  const float d = f16At(b), m = f16At(b + 2);
  const uint8_t* qs = b + 4;
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>(qs[j] & 0x0f) * d + m;
    y[j + 16] = static_cast<float>(qs[j] >> 4) * d + m;
  }
}

// The 5-bit value of element j (0..31) from qs and qh.
inline int q5At(const uint8_t* qs, uint32_t qh, int j) {
  const int lo = j < 16 ? (qs[j] & 0x0f) : (qs[j - 16] >> 4);
  return lo | static_cast<int>((qh >> j) & 1u) << 4;
}

void blockQ5_0(const uint8_t* b, float* y) {
  const float d = f16At(b);
  const uint32_t qh = u32At(b + 2);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(q5At(b + 6, qh, j) - 16) * d;
}

void blockQ5_1(const uint8_t* b, float* y) {
  const float d = f16At(b), m = f16At(b + 2);
  const uint32_t qh = u32At(b + 4);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(q5At(b + 8, qh, j)) * d + m;
}

// ---------------------------------------------------------------------------
// 256-element K-quant blocks

// Q4_K/Q5_K: 8 sub-blocks of 32, each with a 6-bit scale and 6-bit min packed
// into 12 bytes (get_scale_min_k4): sub-blocks 0-3 in the low 6 bits of bytes
// 0-3 (scale) and 4-7 (min); sub-blocks 4-7 in the nibbles of bytes 8-11 with
// their top two bits in the top bits of bytes 0-3 (scale) and 4-7 (min).
inline void scaleMinK4(int j, const uint8_t* s, int& sc, int& m) {
  if (j < 4) {
    sc = s[j] & 63;
    m = s[j + 4] & 63;
  } else {
    sc = (s[j + 4] & 0x0f) | (s[j - 4] >> 6) << 4;
    m = (s[j + 4] >> 4) | (s[j] >> 6) << 4;
  }
}

// Q4_K: 64 elements per 32 bytes of qs: the low nibbles give sub-block 2i,
// the high nibbles sub-block 2i+1.
void blockQ4_K(const uint8_t* b, float* y) {
  const float d = f16At(b), dmin = f16At(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* q = b + 16;
  for (int i = 0; i < 4; ++i, q += 32, y += 64) {
    int sc = 0, m = 0;
    scaleMinK4(2 * i, scales, sc, m);
    const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
    scaleMinK4(2 * i + 1, scales, sc, m);
    const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
    for (int l = 0; l < 32; ++l) y[l] = d1 * static_cast<float>(q[l] & 0x0f) - m1;
    for (int l = 0; l < 32; ++l) y[l + 32] = d2 * static_cast<float>(q[l] >> 4) - m2;
  }
}

// Q5_K: as Q4_K, plus a fifth bit per element: bit 2i of qh[l] for element l
// of sub-block 2i, bit 2i+1 for sub-block 2i+1.
void blockQ5_K(const uint8_t* b, float* y) {
  const float d = f16At(b), dmin = f16At(b + 2);
  const uint8_t* scales = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* ql = b + 48;
  for (int i = 0; i < 4; ++i, ql += 32, y += 64) {
    int sc = 0, m = 0;
    scaleMinK4(2 * i, scales, sc, m);
    const float d1 = d * static_cast<float>(sc), m1 = dmin * static_cast<float>(m);
    scaleMinK4(2 * i + 1, scales, sc, m);
    const float d2 = d * static_cast<float>(sc), m2 = dmin * static_cast<float>(m);
    const uint8_t u1 = static_cast<uint8_t>(1u << (2 * i)), u2 = static_cast<uint8_t>(2u << (2 * i));
    for (int l = 0; l < 32; ++l)
      y[l] = d1 * static_cast<float>((ql[l] & 0x0f) + (qh[l] & u1 ? 16 : 0)) - m1;
    for (int l = 0; l < 32; ++l)
      y[l + 32] = d2 * static_cast<float>((ql[l] >> 4) + (qh[l] & u2 ? 16 : 0)) - m2;
  }
}

// Q6_K: two halves of 128 elements; in each, ql (64 B) gives the low nibbles
// and qh (32 B) two high bits for 4 runs of 32 elements; 16 sub-blocks of 16
// elements each have an i8 scale. x = d * scale * (q - 32).
void blockQ6_K(const uint8_t* b, float* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
  const float d = f16At(b + 208);
  for (int half = 0; half < 2; ++half, ql += 64, qh += 32, sc += 8, y += 128) {
    for (int l = 0; l < 32; ++l) {
      const int is = l / 16;
      const int q1 = ((ql[l] & 0x0f) | ((qh[l] >> 0) & 3) << 4) - 32;
      const int q2 = ((ql[l + 32] & 0x0f) | ((qh[l] >> 2) & 3) << 4) - 32;
      const int q3 = ((ql[l] >> 4) | ((qh[l] >> 4) & 3) << 4) - 32;
      const int q4 = ((ql[l + 32] >> 4) | ((qh[l] >> 6) & 3) << 4) - 32;
      y[l] = d * static_cast<float>(sc[is]) * static_cast<float>(q1);
      y[l + 32] = d * static_cast<float>(sc[is + 2]) * static_cast<float>(q2);
      y[l + 64] = d * static_cast<float>(sc[is + 4]) * static_cast<float>(q3);
      y[l + 96] = d * static_cast<float>(sc[is + 6]) * static_cast<float>(q4);
    }
  }
}

using BlockFn = void (*)(const uint8_t*, float*);

BlockFn blockFn(DType t) {
  switch (t) {
    case DType::Q8_0: return blockQ8_0;
    case DType::Q4_0: return blockQ4_0;
    case DType::Q4_1: return blockQ4_1;
    case DType::Q5_0: return blockQ5_0;
    case DType::Q5_1: return blockQ5_1;
    case DType::Q4_K: return blockQ4_K;
    case DType::Q5_K: return blockQ5_K;
    case DType::Q6_K: return blockQ6_K;
    default: return nullptr;
  }
}

}  // namespace

VoidResult dequantizeRow(DType t, const uint8_t* src, float* dst, uint64_t n) {
  switch (t) {
    case DType::F32:
      std::memcpy(dst, src, n * 4);
      return {};
    case DType::F16:
      for (uint64_t i = 0; i < n; ++i) dst[i] = f16ToFloat(static_cast<uint16_t>(src[2 * i] | src[2 * i + 1] << 8));
      return {};
    case DType::BF16:
      for (uint64_t i = 0; i < n; ++i) dst[i] = bf16ToFloat(static_cast<uint16_t>(src[2 * i] | src[2 * i + 1] << 8));
      return {};
    default: break;
  }
  BlockFn fn = blockFn(t);
  LAC_CHECK_OR_RETURN(fn != nullptr, Error::Unsupported, "no dequantizer for %s", std::string(dtypeName(t)).c_str());
  const DTypeInfo& info = dtypeInfo(t);
  LAC_CHECK_OR_RETURN(n % info.blockElems == 0, Error::InvalidArgument,
                      "dequantize %s: %llu elements is not a whole number of %u-element blocks",
                      std::string(info.name).c_str(), static_cast<unsigned long long>(n), info.blockElems);
  for (uint64_t blk = 0; blk < n / info.blockElems; ++blk)
    fn(src + blk * info.blockBytes, dst + blk * info.blockElems);
  return {};
}

}  // namespace lac::import
