// RMS normalization (Llama): y = x * rsqrt(mean(x^2) + eps) * w, per row of
// [n, dim] f32 (RmsNormArgs). The sum of squares is taken in f32.
#pragma once

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cpu {

void rmsnorm(const CpuContext& ctx, const RmsNormArgs& a);
void rmsnormRef(const RmsNormArgs& a);

}  // namespace lac::kernels::cpu
