//===- LlamaOps.h - `llama` ops --------------------------------------------===//
#pragma once

#include "dialects/Llama/IR/LlamaDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "dialects/Llama/IR/LlamaOps.h.inc"
