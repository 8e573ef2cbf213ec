//===- ExecDialect.cpp - `exec` dialect, buffer type, target attribute -----===//

#include "dialects/Exec/IR/ExecDialect.h"
#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mlir::exec;

#include "dialects/Exec/IR/ExecDialect.cpp.inc"
#include "dialects/Exec/IR/ExecEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "dialects/Exec/IR/ExecAttrs.cpp.inc"

#define GET_TYPEDEF_CLASSES
#include "dialects/Exec/IR/ExecTypes.cpp.inc"

//===----------------------------------------------------------------------===//
// Dialect
//===----------------------------------------------------------------------===//

void ExecDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "dialects/Exec/IR/ExecOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "dialects/Exec/IR/ExecAttrs.cpp.inc"
      >();
  addTypes<
#define GET_TYPEDEF_LIST
#include "dialects/Exec/IR/ExecTypes.cpp.inc"
      >();
}

// Discardable attributes: `exec.target` (a #exec.target), plus what memory
// planning records for the emitter (compiler/emit/emit.h):
//   exec.arena_bytes, exec.max_tokens   (func)    non-negative integers
//   exec.kv_cache                       (module)  a #exec.kv_cache
//   exec.cpu_features                   (module)  an array of strings
//   exec.tensor_parallel                (module)  ranks >= 1 (lac-shard-tensor-parallel)
LogicalResult ExecDialect::verifyOperationAttribute(Operation *op,
                                                    NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  Attribute value = attr.getValue();
  if (name == "exec.arena_bytes" || name == "exec.max_tokens") {
    auto i = dyn_cast<IntegerAttr>(value);
    if (!i || i.getValue().isNegative())
      return op->emitError("'") << name << "' must be a non-negative integer";
    return success();
  }
  if (name == "exec.kv_cache") {
    if (!isa<KvCacheAttr>(value))
      return op->emitError("'exec.kv_cache' must be an #exec.kv_cache, got ") << value;
    return success();
  }
  if (name == "exec.tensor_parallel") {
    auto i = dyn_cast<IntegerAttr>(value);
    if (!i || i.getValue().slt(1))
      return op->emitError("'exec.tensor_parallel' must be a positive integer");
    return success();
  }
  if (name == "exec.cpu_features") {
    auto a = dyn_cast<ArrayAttr>(value);
    if (!a || !llvm::all_of(a, [](Attribute e) { return isa<StringAttr>(e); }))
      return op->emitError("'exec.cpu_features' must be an array of strings");
    return success();
  }
  if (name != kTargetAttrName)
    return op->emitError("unknown exec attribute '") << name << "'";
  if (!isa<TargetAttr>(value))
    return op->emitError("'") << kTargetAttrName
                              << "' must be an #exec.target, got " << value;
  return success();
}

TargetAttr mlir::exec::lookupTarget(Operation *op) {
  for (; op; op = op->getParentOp())
    if (auto target = op->getAttrOfType<TargetAttr>(ExecDialect::kTargetAttrName))
      return target;
  return {};
}

//===----------------------------------------------------------------------===//
// !exec.buf<dims x element[, offset = N]>
//===----------------------------------------------------------------------===//

Type BufferType::parse(AsmParser &parser) {
  SmallVector<int64_t> shape;
  Type elementType;
  std::optional<int64_t> offset;
  if (parser.parseLess() ||
      parser.parseDimensionList(shape, /*allowDynamic=*/true,
                                /*withTrailingX=*/true) ||
      parser.parseType(elementType))
    return {};
  if (succeeded(parser.parseOptionalComma())) {
    int64_t value = 0;
    if (parser.parseKeyword("offset") || parser.parseEqual() ||
        parser.parseInteger(value))
      return {};
    offset = value;
  }
  if (parser.parseGreater())
    return {};
  return getChecked([&] { return parser.emitError(parser.getNameLoc()); },
                    parser.getContext(), shape, elementType, offset);
}

void BufferType::print(AsmPrinter &printer) const {
  printer << "<";
  for (int64_t d : getShape()) {
    if (ShapedType::isDynamic(d))
      printer << "?";
    else
      printer << d;
    printer << "x";
  }
  printer << getElementType();
  if (getOffset())
    printer << ", offset = " << *getOffset();
  printer << ">";
}

LogicalResult BufferType::verify(function_ref<InFlightDiagnostic()> emitError,
                                 ArrayRef<int64_t> shape, Type elementType,
                                 std::optional<int64_t> offset) {
  if (shape.empty() || shape.size() > 3)
    return emitError() << "buffer rank must be 1 to 3, got " << shape.size();
  for (int64_t d : shape)
    if (!ShapedType::isDynamic(d) && d <= 0)
      return emitError() << "buffer dimensions must be positive, got " << d;
  if (!elementType.isF32() && !elementType.isF16() && !elementType.isBF16() &&
      !elementType.isSignlessInteger(32))
    return emitError() << "buffer element type must be f32, f16, bf16 or i32, got "
                       << elementType;
  if (offset && (*offset < 0 || *offset % 64 != 0))
    return emitError() << "buffer offset must be a non-negative multiple of 64, got "
                       << *offset;
  return success();
}

//===----------------------------------------------------------------------===//
// #exec.target<backend, formats = [...]>
//===----------------------------------------------------------------------===//

LogicalResult TargetAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                 Backend backend, ArrayRef<WeightFormat> formats,
                                 unsigned minCudaArch) {
  if (formats.empty())
    return emitError() << "target must support at least one weight format";
  llvm::SmallSet<WeightFormat, 8> seen;
  for (WeightFormat f : formats)
    if (!seen.insert(f).second)
      return emitError() << "target lists format '" << stringifyWeightFormat(f)
                         << "' twice";
  if (backend == Backend::cpu && minCudaArch != 0)
    return emitError() << "a cpu target has no min_cuda_arch";
  if (backend == Backend::cuda && (minCudaArch < 50 || minCudaArch > 200))
    return emitError() << "a cuda target needs min_cuda_arch (a compute capability "
                          "such as 80 for sm_80), got "
                       << minCudaArch;
  return success();
}

LogicalResult KvCacheAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                                  KvLayout, Type dtype, int64_t nLayers,
                                  int64_t nKvHeads, int64_t headDim,
                                  int64_t maxSeqLen, int64_t maxBatch) {
  if (!dtype.isF32() && !dtype.isF16() && !dtype.isBF16())
    return emitError() << "kv_cache dtype must be f32, f16 or bf16, got " << dtype;
  if (nLayers <= 0 || nKvHeads <= 0 || headDim <= 0 || maxSeqLen <= 0 || maxBatch <= 0)
    return emitError() << "kv_cache dimensions must be positive, got n_layers="
                       << nLayers << " n_kv_heads=" << nKvHeads << " head_dim="
                       << headDim << " max_seq_len=" << maxSeqLen
                       << " max_batch=" << maxBatch;
  return success();
}
