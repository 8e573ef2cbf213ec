//===- Passes.h - llama -> exec conversion ---------------------------------===//
#pragma once

#include "dialects/Exec/IR/ExecDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

namespace lac {

#define GEN_PASS_DECL
#include "compiler/conversion/Passes.h.inc"

// Defines lac::registerConversionPasses().
#define GEN_PASS_REGISTRATION
#include "compiler/conversion/Passes.h.inc"

} // namespace lac
