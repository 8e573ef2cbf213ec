// GGML's block layouts (ggml-common.h) for the quantized weight types, and the
// int8 layout activations are quantized to for integer dot products.
//
// Reference dequantization (element j of a block of 32):
//   q8_0: d * qs[j]
//   q4_0: d * (nib(j) - 8)
//   q4_1: d * nib(j) + m
// where nib(j) is the low nibble of qs[j] for j < 16 and the high nibble of
// qs[j - 16] for j >= 16. d and m are IEEE f16.
#pragma once

#include <cstdint>

namespace lac::kernels::cpu {

constexpr int kQBlock = 32;  // elements per block of q8_0 / q4_0 / q4_1

struct BlockQ8_0 {
  uint16_t d;
  int8_t qs[32];
};
struct BlockQ4_0 {
  uint16_t d;
  uint8_t qs[16];
};
struct BlockQ4_1 {
  uint16_t d, m;
  uint8_t qs[16];
};
static_assert(sizeof(BlockQ8_0) == 34 && sizeof(BlockQ4_0) == 18 && sizeof(BlockQ4_1) == 20);

// An activation row of `in` elements quantized in blocks of 32 (q8_0-style,
// f32 scale): x[j] ~= d[j / 32] * qs[j], with qs in [-127, 127], and
// s[b] = d[b] * sum(qs of block b) (needed by the q4_0 offset and q4_1 min).
struct ActQ8Row {
  const int8_t* qs;  // [in]
  const float* d;    // [in / 32]
  const float* s;    // [in / 32]
};

}  // namespace lac::kernels::cpu
