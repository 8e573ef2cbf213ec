// Quantizing f32 activation rows to int8 blocks of 32 for the integer dot
// products of the quantized matmuls (q8_0-style, but with an f32 scale and a
// per-block sum; see ActQ8Row in quant_blocks.h).
//
// Per block: d = max|x| / 127, q = round-half-even(x / d) (computed as
// x * (1/d)), s = d * sum(q). The fast path gives bit-identical results.
#pragma once

#include <cstdint>

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/cpu/quant_blocks.h"

namespace lac::kernels::cpu {

// x: [n] f32, n a multiple of 32; qs: [n]; d, s: [n / 32].
void quantizeActRow(Isa isa, const float* x, int64_t n, int8_t* qs, float* d, float* s);
void quantizeActRowRef(const float* x, int64_t n, int8_t* qs, float* d, float* s);

// What that quantization loses: r[j] = x[j] - d[j / 32] * qs[j], with the
// same d and qs bit for bit (|r| <= d / 2). A quantized matmul of x plus one
// of r is a matmul of x with ~15-bit activations (the engine's precise mode,
// runtime/engine/act_precision.h). x, r: [n] f32 (r may alias x). The fast
// path gives bit-identical results.
void quantizeActResidualRow(Isa isa, const float* x, int64_t n, float* r);
void quantizeActResidualRowRef(const float* x, int64_t n, float* r);

}  // namespace lac::kernels::cpu
