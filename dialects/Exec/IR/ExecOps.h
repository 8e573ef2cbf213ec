//===- ExecOps.h - `exec` ops ----------------------------------------------===//
#pragma once

#include "dialects/Exec/IR/ExecDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Exec/IR/ExecOps.h.inc"
