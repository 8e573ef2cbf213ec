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
//      (qkv_linear + norm -> one rmsnorm_matmul over a fused wqkv weight
//      whose one buffer feeds rope_kv_attention; swiglu_linear + norm ->
//      rmsnorm_gate_up_silu over a fused w13 weight)
//   3. part weights no op reads any more erased; kernel variants named from
//      the target's kernel table
//
//===----------------------------------------------------------------------===//

#include "compiler/conversion/Passes.h"

#include "dialects/Exec/IR/ExecOps.h"
#include "dialects/Exec/Transforms/KernelTable.h"
#include "dialects/Llama/IR/LlamaDialect.h"
#include "dialects/Llama/IR/LlamaOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"
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
      ex::WeightFormatAttr::get(b.getContext(), format),
      ex::WeightLayoutAttr::get(b.getContext(), ex::WeightLayout::row_major), w.getLayerAttr());
  weight->setAttr("source_dtype", b.getStringAttr(source));
  w.erase();
  return success();
}

//===----------------------------------------------------------------------===//
// Fused weights
//===----------------------------------------------------------------------===//

// One exec.weight per group of checkpoint matrices a fused kernel reads as
// one: rows stacked in order (`concat_of`), one format (the most precise of
// the parts'), placed after the last part. Shared by all functions.
class FusedWeights {
public:
  explicit FusedWeights(ModuleOp m) : module(m), symbols(m) {}

  // The fused weight over `parts`, named after the first part with its
  // `.from.` component replaced by `.to.` (wq -> wqkv, w1 -> w13).
  FailureOr<FlatSymbolRefAttr> get(Location loc, ArrayRef<FlatSymbolRefAttr> parts,
                                   StringRef from, StringRef to) {
    std::string key;
    for (FlatSymbolRefAttr p : parts)
      key += p.getValue().str() + "\n";
    if (auto it = cache.find(key); it != cache.end())
      return it->second;
    SmallVector<ex::WeightOp> ws;
    int64_t rows = 0;
    for (FlatSymbolRefAttr p : parts) {
      auto w = symbols.lookup<ex::WeightOp>(p.getAttr());
      if (!w || w.getShape().size() != 2)
        return emitError(loc, "fused weight part ") << p << " is not a matrix exec.weight", failure();
      if (!ws.empty() && w.getShape()[1] != ws.front().getShape()[1])
        return emitError(loc, "fused weight parts ")
                   << parts.front() << " and " << p << " differ in column count", failure();
      rows += w.getShape()[0];
      ws.push_back(w);
    }
    ex::WeightFormat format = ws.front().getFormat();
    SmallVector<Attribute> refs(parts.begin(), parts.end()), sources;
    for (ex::WeightOp w : ws) {
      format = lac::exec_kernels::morePrecise(format, w.getFormat());
      sources.push_back(w->getAttr("source_dtype"));
    }
    Operation *last = ws.front();
    for (ex::WeightOp w : ws)
      if (last->isBeforeInBlock(w))
        last = w;
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(last);
    auto fused = b.create<ex::WeightOp>(
        loc, b.getStringAttr(fusedName(parts.front().getValue(), from, to)),
        b.getDenseI64ArrayAttr({rows, ws.front().getShape()[1]}),
        ex::WeightFormatAttr::get(b.getContext(), format),
        ex::WeightLayoutAttr::get(b.getContext(), ex::WeightLayout::row_major), commonLayer(ws));
    fused->setAttr("concat_of", b.getArrayAttr(refs));
    if (llvm::all_of(sources, [](Attribute a) { return isa_and_nonnull<StringAttr>(a); }))
      fused->setAttr("source_dtypes", b.getArrayAttr(sources));
    symbols.insert(fused, b.getInsertionPoint());  // renames on a clash
    for (ex::WeightOp w : ws)
      partOps.insert(w);
    return cache[key] = FlatSymbolRefAttr::get(fused.getSymNameAttr());
  }

  // The layer all `parts` belong to; none when they disagree or have none.
  static IntegerAttr commonLayer(ArrayRef<ex::WeightOp> parts) {
    IntegerAttr layer = ex::WeightOp(parts.front()).getLayerAttr();
    for (ex::WeightOp w : parts)
      if (w.getLayerAttr() != layer)
        return {};
    return layer;
  }

  // Erases the part weights no function reads any more.
  void eraseUnusedParts() {
    llvm::DenseSet<StringAttr> used;
    for (func::FuncOp f : module.getOps<func::FuncOp>())
      f.walk([&](Operation *op) {
        op->getAttrDictionary().walk(
            [&](SymbolRefAttr ref) { used.insert(ref.getRootReference()); });
      });
    for (ex::WeightOp w : partOps)
      if (!used.contains(w.getSymNameAttr()))
        symbols.erase(w);
  }

private:
  ModuleOp module;
  SymbolTable symbols;
  llvm::StringMap<FlatSymbolRefAttr> cache;
  llvm::SetVector<ex::WeightOp> partOps;

  static std::string fusedName(StringRef first, StringRef from, StringRef to) {
    std::string needle = ("." + from + ".").str();
    size_t at = first.rfind(needle);
    if (at == StringRef::npos)
      return (first + "." + to).str();
    return (first.take_front(at) + "." + to + "." + first.drop_front(at + needle.size())).str();
  }
};

//===----------------------------------------------------------------------===//
// Functions
//===----------------------------------------------------------------------===//

class FunctionLowering {
public:
  FunctionLowering(func::FuncOp f, FusedWeights &fused)
      : f(f), b(f.getContext()), fusedWeights(fused) {}

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
      if (!isa<ll::SplitHeadsOp, ll::RopeOp, ll::AttentionOp>(op))
        for (Value v : op.getOperands())
          if (parts.count(v))
            return op.emitOpError("reads one projection of a fused qkv_linear; "
                                  "exec can only feed those to attention");
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
  FusedWeights &fusedWeights;
  IRMapping map;                              // llama value -> exec value
  llvm::DenseMap<Value, ll::RopeAttr> roped;  // llama.rope results
  // llama q/k/v of a fused qkv projection -> (its one exec buffer, 0/1/2).
  llvm::DenseMap<Value, std::pair<Value, int>> parts;

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
  // A view (split_heads, rope): `to` is the same buffer (or qkv part) as `from`.
  void forward(Value to, Value from) {
    if (auto it = parts.find(from); it != parts.end()) {
      // Copy first: `parts[to]` may grow the map, which frees the buckets `it`
      // points into (`parts[to] = it->second` read freed memory).
      std::pair<Value, int> part = it->second;
      parts[to] = part;
    } else
      bind(to, in(from));
  }

  // norm(x) W^T (one rmsnorm_matmul) or x W^T (a matmul).
  Value linear(Operation *op, Type type, Value x, FlatSymbolRefAttr w,
               FlatSymbolRefAttr norm, FloatAttr eps) {
    if (norm)
      return b.create<ex::RmsNormMatmulOp>(op->getLoc(), type, in(x), norm, eps, w,
                                           kernel());
    return b.create<ex::MatmulOp>(op->getLoc(), type, in(x), w, UnitAttr(), kernel());
  }

  // With norm: one rmsnorm_matmul over the fused wqkv weight into one
  // [T, q+k+v] buffer, columns q | k | v. Without: three matmuls.
  LogicalResult lowerQkv(ll::QkvLinearOp o) {
    SmallVector<FlatSymbolRefAttr> ws{o.getWqAttr(), o.getWkAttr(), o.getWvAttr()};
    if (!o.getNormWeightAttr()) {
      for (auto [r, w] : llvm::zip(o->getResults(), ws))
        bind(r, linear(o, buf(r), o.getInput(), w, {}, {}));
      return success();
    }
    FailureOr<FlatSymbolRefAttr> wqkv = fusedWeights.get(o.getLoc(), ws, "wq", "wqkv");
    if (failed(wqkv))
      return failure();
    auto q = cast<ex::BufferType>(buf(o.getQ()));
    int64_t cols = 0;
    for (Value r : o->getResults())
      cols += cast<ex::BufferType>(buf(r)).getDimSize(1);
    Type type = ex::BufferType::get(b.getContext(), {q.getDimSize(0), cols},
                                    q.getElementType());
    Value qkv = linear(o, type, o.getInput(), *wqkv, o.getNormWeightAttr(),
                       o.getNormEpsAttr());
    for (auto [i, r] : llvm::enumerate(o->getResults()))
      parts[r] = {qkv, static_cast<int>(i)};
    return success();
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
          bind(o, linear(o, buf(o), o.getInput(), o.getWeightAttr(),
                         o.getNormWeightAttr(), o.getNormEpsAttr()));
          return success();
        })
        .Case([&](ll::QkvLinearOp o) { return lowerQkv(o); })
        .Case([&](ll::SplitHeadsOp o) {
          forward(o, o.getInput());  // a view: same buffer
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
        .Case([&](ll::SwigluLinearOp o) -> LogicalResult {
          if (o.getNormWeightAttr()) {
            FailureOr<FlatSymbolRefAttr> w13 = fusedWeights.get(
                loc, {o.getGateWeightAttr(), o.getUpWeightAttr()}, "w1", "w13");
            if (failed(w13))
              return failure();
            bind(o, b.create<ex::RmsNormGateUpSiluOp>(
                        loc, buf(o), in(o.getInput()), o.getNormWeightAttr(),
                        o.getNormEpsAttr(), *w13, kernel()));
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
    forward(o, o.getInput());
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
    // One fused qkv buffer when q, k, v are its three parts, else three.
    SmallVector<Value> qkv;
    auto pq = parts.find(o.getQ()), pk = parts.find(o.getK()), pv = parts.find(o.getV());
    int fusedCount = (pq != parts.end()) + (pk != parts.end()) + (pv != parts.end());
    Value all = fusedCount == 3 ? pq->second.first : Value();
    if (fusedCount == 3 && pq->second == std::make_pair(all, 0) &&
        pk->second == std::make_pair(all, 1) && pv->second == std::make_pair(all, 2))
      qkv.push_back(all);
    else if (fusedCount == 0)
      qkv = {in(o.getQ()), in(o.getK()), in(o.getV())};
    else
      return o.emitOpError("q, k and v must be all or none of one fused qkv_linear's "
                           "results, in that order");
    bind(o, b.create<ex::RopeKvAttentionOp>(
                o.getLoc(), buf(o), qkv, in(o.getPositions()), o.getSlots() ? in(o.getSlots()) : Value(),
                o.getLayerAttr(), o.getNHeadsAttr(),
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
      module.emitError("unknown target '") << target << "' (known: cpu, cuda)";
      return signalPassFailure();
    }
    ex::TargetAttr targetAttr = lac::exec_kernels::makeTargetAttr(&getContext(), *kernels);
    module->setAttr(ex::ExecDialect::kTargetAttrName, targetAttr);

    llvm::DenseSet<StringAttr> norms = normSymbols(module);
    for (ll::WeightOp w : llvm::make_early_inc_range(module.getOps<ll::WeightOp>()))
      if (failed(convertWeight(w, norms, targetAttr)))
        return signalPassFailure();
    FusedWeights fused(module);
    for (func::FuncOp f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && failed(FunctionLowering(f, fused).run()))
        return signalPassFailure();
    fused.eraseUnusedParts();
    if (failed(lac::exec_kernels::assignKernels(module, *kernels)))
      signalPassFailure();
  }
};

} // namespace
