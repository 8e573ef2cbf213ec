// The "x8" weight layouts of q8_0 / q4_0 / q4_1 matrices (docs/FORMAT.md):
// rows grouped by 8 and interleaved so that one 256-bit load holds 4 quant
// bytes of each of the 8 rows and one 128-bit load holds their 8 f16 scales.
//
// A [out, in] matrix (out % 8 == 0, in % 32 == 0) is out/8 row groups, each
// in/32 superblocks in block order; superblock (g, b) sits at byte
// (g * in/32 + b) * sizeof(Super) and holds block b of rows 8g .. 8g+7:
//
//   q4_0x8 {f16 d[8];           u8 qs[128];}  144 bytes = 8 * 18
//   q4_1x8 {f16 d[8]; f16 m[8]; u8 qs[128];}  160 bytes = 8 * 20
//   q8_0x8 {f16 d[8];           i8 qs[256];}  272 bytes = 8 * 34
//
// d[r] (and m[r]) are row r's block scale (and min). Row r's GGML quant byte
// j (its qs[j]: j < 16 for q4, j < 32 for q8) is at
//   qs[(j / 4) * 32 + r * 4 + j % 4]
// i.e. chunk k = j / 4 is 32 bytes: 4 bytes of row 0, 4 of row 1, ... 4 of
// row 7. A q4 byte keeps GGML's nibble order (element j low, j + 16 high).
// The packed matrix has exactly the row-major size.
#pragma once

#include <cstdint>

#include "runtime/core/dtype.h"
#include "runtime/kernels/cpu/quant_blocks.h"

namespace lac::kernels::cpu {

constexpr int kX8Rows = 8;

struct SuperQ4_0x8 {
  uint16_t d[8];
  uint8_t qs[128];
};
struct SuperQ4_1x8 {
  uint16_t d[8], m[8];
  uint8_t qs[128];
};
struct SuperQ8_0x8 {
  uint16_t d[8];
  int8_t qs[256];
};
static_assert(sizeof(SuperQ4_0x8) == 8 * sizeof(BlockQ4_0) && sizeof(SuperQ4_1x8) == 8 * sizeof(BlockQ4_1) &&
              sizeof(SuperQ8_0x8) == 8 * sizeof(BlockQ8_0));

// Offset in a superblock's qs of row r's quant byte j.
constexpr int x8QuantIndex(int r, int j) { return (j / 4) * 32 + r * 4 + j % 4; }

// q8_0, q4_0 and q4_1 have an x8 layout.
bool hasX8Layout(DType t);

// True when a [out, in] matrix of type t can be stored x8.
bool fitsX8(DType t, int64_t out, int64_t in);

// Row-major GGML blocks [out, in] -> x8, and back. src and dst do not alias;
// each writes rowBytes(t, in) * out bytes. Preconditions: fitsX8(t, out, in).
void packX8(DType t, const void* src, int64_t out, int64_t in, void* dst);
void unpackX8(DType t, const void* src, int64_t out, int64_t in, void* dst);

// Row `row` of an x8 matrix as row-major GGML blocks (rowBytes(t, in) bytes).
void unpackRowX8(DType t, const void* src, int64_t in, int64_t row, void* dst);

}  // namespace lac::kernels::cpu
