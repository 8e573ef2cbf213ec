#include "runtime/artifact/kernels.h"

#include <string>

namespace lac::artifact {

std::optional<KernelSignature> kernelSignature(plan::Kernel k) {
  using K = plan::Kernel;
  //                                        in      out  weights  layer  eps    matrix width  attn
  switch (k) {
    case K::embed:                return KernelSignature{"embed", 1, 1, 1, 1, 1, false, false, true, false, false};
    case K::rmsnorm:              return KernelSignature{"rmsnorm", 1, 1, 1, 1, 1, false, true, false, true, false};
    case K::matmul:               return KernelSignature{"matmul", 1, 1, 1, 1, 1, false, false, true, false, false};
    case K::rmsnorm_matmul:       return KernelSignature{"rmsnorm_matmul", 1, 1, 1, 2, 2, false, true, true, false, false};
    case K::matmul_residual:      return KernelSignature{"matmul_residual", 2, 2, 1, 1, 1, false, false, true, false, false};
    case K::rmsnorm_gate_up_silu: return KernelSignature{"rmsnorm_gate_up_silu", 1, 1, 1, 2, 3, false, true, true, false, false};
    case K::rope_kv_attention:    return KernelSignature{"rope_kv_attention", 1, 3, 1, 0, 0, true, false, false, false, true};
    case K::add:                  return KernelSignature{"add", 2, 2, 1, 0, 0, false, false, false, true, false};
    case K::final_norm_lm_head:   return KernelSignature{"final_norm_lm_head", 1, 1, 1, 2, 2, false, true, true, false, false};
  }
  return std::nullopt;
}

std::string kernelLabel(plan::Kernel k) {
  if (auto s = kernelSignature(k)) return std::string(s->name);
  return "kernel#" + std::to_string(static_cast<unsigned>(k));
}

}  // namespace lac::artifact
