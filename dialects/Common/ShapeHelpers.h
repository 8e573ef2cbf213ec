//===- ShapeHelpers.h - shape helpers both dialects' verifiers use -*- C++ -*-===//
//
// Dynamic token dimensions and shape text for error messages, shared by the
// `llama` and `exec` verifiers. Header only, so neither dialect depends on
// the other.
//
//===----------------------------------------------------------------------===//
#pragma once

#include <cstdint>
#include <string>

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLExtras.h"
#include "mlir/IR/BuiltinTypeInterfaces.h"

namespace lac::dialects {

inline bool isDyn(int64_t d) { return mlir::ShapedType::isDynamic(d); }

// Token dimensions agree unless one is dynamic.
inline bool tokensAgree(int64_t a, int64_t b) { return isDyn(a) || isDyn(b) || a == b; }

// "[?, 64]"
inline std::string shapeStr(llvm::ArrayRef<int64_t> shape) {
  std::string s = "[";
  for (auto [i, d] : llvm::enumerate(shape)) {
    if (i) s += ", ";
    s += isDyn(d) ? "?" : std::to_string(d);
  }
  return s + "]";
}

}  // namespace lac::dialects
