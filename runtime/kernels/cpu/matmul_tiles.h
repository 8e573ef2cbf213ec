// Internal to the matmul: the per-ISA functions that compute the output
// columns [o0, o1) of every token. matmul.cpp picks one, prepares the
// quantized activations and splits the columns across threads.
#pragma once

#include <cstdint>

#include "runtime/kernels/cpu/quant_blocks.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cpu {

// Activation rows quantized for the integer paths: token t is
// {qs + t * qs_stride, d + t * ds_stride, s + t * ds_stride}.
struct QuantAct {
  const int8_t* qs;
  const float* d;
  const float* s;
  int64_t qs_stride, ds_stride;

  ActQ8Row row(int64_t t) const {
    return {qs + t * qs_stride, d + t * ds_stride, s + t * ds_stride};
  }
};

using FloatRectFn = void (*)(const MatmulArgs& a, int64_t o0, int64_t o1);
using QuantRectFn = void (*)(const MatmulArgs& a, const QuantAct& act, int64_t o0, int64_t o1);

// Null when the type has no such path.
FloatRectFn floatRectScalar(DType t);
QuantRectFn quantRectScalar(DType t);
FloatRectFn floatRectAvx2(DType t);
QuantRectFn quantRectAvx2(DType t);
QuantRectFn quantRectAvx512(DType t);
// The x8 layouts (pack_x8.h): o0 and o1 are multiples of 8.
QuantRectFn quantRectX8Scalar(DType t);
QuantRectFn quantRectX8Avx2(DType t);
QuantRectFn quantRectX8Avx512(DType t);

// Writes y[t, o] = v (+ residual[t, o]).
inline void storeOut(const MatmulArgs& a, int64_t t, int64_t o, float v) {
  if (a.residual) v += a.residual[t * a.residual_stride + o];
  a.y[t * a.y_stride + o] = v;
}

}  // namespace lac::kernels::cpu
