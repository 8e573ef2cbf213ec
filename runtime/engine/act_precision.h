// Accuracy of the quantized matmuls' int8 activations, where it decides tokens.
//
// The q4_0/q4_1/q8_0 kernels quantize each activation row to int8 blocks of
// 32 (quantize_act.h; llama.cpp's q8 path does the same). That rounding
// (step max|x| / 127 per block) moves SmolLM2-135M Q4_1's logits by 0.23
// (rms over the vocabulary) and 0.32 (mean over the top 20) against the same
// weights with f32 activations: enough to flip near-ties, e.g. the first
// answer token of "What is the capital of France?" (f32 margin +0.08 for
// "The" over "L'"; -0.07 with int8).
// Measured per op type (scripts/goldens/act-quant-noise.py, 17 prompts): the
// noise is spread over all of them. int8 in one op type alone moves the
// top-20 logits by 0.05 (wo) to 0.18 (wv) on average; the France margin moves
// most with the lm_head alone (-0.13), then wv, wq, wk, w2 (-0.09 to -0.12);
// int8 everywhere but any one op type still loses it or keeps it by < 0.03.
// Exact activations for the last prompt row only leave half the noise (the
// prompt's KV cache carries the rest).
//
// Two remedies:
//  * matmulPrecise: y = W.Q(x) + W.Q(x - Q(x)), two passes of the same
//    kernel: ~15-bit activations (logit noise 0.0009 rms) at twice the
//    matmul cost. The engine uses it for prefill (the prompt's KV cache is
//    read by every later token; the first answer token comes from it), not
//    for decode.
//  * rescoreTopLogits: the lm_head rows whose logits lie within kRescoreMargin
//    of the largest are recomputed as f32 dot products of the dequantized row
//    with the normalized activation (at most kRescoreMax rows; ~9 of
//    SmolLM2's 49152 a step). Greedy and top-p choices then see exact top
//    logits, in decode too.
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
