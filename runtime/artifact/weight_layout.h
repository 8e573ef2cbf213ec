// Weight.layout names (plan.fbs) and the kernels' WeightLayout they mean:
//   "" or "row_major"          -> RowMajor (every dtype)
//   "q8_0x8" "q4_0x8" "q4_1x8" -> X8, only with the dtype the name starts
//                                 with, for [out, in] matrices with out % 8 == 0
//                                 (byte layout: runtime/kernels/cpu/pack_x8.h)
// The compiler writes these names; the validator and the engine read them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "runtime/core/dtype.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::artifact {

// "q4_1x8" for q4_1 (the x8 layout's name); "" for a dtype without one.
std::string x8LayoutName(DType t);

// The layout `name` stands for, for a weight of dtype t and this shape;
// nullopt when the name is unknown, is another dtype's, or the shape does
// not fit it (x8: rank 2, rows a multiple of 8).
std::optional<kernels::WeightLayout> parseWeightLayout(std::string_view name, DType t,
                                                       std::span<const uint64_t> shape);

}  // namespace lac::artifact
