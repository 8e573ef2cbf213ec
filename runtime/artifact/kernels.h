// The operand convention of every plan::Kernel (how many inputs, outputs and
// weights a step of that kernel has, and which params it needs) and the
// matrix formats each target takes, both read from the kernel registry
// (runtime/schema/kernels.def). The validator enforces the convention, the
// binders the formats; docs/FORMAT.md lists them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/artifact/plan.h"
#include "runtime/core/dtype.h"

namespace lac::artifact {

struct KernelSignature {
  std::string_view name;   // the enum's name: "rmsnorm_matmul"
  uint8_t min_inputs, max_inputs;
  uint8_t outputs;
  uint8_t min_weights, max_weights;
  bool needs_layer;        // Step.layer must name a decoder layer
  bool needs_eps;          // params.eps > 0
  bool needs_matrix;       // params.rows, params.cols > 0
  bool needs_width;        // params.cols > 0 (normalized / elementwise width)
  bool needs_attention;    // params.n_heads, n_kv_heads, head_dim, rope_theta
  bool reads_matrix;       // its weights include matrices (targetTakesMatrix formats)
};

// nullopt for a kernel id this build does not know (a newer compiler's).
std::optional<KernelSignature> kernelSignature(plan::Kernel k);

// "rmsnorm_matmul", or "kernel#200" for an unknown id.
std::string kernelLabel(plan::Kernel k);

// Whether `target`'s kernels read matrices stored as `t` (the registry's
// LAC_MATRIX_FORMAT lines). Norm vectors are F32 on every target.
bool targetTakesMatrix(plan::Target target, DType t);

}  // namespace lac::artifact
