// Weight packing: a checkpoint tensor (any DType) -> the bytes of an
// exec.weight in its chosen storage format and layout, as the emitter writes
// them into the artifact's weight blob. Plain C++ (no MLIR).
//
// Conversion goes through f32: the reference dequantizer (compiler/import/
// dequantize.h) defines what the source means, then GGML-exact quantizers
// (round-to-nearest, as ggml's quantize_row_{q8_0,q4_0,q4_1}_ref) or f16/bf16
// rounding produce the target. A tensor already in the target format is
// copied byte for byte (no requantization).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "compiler/import/model_spec.h"
#include "runtime/core/dtype.h"
#include "runtime/core/result.h"

namespace lac::conversion {

// Formats a packed weight may have (exec's WeightFormat): f32 f16 bf16 q8_0 q4_0 q4_1
// q4_g32. A q4_0/q4_1 tensor packed as q4_g32 is repacked value for value
// (pack_q4_g32.h); other sources are quantized from f32 with q4_1's rounding.
bool isPackableFormat(DType t);

// Packs `src` (logical shape [rows, cols] or [n]) into `target_format`, laid
// out as `layout`: "row_major" (rows of the [out, in] matrix, each a run of
// GGML blocks for quantized formats) or, for q8_0/q4_0/q4_1 matrices with
// rows % 8 == 0, that format's x8 layout ("q4_1x8", ...:
// runtime/kernels/cpu/pack_x8.h, the same bytes interleaved by 8 rows).
// Errors: Unsupported for another layout or a non-packable target,
// InvalidArgument when the last dimension is not a whole number of blocks
// or an x8 matrix's rows are not a multiple of 8.
Result<std::vector<uint8_t>> packWeight(const lac::import::TensorView& src, DType target_format,
                                        std::string_view layout);

// Packs several matrices with one column count into one, rows stacked in
// order: the fused qkv ([wq; wk; wv]) or gate/up ([w1; w3]) weight.
Result<std::vector<uint8_t>> packConcatRows(std::span<const lac::import::TensorView* const> srcs,
                                            DType target_format, std::string_view layout);

// Quantizes/converts `n` floats (a whole number of blocks) into `target`,
// writing rowBytes(target, n) bytes at `dst`. For Q4_G32 (planar rows) `n`
// is one whole row. Exposed for tests.
VoidResult quantizeRow(DType target, const float* src, uint8_t* dst, uint64_t n);

}  // namespace lac::conversion
