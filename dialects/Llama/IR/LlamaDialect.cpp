//===- LlamaDialect.cpp - `llama` dialect and attributes -------------------===//

#include "dialects/Llama/IR/LlamaDialect.h"
#include "dialects/Llama/IR/LlamaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::llama;

#include "dialects/Llama/IR/LlamaDialect.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Llama/IR/LlamaAttrs.cpp.inc"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

void LlamaDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Llama/IR/LlamaOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Llama/IR/LlamaAttrs.cpp.inc"
      >();
}

//===----------------------------------------------------------------------===//
// #llama.rope<theta = T[, factor = F, low_freq_factor = L,
//                         high_freq_factor = H, original_max_position = N]>
//===----------------------------------------------------------------------===//

Attribute RopeAttr::parse(AsmParser &parser, Type) {
  double theta = 0, factor = 0, low = 0, high = 0;
  int64_t originalMax = 0;
  if (parser.parseLess() || parser.parseKeyword("theta") ||
      parser.parseEqual() || parser.parseFloat(theta))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    if (parser.parseKeyword("factor") || parser.parseEqual() ||
        parser.parseFloat(factor) || parser.parseComma() ||
        parser.parseKeyword("low_freq_factor") || parser.parseEqual() ||
        parser.parseFloat(low) || parser.parseComma() ||
        parser.parseKeyword("high_freq_factor") || parser.parseEqual() ||
        parser.parseFloat(high) || parser.parseComma() ||
        parser.parseKeyword("original_max_position") || parser.parseEqual() ||
        parser.parseInteger(originalMax))
      return {};
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), llvm::APFloat(theta),
                    llvm::APFloat(factor), llvm::APFloat(low),
                    llvm::APFloat(high), originalMax);
}

void RopeAttr::print(AsmPrinter &printer) const {
  printer << "<theta = ";
  printer.printFloat(getTheta());
  if (hasScaling()) {
    printer << ", factor = ";
    printer.printFloat(getFactor());
    printer << ", low_freq_factor = ";
    printer.printFloat(getLowFreqFactor());
    printer << ", high_freq_factor = ";
    printer.printFloat(getHighFreqFactor());
    printer << ", original_max_position = " << getOriginalMaxPosition();
  }
  printer << ">";
}

LogicalResult RopeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                               llvm::APFloat thetaF, llvm::APFloat factorF,
                               llvm::APFloat lowF, llvm::APFloat highF,
                               int64_t originalMax) {
  double theta = thetaF.convertToDouble(), factor = factorF.convertToDouble();
  double low = lowF.convertToDouble(), high = highF.convertToDouble();
  if (!(theta > 0))
    return emitError() << "rope theta must be positive, got " << theta;
  if (originalMax == 0 && factor == 0 && low == 0 && high == 0)
    return success(); // no Llama 3.1 scaling
  if (originalMax <= 0)
    return emitError() << "rope original_max_position must be positive, got "
                       << originalMax;
  if (!(factor > 0) || !(low > 0))
    return emitError() << "rope factor and low_freq_factor must be positive";
  if (!(high > low))
    return emitError() << "rope high_freq_factor (" << high
                       << ") must exceed low_freq_factor (" << low << ")";
  return success();
}
