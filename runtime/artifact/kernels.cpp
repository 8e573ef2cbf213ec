#include "runtime/artifact/kernels.h"

#include <iterator>
#include <string>

namespace lac::artifact {

// Every registry kernel must be the plan's enum value of the same name, and
// the registry must list them in the enum's order (no gaps, no extras).
namespace {
constexpr plan::Kernel kRegistryOrder[] = {
#define LAC_KERNEL(Name, ...) plan::Kernel::Name,
#include "runtime/schema/kernels.def"
};
constexpr bool registryMatchesEnum() {
  for (size_t i = 0; i < std::size(kRegistryOrder); ++i)
    if (static_cast<size_t>(kRegistryOrder[i]) != i) return false;
  return std::size(kRegistryOrder) == static_cast<size_t>(plan::Kernel::MAX) + 1;
}
static_assert(registryMatchesEnum(), "runtime/schema/kernels.def must list plan.fbs's Kernel enum, in order");
}  // namespace

std::optional<KernelSignature> kernelSignature(plan::Kernel k) {
  switch (k) {
#define LAC_KERNEL(Name, ExecOp, MinIn, MaxIn, Outs, MinW, MaxW, Layer, Eps, Matrix, Width, Attention, ReadsMatrix) \
  case plan::Kernel::Name:                                                                                         \
    return KernelSignature{#Name, MinIn, MaxIn, Outs, MinW, MaxW, Layer != 0, Eps != 0, Matrix != 0, Width != 0,   \
                           Attention != 0, ReadsMatrix != 0};
#include "runtime/schema/kernels.def"
  }
  return std::nullopt;
}

std::string kernelLabel(plan::Kernel k) {
  if (auto s = kernelSignature(k)) return std::string(s->name);
  return "kernel#" + std::to_string(static_cast<unsigned>(k));
}

bool targetTakesMatrix(plan::Target target, DType t) {
#define LAC_MATRIX_FORMAT(Tgt, Fmt) \
  if (target == plan::Target::Tgt && t == DType::Fmt) return true;
#include "runtime/schema/kernels.def"
  return false;
}

}  // namespace lac::artifact
