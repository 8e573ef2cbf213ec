// Reference dequantizers: plain scalar code that defines what each stored
// element type means, following GGML's block layouts (ggml-common.h) and
// dequantize_row_* semantics. Used by tests, by format conversion at pack
// time, and as the reference the runtime's fast kernels are checked against.
#pragma once

#include <cstdint>

#include "runtime/core/dtype.h"
#include "runtime/core/result.h"

namespace lac::import {

// Converts `n` consecutive elements of type `t` starting at `src` to f32.
// `n` must be a multiple of the type's block size. I32 is refused.
VoidResult dequantizeRow(DType t, const uint8_t* src, float* dst, uint64_t n);

}  // namespace lac::import
