// Packing into Q4_G32, LAC's planar int4 rows for GPUs (runtime/core/dtype.h):
// one row of n elements is qs[n/2] (element 2i in the low nibble of byte i,
// 2i+1 in the high), then d[n/32] f16, then m[n/32] f16;
// value(i) = d[i/32] * nibble(i) + m[i/32].
//
// GGML's q4_0 {d; qs[16]} (value = d * (q - 8)) and q4_1 {d; m; qs[16]}
// (value = d * q + m) blocks repack into it without changing one value:
// q4_0 takes m = -8 d (exact in f16 for any finite d with |8 d| <= 65504),
// q4_1 keeps d and m; only the nibbles move (GGML keeps element j in the
// low nibble of qs[j] and element j + 16 in its high nibble). Quantizing
// f32 into Q4_G32 (pack_weights.h quantizeRow) is q4_1 then this repacking.
#pragma once

#include <cstdint>

#include "runtime/core/dtype.h"
#include "runtime/core/result.h"

namespace lac::conversion {

// One row of n elements in GGML `src_type` (Q4_0 or Q4_1) -> the same values
// as a Q4_G32 row. Unsupported for another type; InvalidArgument when a q4_0
// scale is too large for -8 d to be an f16 (|d| > 8188), where no lossless
// repacking exists.
VoidResult repackRowToQ4G32(DType src_type, const uint8_t* src, uint8_t* dst, uint64_t n);

// The reverse of the layout (for tests and the reference dequantizer):
// one Q4_G32 row -> n floats.
void dequantizeRowQ4G32(const uint8_t* src, float* y, uint64_t n);

}  // namespace lac::conversion
