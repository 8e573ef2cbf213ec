// Rotary position embedding, Meta's interleaved layout (RopeArgs), with
// Llama 3.1 frequency scaling (RopeScaling).
#pragma once

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cpu {

// freqs[i] = theta^(-2i / head_dim), i < head_dim / 2, computed in f32 like
// Meta's precompute_freqs_cis, then scaled as Meta's apply_scaling when
// scaling.factor > 0:
//   wavelen = 2 pi / f
//   wavelen < orig / high_freq_factor  -> f
//   wavelen > orig / low_freq_factor   -> f / factor
//   otherwise smooth = (orig / wavelen - low) / (high - low),
//             f' = (1 - smooth) f / factor + smooth f
void ropeFrequencies(int64_t head_dim, float theta, const RopeScaling& scaling, float* freqs);

// Rotates x in place (head_dim even, at most 1024). The angle pos * freqs[i] is an f32 product (as in
// Meta's torch.outer), its cos/sin taken per token and shared by the heads.
void rope(const CpuContext& ctx, const RopeArgs& a);
void ropeRef(const RopeArgs& a);

}  // namespace lac::kernels::cpu
