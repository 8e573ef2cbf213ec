//===- Passes.h - `exec` passes: format selection, memory planning ---------===//
#pragma once

#include "dialects/Exec/IR/ExecDialect.h"
#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace lac {

#define GEN_PASS_DECL
#include "dialects/Exec/Transforms/Passes.h.inc"

// Defines lac::registerExecPasses().
#define GEN_PASS_REGISTRATION
#include "dialects/Exec/Transforms/Passes.h.inc"

} // namespace lac
