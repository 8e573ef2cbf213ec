#include "runtime/artifact/weight_layout.h"

namespace lac::artifact {

std::string x8LayoutName(DType t) {
  if (t != DType::Q8_0 && t != DType::Q4_0 && t != DType::Q4_1) return "";
  return std::string(dtypeName(t)) + "x8";
}

std::optional<kernels::WeightLayout> parseWeightLayout(std::string_view name, DType t,
                                                       std::span<const uint64_t> shape) {
  if (name.empty() || name == "row_major") return kernels::WeightLayout::RowMajor;
  const std::string x8 = x8LayoutName(t);
  if (!x8.empty() && name == x8 && shape.size() == 2 && shape[0] > 0 && shape[0] % 8 == 0)
    return kernels::WeightLayout::X8;
  return std::nullopt;
}

}  // namespace lac::artifact
