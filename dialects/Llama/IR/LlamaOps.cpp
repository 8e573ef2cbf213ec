//===- LlamaOps.cpp - `llama` op verifiers ---------------------------------===//
//
// Two kinds of checks:
//   verify()            local: ranks, element types, token dims, attributes;
//   verifySymbolUses()  each weight symbol names a llama.weight whose shape
//                       matches the operands (runs once the module's symbol
//                       table is known).
//
//===----------------------------------------------------------------------===//

#include "dialects/Common/AttentionGeometry.h"
#include "dialects/Common/ShapeHelpers.h"
#include "dialects/Llama/IR/LlamaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::llama;

#define GET_OP_CLASSES
#include "dialects/Llama/IR/LlamaOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

using lac::dialects::isDyn;
using lac::dialects::shapeStr;
using lac::dialects::tokensAgree;


int64_t dim(Value v, unsigned i) {
  return cast<RankedTensorType>(v.getType()).getDimSize(i);
}
Type elementOf(Value v) { return cast<RankedTensorType>(v.getType()).getElementType(); }

// All values share one element type.
LogicalResult verifySameElementType(Operation *op, ValueRange values) {
  for (Value v : values)
    if (elementOf(v) != elementOf(values.front()))
      return op->emitOpError("operands and results must share one element type, got ")
             << elementOf(values.front()) << " and " << elementOf(v);
  return success();
}

// Token dimension (dim 0) of every value agrees.
LogicalResult verifyTokenDims(Operation *op, ValueRange values) {
  for (Value v : values)
    if (!tokensAgree(dim(v, 0), dim(values.front(), 0)))
      return op->emitOpError("token dimensions disagree: ")
             << dim(values.front(), 0) << " vs " << dim(v, 0);
  return success();
}

// Feature dimensions (all but dim 0) are static.
LogicalResult verifyStaticFeatures(Operation *op, ValueRange values) {
  for (Value v : values) {
    auto shape = cast<RankedTensorType>(v.getType()).getShape();
    for (int64_t d : shape.drop_front())
      if (isDyn(d))
        return op->emitOpError("feature dimensions must be static, got ")
               << v.getType();
  }
  return success();
}

// The shared local checks of a [T, features] op.
LogicalResult verifyActivations(Operation *op) {
  SmallVector<Value> values(op->getOperands());
  llvm::append_range(values, op->getResults());
  if (failed(verifySameElementType(op, values)) ||
      failed(verifyTokenDims(op, values)) ||
      failed(verifyStaticFeatures(op, values)))
    return failure();
  return success();
}

LogicalResult verifyNormPrologue(Operation *op, FlatSymbolRefAttr weight,
                                 FloatAttr eps) {
  if (!weight != !eps)
    return op->emitOpError("needs both 'norm_weight' and 'norm_eps', or neither");
  if (eps && !(eps.getValueAsDouble() > 0))
    return op->emitOpError("'norm_eps' must be positive");
  return success();
}

// Resolves `ref` to a llama.weight and checks its shape and element type.
LogicalResult verifyWeight(Operation *op, SymbolTableCollection &tables,
                           FlatSymbolRefAttr ref, ArrayRef<int64_t> shape,
                           Type elementType, StringRef role) {
  auto weight = tables.lookupNearestSymbolFrom<WeightOp>(op, ref);
  if (!weight)
    return op->emitOpError() << role << " " << ref
                             << " does not name a llama.weight";
  RankedTensorType type = weight.getTensorType();
  if (type.getShape() != shape)
    return op->emitOpError() << role << " " << ref << " has shape "
                             << shapeStr(type.getShape()) << ", expected "
                             << shapeStr(shape);
  if (type.getElementType() != elementType)
    return op->emitOpError() << role << " " << ref << " has element type "
                             << type.getElementType() << ", expected "
                             << elementType;
  return success();
}

LogicalResult verifyNormWeight(Operation *op, SymbolTableCollection &tables,
                               FlatSymbolRefAttr ref, Value input) {
  if (!ref)
    return success();
  return verifyWeight(op, tables, ref, {dim(input, 1)}, elementOf(input),
                      "norm_weight");
}

} // namespace

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  auto type = dyn_cast<RankedTensorType>(getWeightType());
  if (!type || !type.hasStaticShape())
    return emitOpError("weight type must be a statically shaped tensor, got ")
           << getWeightType();
  if (type.getRank() < 1 || type.getRank() > 2)
    return emitOpError("weights are vectors or matrices, got rank ")
           << type.getRank();
  if (!isa<FloatType>(type.getElementType()))
    return emitOpError("weight element type must be a float, got ")
           << type.getElementType();
  return success();
}

//===----------------------------------------------------------------------===//
// EmbeddingOp
//===----------------------------------------------------------------------===//

LogicalResult EmbeddingOp::verify() {
  if (!tokensAgree(dim(getTokens(), 0), dim(getResult(), 0)))
    return emitOpError("token dimensions disagree: ")
           << dim(getTokens(), 0) << " vs " << dim(getResult(), 0);
  return verifyStaticFeatures(*this, getResult());
}

LogicalResult EmbeddingOp::verifySymbolUses(SymbolTableCollection &tables) {
  auto weight = tables.lookupNearestSymbolFrom<WeightOp>(*this, getTableAttr());
  if (!weight)
    return emitOpError() << "table " << getTableAttr()
                         << " does not name a llama.weight";
  // [V, D]: any vocabulary size, D must match the result.
  ArrayRef<int64_t> shape = weight.getTensorType().getShape();
  int64_t vocab = shape.empty() ? 0 : shape.front();
  return verifyWeight(*this, tables, getTableAttr(), {vocab, dim(getResult(), 1)},
                      elementOf(getResult()), "table");
}

//===----------------------------------------------------------------------===//
// RmsNormOp
//===----------------------------------------------------------------------===//

LogicalResult RmsNormOp::verify() {
  if (!(getEps().convertToDouble() > 0))
    return emitOpError("'eps' must be positive");
  return verifyActivations(*this);
}

LogicalResult RmsNormOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyWeight(*this, tables, getWeightAttr(), {dim(getInput(), 1)},
                      elementOf(getInput()), "weight");
}

//===----------------------------------------------------------------------===//
// LinearOp, LinearResidualOp, LmHeadOp: x [T, in] W[out, in]^T -> [T, out]
//===----------------------------------------------------------------------===//

LogicalResult LinearOp::verify() {
  if (failed(verifyNormPrologue(*this, getNormWeightAttr(), getNormEpsAttr())))
    return failure();
  return verifyActivations(*this);
}

LogicalResult LinearOp::verifySymbolUses(SymbolTableCollection &tables) {
  if (failed(verifyNormWeight(*this, tables, getNormWeightAttr(), getInput())))
    return failure();
  return verifyWeight(*this, tables, getWeightAttr(),
                      {dim(getResult(), 1), dim(getInput(), 1)},
                      elementOf(getInput()), "weight");
}

LogicalResult LinearResidualOp::verify() { return verifyActivations(*this); }

LogicalResult LinearResidualOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyWeight(*this, tables, getWeightAttr(),
                      {dim(getResult(), 1), dim(getInput(), 1)},
                      elementOf(getInput()), "weight");
}

LogicalResult LmHeadOp::verify() {
  if (failed(verifyNormPrologue(*this, getNormWeightAttr(), getNormEpsAttr())) ||
      failed(verifySameElementType(*this, {getInput(), getResult()})) ||
      failed(verifyStaticFeatures(*this, {getInput(), getResult()})))
    return failure();
  if (getLastTokenOnly()) {
    if (dim(getResult(), 0) != 1)
      return emitOpError("with 'last_token_only' the result has one row, got ")
             << getResult().getType();
    return success();
  }
  return verifyTokenDims(*this, {getInput(), getResult()});
}

LogicalResult LmHeadOp::verifySymbolUses(SymbolTableCollection &tables) {
  if (failed(verifyNormWeight(*this, tables, getNormWeightAttr(), getInput())))
    return failure();
  return verifyWeight(*this, tables, getWeightAttr(),
                      {dim(getResult(), 1), dim(getInput(), 1)},
                      elementOf(getInput()), "weight");
}

//===----------------------------------------------------------------------===//
// QkvLinearOp, SwigluLinearOp
//===----------------------------------------------------------------------===//

LogicalResult QkvLinearOp::verify() {
  if (failed(verifyNormPrologue(*this, getNormWeightAttr(), getNormEpsAttr())))
    return failure();
  if (getK().getType() != getV().getType())
    return emitOpError("k and v must have one type, got ")
           << getK().getType() << " and " << getV().getType();
  return verifyActivations(*this);
}

LogicalResult QkvLinearOp::verifySymbolUses(SymbolTableCollection &tables) {
  if (failed(verifyNormWeight(*this, tables, getNormWeightAttr(), getInput())))
    return failure();
  int64_t in = dim(getInput(), 1);
  Type et = elementOf(getInput());
  if (failed(verifyWeight(*this, tables, getWqAttr(), {dim(getQ(), 1), in}, et, "wq")) ||
      failed(verifyWeight(*this, tables, getWkAttr(), {dim(getK(), 1), in}, et, "wk")) ||
      failed(verifyWeight(*this, tables, getWvAttr(), {dim(getV(), 1), in}, et, "wv")))
    return failure();
  return success();
}

LogicalResult SwigluLinearOp::verify() {
  if (failed(verifyNormPrologue(*this, getNormWeightAttr(), getNormEpsAttr())))
    return failure();
  return verifyActivations(*this);
}

LogicalResult SwigluLinearOp::verifySymbolUses(SymbolTableCollection &tables) {
  if (failed(verifyNormWeight(*this, tables, getNormWeightAttr(), getInput())))
    return failure();
  SmallVector<int64_t, 2> shape = {dim(getResult(), 1), dim(getInput(), 1)};
  Type et = elementOf(getInput());
  if (failed(verifyWeight(*this, tables, getGateWeightAttr(), shape, et, "gate_weight")) ||
      failed(verifyWeight(*this, tables, getUpWeightAttr(), shape, et, "up_weight")))
    return failure();
  return success();
}

//===----------------------------------------------------------------------===//
// SplitHeadsOp, RopeOp
//===----------------------------------------------------------------------===//

LogicalResult SplitHeadsOp::verify() {
  if (failed(verifyActivations(*this)))
    return failure();
  if (dim(getResult(), 1) * dim(getResult(), 2) != dim(getInput(), 1))
    return emitOpError("result heads x head_dim (")
           << dim(getResult(), 1) << " x " << dim(getResult(), 2)
           << ") must equal the input's last dimension " << dim(getInput(), 1);
  return success();
}

LogicalResult RopeOp::verify() {
  if (failed(verifyStaticFeatures(*this, getInput())))
    return failure();
  if (!tokensAgree(dim(getInput(), 0), dim(getPositions(), 0)))
    return emitOpError("has ") << dim(getPositions(), 0)
                               << " positions for " << dim(getInput(), 0)
                               << " tokens";
  if (dim(getInput(), 2) % 2 != 0)
    return emitOpError("head_dim must be even, got ") << dim(getInput(), 2);
  return success();
}

//===----------------------------------------------------------------------===//
// AttentionOp
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::verify() {
  int64_t h = getNHeadsAttr().getInt(), kv = getNKvHeadsAttr().getInt(),
          hd = getHeadDimAttr().getInt(), layer = getLayerAttr().getInt();
  if (failed(lac::dialects::verifyAttentionGeometry(*this, h, kv, hd, layer)))
    return failure();
  if (failed(verifySameElementType(*this, {getQ(), getK(), getV(), getResult()})) ||
      failed(verifyStaticFeatures(*this, {getQ(), getK(), getResult()})) ||
      failed(verifyTokenDims(*this, {getQ(), getK(), getResult()})))
    return failure();
  if (!tokensAgree(dim(getQ(), 0), dim(getPositions(), 0)))
    return emitOpError("has ") << dim(getPositions(), 0) << " positions for "
                               << dim(getQ(), 0) << " tokens";
  if (getSlots() && !tokensAgree(dim(getQ(), 0), dim(getSlots(), 0)))
    return emitOpError("has ") << dim(getSlots(), 0) << " slots for " << dim(getQ(), 0) << " rows";
  auto expect = [&](Value v, StringRef name, ArrayRef<int64_t> tail) -> LogicalResult {
    auto shape = cast<RankedTensorType>(v.getType()).getShape().drop_front();
    if (shape != tail)
      return emitOpError() << name << " must be [T, " << tail.front() << ", "
                           << tail.back() << "], got " << v.getType();
    return success();
  };
  if (failed(expect(getQ(), "q", {h, hd})) || failed(expect(getK(), "k", {kv, hd})))
    return failure();
  if (dim(getResult(), 1) != h * hd)
    return emitOpError("result must be [T, n_heads * head_dim = ")
           << h * hd << "], got " << getResult().getType();
  return success();
}
