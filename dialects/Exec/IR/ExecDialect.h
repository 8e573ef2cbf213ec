//===- ExecDialect.h - the `exec` dialect, its types and attributes --------===//
//
// Kernel-launch IR on buffers; see ExecDialect.td and docs/DIALECTS.md.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpImplementation.h"

#include "dialects/Exec/IR/ExecDialect.h.inc"
#include "dialects/Exec/IR/ExecEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Exec/IR/ExecAttrs.h.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Exec/IR/ExecTypes.h.inc"

namespace mlir::exec {

/// The #exec.target on `op` or its nearest ancestor, or null.
TargetAttr lookupTarget(Operation *op);

} // namespace mlir::exec
