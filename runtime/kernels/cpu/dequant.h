// Rows of f32/f16/bf16/q8_0/q4_0/q4_1/q4_g32 -> f32 (embedding lookups, tests).
#pragma once

#include <cstdint>

#include "runtime/core/dtype.h"
#include "runtime/kernels/cpu/isa.h"

namespace lac::kernels::cpu {

// src: one row of n elements of type t (n a whole number of blocks);
// dst: [n] f32. Returns false for a type it does not handle.
bool dequantizeRow(Isa isa, DType t, const void* src, float* dst, int64_t n);
bool dequantizeRowRef(DType t, const void* src, float* dst, int64_t n);

}  // namespace lac::kernels::cpu
