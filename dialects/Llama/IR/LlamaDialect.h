//===- LlamaDialect.h - the `llama` dialect and its attributes -------------===//
//
// Model-level IR on tensors; see LlamaDialect.td and docs/DIALECTS.md.
//
//===----------------------------------------------------------------------===//
#pragma once

#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Dialect.h"
#include "mlir/IR/OpImplementation.h"

#include "dialects/Llama/IR/LlamaDialect.h.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Llama/IR/LlamaAttrs.h.inc"
