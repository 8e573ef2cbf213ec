// One tensor-parallel rank's slice of a checkpoint matrix: rows or columns
// [index * n / count, (index + 1) * n / count) of a [rows, cols] tensor, as a
// TensorView the packer reads like any other (compiler/emit's
// checkpointWeights, for lac-compile --tensor-parallel).
//
// A Meta checkpoint saved for the same number of ranks already holds each
// rank's slice as one shard (a piece of the view, split along the same
// axis): the slice is that piece, still in its mapped file, so the shards
// are never merged in memory. A single-piece row slice is a piece too. Any
// other slice (columns of a GGUF or safetensors matrix, permuted HF rows) is
// cut out into memory, one tensor at a time.
#pragma once

#include <cstdint>

#include "compiler/import/model_spec.h"
#include "runtime/core/result.h"

namespace lac::import {

// axis: 0 rows, 1 columns. InvalidArgument when `t` is not a matrix, count
// does not divide that dimension, or a column slice is not whole blocks of
// t's (quantized) dtype.
Result<TensorView> sliceTensor(const TensorView& t, int axis, uint32_t index, uint32_t count);

}  // namespace lac::import
