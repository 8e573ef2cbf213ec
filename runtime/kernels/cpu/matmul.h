// y[n, out] = x[n, in] . W[out, in]^T (+ residual) for W in f32, f16, bf16,
// q8_0, q4_0, q4_1 (see MatmulArgs in kernel_args.h).
//
// Float weights: f32 FMA dot products, weights converted on the fly.
// Quantized weights: each activation row is quantized to int8 blocks of 32
// (quantize_act.h) and each block pair is an integer dot product (AVX2
// vpmaddubsw/vpmaddwd, or AVX-512 VNNI vpdpbusd), scaled by d_w * d_x in f32.
// Output rows are split across the thread pool; within a thread a tile of 4
// weight rows is applied to the tokens two at a time, so in prefill each
// weight block is read from memory once and reused from L1 for every token.
// The x8 layouts (pack_x8.h, WeightLayout::X8) have their own tiles
// (matmul_x8_avx2.cpp): 8 rows in the lanes of one vector, no horizontal sums.
#pragma once

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cpu {

void matmul(const CpuContext& ctx, const MatmulArgs& a);

// The plain scalar reference (single thread). Quantized types go through the
// same activation quantization and integer dot products, so it differs from
// the fast paths only by f32 summation order.
void matmulRef(const MatmulArgs& a);

}  // namespace lac::kernels::cpu
