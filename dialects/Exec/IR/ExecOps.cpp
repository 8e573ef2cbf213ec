//===- ExecOps.cpp - `exec` op verifiers -----------------------------------===//
//
//   verify()            local: kernel name, buffer ranks, element types, token
//                       dims, attributes (offsets are ignored: shapes only);
//   verifySymbolUses()  each weight symbol names an exec.weight whose shape
//                       matches; norm weights are f32.
//
//===----------------------------------------------------------------------===//

#include "dialects/Common/AttentionGeometry.h"
#include "dialects/Common/ShapeHelpers.h"
#include "dialects/Exec/IR/ExecOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpImplementation.h"

using namespace mlir;
using namespace mlir::exec;

//===----------------------------------------------------------------------===//
// custom<FormatKeyword>, custom<LayoutKeyword>: exec.weight's format (`q4_1`)
// and layout (`row_major`, `x8`) as bare keywords
//===----------------------------------------------------------------------===//

// Parses a keyword into the enum attribute AttrT; `what` names it in errors.
template <typename AttrT, typename Enum>
static ParseResult parseEnumKeyword(OpAsmParser &parser, AttrT &attr,
                                    std::optional<Enum> (*symbolize)(StringRef),
                                    StringRef what, StringRef known = {}) {
  StringRef keyword;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseKeyword(&keyword))
    return failure();
  std::optional<Enum> value = symbolize(keyword);
  if (!value) {
    InFlightDiagnostic d = parser.emitError(loc, "unknown ") << what << " '" << keyword << "'";
    if (!known.empty())
      d << " (" << known << ")";
    return d;
  }
  attr = AttrT::get(parser.getContext(), *value);
  return success();
}

static ParseResult parseFormatKeyword(OpAsmParser &parser, WeightFormatAttr &format) {
  return parseEnumKeyword(parser, format, symbolizeWeightFormat, "weight format");
}

static void printFormatKeyword(OpAsmPrinter &printer, Operation *, WeightFormatAttr format) {
  printer << stringifyWeightFormat(format.getValue());
}

static ParseResult parseLayoutKeyword(OpAsmParser &parser, WeightLayoutAttr &layout) {
  return parseEnumKeyword(parser, layout, symbolizeWeightLayout, "weight layout",
                          "row_major or x8");
}

static void printLayoutKeyword(OpAsmPrinter &printer, Operation *, WeightLayoutAttr layout) {
  printer << stringifyWeightLayout(layout.getValue());
}

#define GET_OP_CLASSES
#include "dialects/Exec/IR/ExecOps.cpp.inc"

//===----------------------------------------------------------------------===//
// Helpers
//===----------------------------------------------------------------------===//

namespace {

using lac::dialects::isDyn;
using lac::dialects::shapeStr;
using lac::dialects::tokensAgree;


BufferType buf(Value v) { return cast<BufferType>(v.getType()); }
int64_t dim(Value v, unsigned i) { return buf(v).getDimSize(i); }

LogicalResult verifyKernel(Operation *op, StringAttr kernel) {
  if (kernel.getValue().empty())
    return op->emitOpError("'kernel' must name a kernel variant");
  return success();
}

LogicalResult verifyPositiveEps(Operation *op, FloatAttr eps) {
  if (!(eps.getValueAsDouble() > 0))
    return op->emitOpError("'eps' must be positive");
  return success();
}

// Activations: [T, features] float buffers of one element type, static
// features; token dims agree over `tokenValues` (a subset of `values`).
LogicalResult verifyActs(Operation *op, ValueRange values,
                         ValueRange tokenValues) {
  Type et = buf(values.front()).getElementType();
  for (Value v : values) {
    BufferType type = buf(v);
    if (type.getRank() != 2 || !isa<FloatType>(type.getElementType()))
      return op->emitOpError("activations must be [T, features] float buffers, got ")
             << type;
    if (type.getElementType() != et)
      return op->emitOpError("activations must share one element type, got ")
             << et << " and " << type.getElementType();
    if (isDyn(type.getDimSize(1)))
      return op->emitOpError("feature dimensions must be static, got ") << type;
  }
  for (Value v : tokenValues)
    if (!tokensAgree(dim(v, 0), dim(tokenValues.front(), 0)))
      return op->emitOpError("token dimensions disagree: ")
             << dim(tokenValues.front(), 0) << " vs " << dim(v, 0);
  return success();
}

LogicalResult verifyActs(Operation *op) {
  SmallVector<Value> values(op->getOperands());
  llvm::append_range(values, op->getResults());
  return verifyActs(op, values, values);
}

// Token ids or positions: [T] i32.
LogicalResult verifyIds(Operation *op, Value v, StringRef name) {
  BufferType type = buf(v);
  if (type.getRank() != 1 || !type.getElementType().isSignlessInteger(32))
    return op->emitOpError() << name << " must be a [T] i32 buffer, got " << type;
  return success();
}

LogicalResult verifySameLayout(Operation *op, Value a, Value b, StringRef what) {
  if (!buf(a).sameLayout(buf(b)))
    return op->emitOpError() << what << " must have one shape and element type, got "
                             << a.getType() << " and " << b.getType();
  return success();
}

// Resolves `ref` to an exec.weight with shape `shape` (kDynamic: any).
FailureOr<WeightOp> verifyWeight(Operation *op, SymbolTableCollection &tables,
                                 FlatSymbolRefAttr ref, ArrayRef<int64_t> shape,
                                 StringRef role) {
  auto weight = tables.lookupNearestSymbolFrom<WeightOp>(op, ref);
  if (!weight) {
    op->emitOpError() << role << " " << ref << " does not name an exec.weight";
    return failure();
  }
  ArrayRef<int64_t> actual = weight.getShape();
  bool ok = actual.size() == shape.size();
  for (size_t i = 0; ok && i < shape.size(); ++i)
    ok = isDyn(shape[i]) || shape[i] == actual[i];
  if (!ok) {
    op->emitOpError() << role << " " << ref << " has shape " << shapeStr(actual)
                      << ", expected " << shapeStr(shape);
    return failure();
  }
  return weight;
}

// A norm weight: [D] and f32 (norm kernels read f32 weights only).
LogicalResult verifyNormWeight(Operation *op, SymbolTableCollection &tables,
                               FlatSymbolRefAttr ref, int64_t d, StringRef role) {
  FailureOr<WeightOp> weight = verifyWeight(op, tables, ref, {d}, role);
  if (failed(weight))
    return failure();
  if (weight->getFormat() != WeightFormat::f32)
    return op->emitOpError() << role << " " << ref << " must be stored as f32, got "
                             << stringifyWeightFormat(weight->getFormat());
  return success();
}

LogicalResult verifyMatrix(Operation *op, SymbolTableCollection &tables,
                           FlatSymbolRefAttr ref, int64_t out, int64_t in,
                           StringRef role) {
  return verifyWeight(op, tables, ref, {out, in}, role);
}

} // namespace

//===----------------------------------------------------------------------===//
// WeightOp
//===----------------------------------------------------------------------===//

LogicalResult WeightOp::verify() {
  ArrayRef<int64_t> shape = getShape();
  if (shape.empty() || shape.size() > 2)
    return emitOpError("weights are vectors or matrices, got rank ") << shape.size();
  for (int64_t d : shape)
    if (d <= 0)
      return emitOpError("weight dimensions must be positive, got ") << shapeStr(shape);
  WeightFormat format = getFormat();
  bool blocked = format == WeightFormat::q8_0 || format == WeightFormat::q4_0 ||
                 format == WeightFormat::q4_1 || format == WeightFormat::q4_g32;
  if (getLayout() == WeightLayout::x8) {
    if (format != WeightFormat::q8_0 && format != WeightFormat::q4_0 &&
        format != WeightFormat::q4_1)
      return emitOpError("layout x8 is for q8_0, q4_0 and q4_1 weights, not ")
             << stringifyWeightFormat(format);
    if (shape.size() != 2 || shape[0] % 8 != 0)
      return emitOpError("layout x8 needs a matrix whose rows are a multiple of 8, got ")
             << shapeStr(shape);
  }
  if (blocked && shape.back() % 32 != 0)
    return emitOpError("format ") << stringifyWeightFormat(format)
                                  << " needs a last dimension divisible by 32, got "
                                  << shape.back();
  if (Attribute parts = (*this)->getAttr("concat_of")) {
    auto refs = dyn_cast<ArrayAttr>(parts);
    // One part: a copy of a tensor's rows under another name (a tied
    // lm_head split by tensor-parallel ranks, lac-shard-tensor-parallel).
    if (!refs || refs.empty() ||
        !llvm::all_of(refs, [](Attribute a) { return isa<FlatSymbolRefAttr>(a); }))
      return emitOpError("'concat_of' must list one or more weight names (@name)");
    if (shape.size() != 2)
      return emitOpError("a fused weight ('concat_of') must be a matrix");
  }
  if (TargetAttr target = lookupTarget(*this); target && !target.supports(format))
    return emitOpError("format ") << stringifyWeightFormat(format)
                                  << " is not supported by target " << target;
  return success();
}

//===----------------------------------------------------------------------===//
// EmbedOp
//===----------------------------------------------------------------------===//

LogicalResult EmbedOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) ||
      failed(verifyIds(*this, getTokens(), "tokens")) ||
      failed(verifyActs(*this, getResult(), getResult())))
    return failure();
  if (!tokensAgree(dim(getTokens(), 0), dim(getResult(), 0)))
    return emitOpError("token dimensions disagree: ")
           << dim(getTokens(), 0) << " vs " << dim(getResult(), 0);
  return success();
}

LogicalResult EmbedOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyMatrix(*this, tables, getTableAttr(), ShapedType::kDynamic,
                      dim(getResult(), 1), "table");
}

//===----------------------------------------------------------------------===//
// RmsNormOp, MatmulOp, MatmulResidualOp, AddOp, SiluMulOp
//===----------------------------------------------------------------------===//

LogicalResult RmsNormOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) ||
      failed(verifyPositiveEps(*this, getEpsAttr())) || failed(verifyActs(*this)))
    return failure();
  return verifySameLayout(*this, getInput(), getResult(), "input and result");
}

LogicalResult RmsNormOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyNormWeight(*this, tables, getWeightAttr(), dim(getInput(), 1),
                          "weight");
}

// Shared by matmul and final_norm_lm_head: [T, in] -> [T or 1, out].
static LogicalResult verifyMatmulShapes(Operation *op, Value input, Value result,
                                        bool lastTokenOnly) {
  if (failed(verifyActs(op, {input, result},
                        lastTokenOnly ? ValueRange{input} : ValueRange{input, result})))
    return failure();
  if (lastTokenOnly && dim(result, 0) != 1)
    return op->emitOpError("with 'last_token_only' the result has one row, got ")
           << result.getType();
  return success();
}

LogicalResult MatmulOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())))
    return failure();
  return verifyMatmulShapes(*this, getInput(), getResult(), getLastTokenOnly());
}

LogicalResult MatmulOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyMatrix(*this, tables, getWeightAttr(), dim(getResult(), 1),
                      dim(getInput(), 1), "weight");
}

LogicalResult MatmulResidualOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) || failed(verifyActs(*this)))
    return failure();
  return verifySameLayout(*this, getResidual(), getResult(), "residual and result");
}

LogicalResult MatmulResidualOp::verifySymbolUses(SymbolTableCollection &tables) {
  return verifyMatrix(*this, tables, getWeightAttr(), dim(getResult(), 1),
                      dim(getInput(), 1), "weight");
}

static LogicalResult verifyElementwise(Operation *op, StringAttr kernel) {
  if (failed(verifyKernel(op, kernel)) || failed(verifyActs(op)))
    return failure();
  for (Value v : op->getOperands())
    if (failed(verifySameLayout(op, v, op->getResult(0), "operands and result")))
      return failure();
  return success();
}

LogicalResult AddOp::verify() { return verifyElementwise(*this, getKernelAttr()); }
LogicalResult SiluMulOp::verify() { return verifyElementwise(*this, getKernelAttr()); }

//===----------------------------------------------------------------------===//
// Fused: RmsNormMatmulOp, RmsNormGateUpSiluOp, FinalNormLmHeadOp
//===----------------------------------------------------------------------===//

LogicalResult RmsNormMatmulOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) ||
      failed(verifyPositiveEps(*this, getEpsAttr())))
    return failure();
  return verifyActs(*this);
}

LogicalResult RmsNormMatmulOp::verifySymbolUses(SymbolTableCollection &tables) {
  int64_t in = dim(getInput(), 1);
  if (failed(verifyNormWeight(*this, tables, getNormWeightAttr(), in, "norm_weight")))
    return failure();
  return verifyMatrix(*this, tables, getWeightAttr(), dim(getResult(), 1), in,
                      "weight");
}

LogicalResult RmsNormGateUpSiluOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) ||
      failed(verifyPositiveEps(*this, getEpsAttr())))
    return failure();
  return verifyActs(*this);
}

// gate_up is [2F, D]: the gate rows then the up rows.
LogicalResult RmsNormGateUpSiluOp::verifySymbolUses(SymbolTableCollection &tables) {
  int64_t in = dim(getInput(), 1), ffn = dim(getResult(), 1);
  if (failed(verifyNormWeight(*this, tables, getNormWeightAttr(), in, "norm_weight")) ||
      failed(verifyMatrix(*this, tables, getGateUpAttr(), 2 * ffn, in, "gate_up")))
    return failure();
  return success();
}

LogicalResult FinalNormLmHeadOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) ||
      failed(verifyPositiveEps(*this, getEpsAttr())))
    return failure();
  return verifyMatmulShapes(*this, getInput(), getResult(), getLastTokenOnly());
}

LogicalResult FinalNormLmHeadOp::verifySymbolUses(SymbolTableCollection &tables) {
  int64_t in = dim(getInput(), 1);
  if (failed(verifyNormWeight(*this, tables, getNormWeightAttr(), in, "norm_weight")))
    return failure();
  return verifyMatrix(*this, tables, getWeightAttr(), dim(getResult(), 1), in,
                      "weight");
}

//===----------------------------------------------------------------------===//
// RopeKvAttentionOp
//===----------------------------------------------------------------------===//

LogicalResult RopeKvAttentionOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())))
    return failure();
  int64_t h = getNHeadsAttr().getInt(), kv = getNKvHeadsAttr().getInt(),
          hd = getHeadDimAttr().getInt(), layer = getLayerAttr().getInt();
  if (failed(lac::dialects::verifyAttentionGeometry(*this, h, kv, hd, layer)))
    return failure();
  // Rope: theta > 0; Llama 3.1 scaling all or none.
  if (!(getRopeTheta().convertToDouble() > 0))
    return emitOpError("'rope_theta' must be positive");
  int scaling = !!getRopeFactorAttr() + !!getRopeLowFreqFactorAttr() +
                !!getRopeHighFreqFactorAttr() + !!getRopeOriginalMaxPositionAttr();
  if (scaling != 0 && scaling != 4)
    return emitOpError("rope scaling needs all of rope_factor, "
                       "rope_low_freq_factor, rope_high_freq_factor and "
                       "rope_original_max_position, or none");
  if (scaling == 4 && !(getRopeHighFreqFactor()->convertToDouble() >
                        getRopeLowFreqFactor()->convertToDouble()))
    return emitOpError("'rope_high_freq_factor' must exceed 'rope_low_freq_factor'");
  // Shapes: one fused qkv buffer, or q, k, v.
  ValueRange qkv = getQkv();
  if (qkv.size() != 1 && qkv.size() != 3)
    return emitOpError("takes one fused qkv buffer or three (q, k, v), got ")
           << qkv.size();
  SmallVector<Value> acts(qkv);
  acts.push_back(getResult());
  SmallVector<Value> tokens(acts);
  tokens.push_back(getPositions());
  if (Value slots = getSlots()) {
    if (failed(verifyIds(*this, slots, "slots")))
      return failure();
    tokens.push_back(slots);
  }
  if (failed(verifyIds(*this, getPositions(), "positions")) ||
      failed(verifyActs(*this, acts, tokens)))
    return failure();
  if (qkv.size() == 1) {
    if (dim(qkv[0], 1) != (h + 2 * kv) * hd)
      return emitOpError("qkv must be [T, (n_heads + 2 * n_kv_heads) * head_dim = ")
             << (h + 2 * kv) * hd << "]";
    if (dim(getResult(), 1) != h * hd)
      return emitOpError("result must be [T, n_heads * head_dim = ") << h * hd << "]";
    return success();
  }
  if (failed(verifySameLayout(*this, qkv[1], qkv[2], "k and v")))
    return failure();
  if (dim(qkv[0], 1) != h * hd || dim(getResult(), 1) != h * hd)
    return emitOpError("q and result must be [T, n_heads * head_dim = ")
           << h * hd << "]";
  if (dim(qkv[1], 1) != kv * hd)
    return emitOpError("k and v must be [T, n_kv_heads * head_dim = ")
           << kv * hd << "]";
  return success();
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

LogicalResult AllReduceOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) || failed(verifyActs(*this)))
    return failure();
  return verifySameLayout(*this, getInput(), getResult(), "input and result");
}

LogicalResult AllGatherOp::verify() {
  if (failed(verifyKernel(*this, getKernelAttr())) || failed(verifyActs(*this)))
    return failure();
  int64_t ranks = getRanks();
  if (ranks < 2)
    return emitOpError("'ranks' must be at least 2, got ") << ranks;
  if (dim(getResult(), 1) != ranks * dim(getInput(), 1))
    return emitOpError("result must be [T, ranks * ") << dim(getInput(), 1) << " = "
                                                       << ranks * dim(getInput(), 1) << "]";
  return success();
}
