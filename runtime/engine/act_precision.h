// Accuracy of the quantized matmuls' int8 activations, where it decides tokens.
//
// The q4_0/q4_1/q8_0 kernels quantize each activation row to int8 blocks of
// 32 (quantize_act.h; llama.cpp's q8 path does the same). That rounding
// (step max|x| / 127 per block) puts noise of ~0.2 (rms over the vocabulary)
// to ~0.35 (mean over the top 20) on SmolLM2-135M Q4_1's logits compared to
// the same weights with f32 activations: enough to flip near-ties, e.g. the
// first answer token of "What is the capital of France?" (f32 margin 0.08:
// "The" vs "L'"). Measured per op (scripts/goldens/act-quant-noise.py): the
// noise is spread over every layer and op; the largest single contributor
// to the top logits is the lm_head, whose error grows with the logits
// (~0.13 on that margin alone).
//
// Two remedies, both exact up to f32 rounding:
//  * matmulPrecise: y = W.Q(x) + W.Q(x - Q(x)), two passes of the same
//    kernel, ~15-bit activations at twice the matmul cost. The engine uses it
//    for prefill (the prompt's KV cache is read by every later token; the
//    first answer token comes from it), not for decode.
//  * rescoreTopLogits: the lm_head rows whose logits lie within kRescoreMargin
//    of the largest are recomputed as f32 dot products of the dequantized row
//    with the normalized activation (at most kRescoreMax rows; ~1% of a
//    decode step). Greedy and top-p choices then see exact top logits.
#pragma once

#include <cstdint>

#include "runtime/engine/bound_step.h"

namespace lac::engine {

// Rows re-scored: logits within this margin of the row's largest (the int8
// activations move SmolLM2's top lm_head logits by up to 0.21, measured over
// 12 prompts x 32 steps; ~9 rows a step), at most kRescoreMax.
constexpr float kRescoreMargin = 4.0f;
constexpr int64_t kRescoreMax = 64;

// y[n, rows] = x[n, cols] . W^T (+ residual) with W quantized: one kernel call
// on x, then one on x's quantization residual accumulating into y.
// scratch: [n, cols] f32.
void matmulPrecise(const kernels::cpu::CpuContext& ctx, const kernels::MatmulArgs& a, float* scratch);

// For each of the n rows of logits y[n, rows] (row stride ys) computed from
// x[n, cols] (stride xs) and the quantized weight w [rows, cols]: recomputes
// the leading logits exactly (see above). scratch: [cols] f32.
void rescoreTopLogits(const kernels::cpu::CpuContext& ctx, const float* x, int64_t xs, const BoundWeight& w,
                      float* y, int64_t ys, int64_t n, int64_t rows, int64_t cols, float* scratch);

}  // namespace lac::engine
