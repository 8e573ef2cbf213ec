#include "runtime/core/dtype.h"

#include <array>

namespace lac {

namespace {
// Indexed by DType. Block sizes from ggml-common.h (QK8_0 = QK4_0 = 32, QK_K = 256).
constexpr std::array<DTypeInfo, 13> kInfo = {{
    {"f32", 1, 4, false},
    {"f16", 1, 2, false},
    {"bf16", 1, 2, false},
    {"q8_0", 32, 2 + 32, true},
    {"q4_0", 32, 2 + 16, true},
    {"q4_1", 32, 2 + 2 + 16, true},
    {"q5_0", 32, 2 + 4 + 16, true},
    {"q5_1", 32, 2 + 2 + 4 + 16, true},
    {"q4_k", 256, 2 + 2 + 12 + 128, true},
    {"q5_k", 256, 2 + 2 + 12 + 32 + 128, true},
    {"q6_k", 256, 128 + 64 + 16 + 2, true},
    {"i32", 1, 4, false},
    {"q4_g32", 32, 16 + 2 + 2, true},  // planar rows, see dtype.h
}};

struct GgmlPair {
  uint32_t id;
  DType t;
};
// ggml_type ids: F32=0 F16=1 Q4_0=2 Q4_1=3 Q5_0=6 Q5_1=7 Q8_0=8 Q4_K=12 Q5_K=13 Q6_K=14 I32=26 BF16=30
constexpr std::array<GgmlPair, 12> kGgml = {{
    {0, DType::F32}, {1, DType::F16}, {2, DType::Q4_0}, {3, DType::Q4_1},
    {6, DType::Q5_0}, {7, DType::Q5_1}, {8, DType::Q8_0}, {12, DType::Q4_K},
    {13, DType::Q5_K}, {14, DType::Q6_K}, {26, DType::I32}, {30, DType::BF16},
}};
}  // namespace

const DTypeInfo& dtypeInfo(DType t) { return kInfo[static_cast<size_t>(t)]; }

std::optional<DType> dtypeFromName(std::string_view name) {
  for (size_t i = 0; i < kInfo.size(); ++i)
    if (kInfo[i].name == name) return static_cast<DType>(i);
  return std::nullopt;
}

std::optional<uint64_t> rowBytes(DType t, uint64_t elems) {
  const DTypeInfo& info = dtypeInfo(t);
  if (elems % info.blockElems != 0) return std::nullopt;
  return elems / info.blockElems * info.blockBytes;
}

std::optional<DType> dtypeFromGgmlType(uint32_t ggml_type) {
  for (const auto& p : kGgml)
    if (p.id == ggml_type) return p.t;
  return std::nullopt;
}

uint32_t ggmlTypeOf(DType t) {
  for (const auto& p : kGgml)
    if (p.t == t) return p.id;
  return ~0u;
}

}  // namespace lac
