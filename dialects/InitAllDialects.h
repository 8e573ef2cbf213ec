//===- InitAllDialects.h - the one registration point of LAC's dialects ----===//
//
// Every LAC tool that parses or builds IR registers dialects through here, so
// lac-opt, lac-compile and the tests all see the same set.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "dialects/Exec/IR/ExecDialect.h"
#include "dialects/Llama/IR/LlamaDialect.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/DialectRegistry.h"

namespace lac {

// LAC's dialects plus the upstream ones their modules use (func for entry
// points, arith for the odd constant).
inline void registerAllDialects(mlir::DialectRegistry &registry) {
  registry.insert<mlir::llama::LlamaDialect, mlir::exec::ExecDialect,
                  mlir::func::FuncDialect, mlir::arith::ArithDialect>();
}

} // namespace lac
