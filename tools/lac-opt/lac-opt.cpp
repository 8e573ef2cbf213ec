//===- lac-opt.cpp - MlirOptMain with LAC's dialects -----------------------===//
//
// Parses, verifies, transforms and prints `llama` / `exec` IR, like mlir-opt.
// Every LAC pass will be registered here too, so each runs alone in lit tests.
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"
#include "dialects/Exec/Transforms/Passes.h"
#include "compiler/emit/passes.h"
#include "dialects/InitAllDialects.h"
#include "dialects/Llama/Transforms/Passes.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  lac::registerAllDialects(registry);
  // Upstream generic passes (canonicalize, cse, symbol-dce, inline, ...).
  mlir::registerTransformsPasses();
  lac::registerLlamaTransformsPasses();
  lac::registerExecPasses();
  lac::registerConversionPasses();
  lac::registerEmitPasses();
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "LAC optimizer driver\n", registry));
}
