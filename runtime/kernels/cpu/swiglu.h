// SwiGLU: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)), per row of
// [n, ffn] f32 (SwigluArgs; SwigluArgs::fused for one [n, 2 * ffn] gate_up).
#pragma once

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cpu {

void swiglu(const CpuContext& ctx, const SwigluArgs& a);
void swigluRef(const SwigluArgs& a);

}  // namespace lac::kernels::cpu
