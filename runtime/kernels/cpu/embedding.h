// Token embedding lookup: out[t, :] = dequant(table[ids[t], :]) for a
// [vocab, dim] table in f32/f16/bf16/q8_0/q4_0/q4_1, row-major or (the
// quantized types) x8 (EmbeddingArgs).
#pragma once

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cpu {

void embedding(const CpuContext& ctx, const EmbeddingArgs& a);
void embeddingRef(const EmbeddingArgs& a);

}  // namespace lac::kernels::cpu
