//===- LlamaToExec.cpp - lac-convert-llama-to-exec -------------------------===//
//
// A direct walk rather than the dialect-conversion framework: every llama op
// maps to a fixed short sequence of exec ops, and two of them (split_heads,
// rope) are not ops at all in exec but views/attributes folded into their
// consumers, which a value map expresses most plainly.
//
//   1. llama.weight -> exec.weight (shape, initial format, source_dtype)
//   2. per func: tensor args -> !exec.buf, ops -> exec ops (value map),
//      return rewired, old ops erased, function type updated
//   3. weights of one fused kernel unified to one format; kernel variants
//      named from the target's kernel table
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"

#include "dialects/Exec/IR/ExecOps.h"
#include "dialects/Exec/Transforms/KernelTable.h"
#include "dialects/Llama/IR/LlamaDialect.h"
#include "dialects/Llama/IR/LlamaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/TypeSwitch.h"

#include "runtime/core/dtype.h"

namespace lac {
#define GEN_PASS_DEF_LACCONVERTLLAMATOEXEC
#include "compiler/conversion/Passes.h.inc"
} // namespace lac

using namespace mlir;
namespace ex = mlir::exec;
namespace ll = mlir::llama;

namespace {

// Placeholder until assignKernels names the variant.
constexpr StringLiteral kPending = "pending";

//===----------------------------------------------------------------------===//
// Weights
//===----------------------------------------------------------------------===//

// Symbols read as rms_norm weights anywhere in the module.
llvm::DenseSet<StringAttr> normSymbols(ModuleOp module) {
  llvm::DenseSet<StringAttr> norms;
  module.walk([&](Operation *op) {
    if (auto n = dyn_cast<ll::RmsNormOp>(op))
      norms.insert(n.getWeightAttr().getAttr());
    if (auto ref = op->getAttrOfType<FlatSymbolRefAttr>("norm_weight"))
      norms.insert(ref.getAttr());
  });
  return norms;
}

LogicalResult convertWeight(ll::WeightOp w, const llvm::DenseSet<StringAttr> &norms,
                            ex::TargetAttr target) {
  RankedTensorType type = w.getTensorType();
  // The source dtype: the builder's `source_dtype`, else the element type.
  std::string source;
  if (auto attr = w->getAttrOfType<StringAttr>("source_dtype")) {
    source = attr.getValue().str();
    std::optional<lac::DType> dtype = lac::dtypeFromName(source);
    if (!dtype || *dtype == lac::DType::I32)
      return w.emitOpError("unknown source_dtype '") << source << "'";
  } else if (type.getElementType().isF32() || type.getElementType().isF16() ||
             type.getElementType().isBF16()) {
    llvm::raw_string_ostream(source) << type.getElementType();
  } else {
    return w.emitOpError("cannot store element type ")
           << type.getElementType() << " (and no source_dtype says how it is stored)";
  }
  ex::WeightFormat format = ex::WeightFormat::f32;
  if (std::optional<ex::WeightFormat> f = ex::symbolizeWeightFormat(source);
      f && target.supports(*f) && !norms.contains(w.getSymNameAttr()))
    format = *f;

  OpBuilder b(w);
  auto weight = b.create<ex::WeightOp>(
      w.getLoc(), w.getSymNameAttr(), b.getDenseI64ArrayAttr(type.getShape()),
      ex::WeightFormatAttr::get(b.getContext(), format), b.getStringAttr("row_major"));
  weight->setAttr("source_dtype", b.getStringAttr(source));
  w.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

class FunctionLowering {
public:
  explicit FunctionLowering(func::FuncOp f) : f(f), b(f.getContext()) {}

  LogicalResult run() {
    if (!f.getBody().hasOneBlock())
      return f.emitOpError("lowering to exec needs a single-block function");
    Block &body = f.getBody().front();
    for (BlockArgument a : body.getArguments()) {
      FailureOr<Type> t = convert(a.getType(), f.getLoc());
      if (failed(t))
        return failure();
      a.setType(*t);
    }
    SmallVector<Operation *> old;
    for (Operation &op : body) {
      if (auto ret = dyn_cast<func::ReturnOp>(op)) {
        for (OpOperand &use : ret->getOpOperands())
          use.set(map.lookupOrDefault(use.get()));
        continue;
      }
      if (!isa<ll::LlamaDialect>(op.getDialect()))
        return op.emitOpError("cannot be lowered to exec");
      b.setInsertionPoint(&op);
      if (failed(lower(&op)))
        return failure();
      old.push_back(&op);
    }
    for (Operation *op : llvm::reverse(old)) {
      op->dropAllUses();
      op->erase();
    }
    f.setFunctionType(FunctionType::get(f.getContext(), body.getArgumentTypes(),
                                        body.getTerminator()->getOperandTypes()));
    return success();
  }

private:
  func::FuncOp f;
  OpBuilder b;
  IRMapping map;                              // llama value -> exec value
  llvm::DenseMap<Value, ll::RopeAttr> roped;  // llama.rope results

  FailureOr<Type> convert(Type t, Location loc) {
    auto tensor = dyn_cast<RankedTensorType>(t);
    if (!tensor)
      return emitError(loc, "cannot lower type ") << t << " to an exec buffer", failure();
    return Type(ex::BufferType::get(t.getContext(), tensor.getShape(),
                                    tensor.getElementType()));
  }
  Type buf(Value v) { return *convert(v.getType(), v.getLoc()); }
  Value in(Value v) { return map.lookupOrDefault(v); }
  StringAttr kernel() { return b.getStringAttr(kPending); }
  void bind(Value from, Value to) { map.map(from, to); }

  // norm(x) W^T for each weight: one rmsnorm_matmul, or matmuls without norm.
  void linears(Operation *op, Value x, ArrayRef<FlatSymbolRefAttr> weights,
               FlatSymbolRefAttr norm, FloatAttr eps) {
    if (norm) {
      SmallVector<Type> types;
      SmallVector<Attribute> refs(weights.begin(), weights.end());
      for (Value r : op->getResults())
        types.push_back(buf(r));
      auto fused = b.create<ex::RmsNormMatmulOp>(op->getLoc(), types, in(x), norm, eps,
                                                 b.getArrayAttr(refs), kernel());
      for (auto [r, n] : llvm::zip(op->getResults(), fused.getResults()))
        bind(r, n);
      return;
    }
    for (auto [r, w] : llvm::zip(op->getResults(), weights))
      bind(r, b.create<ex::MatmulOp>(op->getLoc(), buf(r), in(x), w, UnitAttr(),
                                     kernel()));
  }

  LogicalResult lower(Operation *op) {
    Location loc = op->getLoc();
    return llvm::TypeSwitch<Operation *, LogicalResult>(op)
        .Case([&](ll::EmbeddingOp o) {
          bind(o, b.create<ex::EmbedOp>(loc, buf(o), in(o.getTokens()),
                                        o.getTableAttr(), kernel()));
          return success();
        })
        .Case([&](ll::RmsNormOp o) {
          bind(o, b.create<ex::RmsNormOp>(loc, buf(o), in(o.getInput()),
                                          o.getWeightAttr(), o.getEpsAttr(), kernel()));
          return success();
        })
        .Case([&](ll::LinearOp o) {
          linears(o, o.getInput(), {o.getWeightAttr()}, o.getNormWeightAttr(),
                  o.getNormEpsAttr());
          return success();
        })
        .Case([&](ll::QkvLinearOp o) {
          linears(o, o.getInput(), {o.getWqAttr(), o.getWkAttr(), o.getWvAttr()},
                  o.getNormWeightAttr(), o.getNormEpsAttr());
          return success();
        })
        .Case([&](ll::SplitHeadsOp o) {
          bind(o, in(o.getInput()));  // a view: same buffer
          return success();
        })
        .Case([&](ll::RopeOp o) { return lowerRope(o); })
        .Case([&](ll::AttentionOp o) { return lowerAttention(o); })
        .Case([&](ll::SwigluOp o) {
          bind(o, b.create<ex::SiluMulOp>(loc, buf(o), in(o.getGate()), in(o.getUp()),
                                          kernel()));
          return success();
        })
        .Case([&](ll::AddOp o) {
          bind(o, b.create<ex::AddOp>(loc, buf(o), in(o.getLhs()), in(o.getRhs()),
                                      kernel()));
          return success();
        })
        .Case([&](ll::SwigluLinearOp o) {
          if (o.getNormWeightAttr()) {
            bind(o, b.create<ex::RmsNormGateUpSiluOp>(
                        loc, buf(o), in(o.getInput()), o.getNormWeightAttr(),
                        o.getNormEpsAttr(), o.getGateWeightAttr(), o.getUpWeightAttr(),
                        kernel()));
            return success();
          }
          Value g = b.create<ex::MatmulOp>(loc, buf(o), in(o.getInput()),
                                           o.getGateWeightAttr(), UnitAttr(), kernel());
          Value u = b.create<ex::MatmulOp>(loc, buf(o), in(o.getInput()),
                                           o.getUpWeightAttr(), UnitAttr(), kernel());
          bind(o, b.create<ex::SiluMulOp>(loc, buf(o), g, u, kernel()));
          return success();
        })
        .Case([&](ll::LinearResidualOp o) {
          bind(o, b.create<ex::MatmulResidualOp>(loc, buf(o), in(o.getInput()),
                                                 o.getWeightAttr(), in(o.getResidual()),
                                                 kernel()));
          return success();
        })
        .Case([&](ll::LmHeadOp o) {
          UnitAttr last = o.getLastTokenOnlyAttr();
          if (o.getNormWeightAttr())
            bind(o, b.create<ex::FinalNormLmHeadOp>(loc, buf(o), in(o.getInput()),
                                                    o.getNormWeightAttr(),
                                                    o.getNormEpsAttr(), o.getWeightAttr(),
                                                    last, kernel()));
          else
            bind(o, b.create<ex::MatmulOp>(loc, buf(o), in(o.getInput()),
                                           o.getWeightAttr(), last, kernel()));
          return success();
        })
        .Default([&](Operation *o) {
          return o->emitOpError("has no lowering to exec");
        });
  }

  // A standalone rope folds into the attention that reads it (as q or k).
  LogicalResult lowerRope(ll::RopeOp o) {
    for (OpOperand &use : o->getUses()) {
      auto att = dyn_cast<ll::AttentionOp>(use.getOwner());
      if (!att || use.getOperandNumber() > 1)
        return o.emitOpError("can only be lowered when its result is an attention's q "
                             "or k (exec applies rope inside rope_kv_attention)");
    }
    roped[o.getResult()] = o.getRope();
    bind(o, in(o.getInput()));
    return success();
  }

  LogicalResult lowerAttention(ll::AttentionOp o) {
    ll::RopeAttr rope = o.getRopeAttr();
    ll::RopeAttr q = roped.lookup(o.getQ()), k = roped.lookup(o.getK());
    if (rope && (q || k))
      return o.emitOpError("q or k is rotated twice (a llama.rope and the 'rope' attribute)");
    if (!rope) {
      if (!q || q != k)
        return o.emitOpError("needs rope: either a 'rope' attribute or q and k from "
                             "llama.rope ops with the same parameters");
      rope = q;
    }
    FloatAttr factor, low, high;
    IntegerAttr maxPos;
    if (rope.hasScaling()) {
      factor = b.getF32FloatAttr(rope.factor());
      low = b.getF32FloatAttr(rope.lowFreqFactor());
      high = b.getF32FloatAttr(rope.highFreqFactor());
      maxPos = b.getI64IntegerAttr(rope.getOriginalMaxPosition());
    }
    bind(o, b.create<ex::RopeKvAttentionOp>(
                o.getLoc(), buf(o), in(o.getQ()), in(o.getK()), in(o.getV()),
                in(o.getPositions()), o.getLayerAttr(), o.getNHeadsAttr(),
                o.getNKvHeadsAttr(), o.getHeadDimAttr(), b.getF32FloatAttr(rope.theta()),
                factor, low, high, maxPos, kernel()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

struct ConvertLlamaToExec
    : lac::impl::LacConvertLlamaToExecBase<ConvertLlamaToExec> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    const auto *kernels = lac::exec_kernels::lookupTargetKernels(target);
    if (!kernels) {
      module.emitError("unknown target '") << target << "' (known: cpu)";
      return signalPassFailure();
    }
    ex::TargetAttr targetAttr = lac::exec_kernels::makeTargetAttr(&getContext(), *kernels);
    module->setAttr(ex::ExecDialect::kTargetAttrName, targetAttr);

    llvm::DenseSet<StringAttr> norms = normSymbols(module);
    for (ll::WeightOp w : llvm::make_early_inc_range(module.getOps<ll::WeightOp>()))
      if (failed(convertWeight(w, norms, targetAttr)))
        return signalPassFailure();
    for (func::FuncOp f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && failed(FunctionLowering(f).run()))
        return signalPassFailure();
    lac::exec_kernels::unifyFusedFormats(module);
    if (failed(lac::exec_kernels::assignKernels(module, *kernels)))
      signalPassFailure();
  }
};

} // namespace
