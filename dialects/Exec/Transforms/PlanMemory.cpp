//===- PlanMemory.cpp - lac-plan-memory ------------------------------------===//
//
// Per entry point: live ranges of buffers -> arena offsets (MemoryPlanner),
// written into the !exec.buf types; KV cache layout on the module; an
// optional summary on stderr. Rules and bounds in Passes.td.
//
//===----------------------------------------------------------------------===//

#include "dialects/Exec/Transforms/MemoryPlanner.h"
#include "dialects/Exec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include "runtime/core/dtype.h"

namespace lac {
#define GEN_PASS_DEF_LACPLANMEMORY
#include "dialects/Exec/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::exec;
using lac::exec_plan::LiveBuffer;

namespace {

constexpr int64_t kAlign = 64;

int64_t elementBytes(Type t) { return t.isF16() || t.isBF16() ? 2 : 4; }

// Bytes of a buffer with `?` bounded by maxTokens, rounded up to kAlign.
int64_t bufferBytes(BufferType type, int64_t maxTokens) {
  int64_t n = elementBytes(type.getElementType());
  for (int64_t d : type.getShape())
    n *= ShapedType::isDynamic(d) ? maxTokens : d;
  return (n + kAlign - 1) / kAlign * kAlign;
}

// Bytes of a row_major weight in its storage format.
int64_t weightBytes(WeightOp w) {
  std::optional<lac::DType> dtype =
      lac::dtypeFromName(stringifyWeightFormat(w.getFormat()).str());
  ArrayRef<int64_t> shape = w.getShape();
  int64_t rows = shape.size() == 2 ? shape[0] : 1;
  std::optional<uint64_t> row = dtype ? lac::rowBytes(*dtype, shape.back()) : std::nullopt;
  return row ? rows * static_cast<int64_t>(*row) : 0;
}

std::string mib(int64_t bytes) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << bytes << " bytes (" << llvm::format("%.2f", bytes / 1048576.0) << " MiB)";
  return s;
}

struct PlanMemory : lac::impl::LacPlanMemoryBase<PlanMemory> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // The same bounds as lac-compile's options (--max-seq-len fits in u32,
    // --max-batch at most 4096), so no buffer size below can overflow.
    if (maxSeqLen <= 0 || maxBatch <= 0 || maxSeqLen > int64_t(UINT32_MAX) || maxBatch > 4096) {
      module.emitError("lac-plan-memory needs max-seq-len in [1, 4294967295] and max-batch in [1, 4096], got ")
          << "max-seq-len=" << int64_t(maxSeqLen) << " max-batch=" << int64_t(maxBatch);
      return signalPassFailure();
    }
    if (kvDtype != "f16" && kvDtype != "f32") {
      module.emitError("lac-plan-memory: unknown kv-dtype '") << kvDtype << "' (expected f16 or f32)";
      return signalPassFailure();
    }
    llvm::MapVector<StringRef, int64_t> arenas;
    for (func::FuncOp f : module.getOps<func::FuncOp>()) {
      if (f.isExternal())
        continue;
      FailureOr<int64_t> arena = planFunction(f);
      if (failed(arena))
        return signalPassFailure();
      arenas[f.getSymName()] = *arena;
    }
    FailureOr<int64_t> kvBytes = planKvCache(module);
    if (failed(kvBytes))
      return signalPassFailure();
    if (print) {
      int64_t weights = 0;
      for (WeightOp w : module.getOps<WeightOp>())
        weights += weightBytes(w);
      llvm::errs() << "lac-plan-memory: max-seq-len " << int64_t(maxSeqLen)
                   << ", max-batch " << int64_t(maxBatch) << "\n  weights: " << mib(weights)
                   << "\n  kv cache: " << mib(*kvBytes) << "\n";
      for (auto &[name, bytes] : arenas)
        llvm::errs() << "  activations @" << name << ": " << mib(bytes) << "\n";
    }
  }

  // Plans one entry point; returns its arena size.
  FailureOr<int64_t> planFunction(func::FuncOp f) {
    if (!f.getBody().hasOneBlock())
      return f.emitOpError("memory planning needs a single-block function"), failure();
    int64_t maxTokens = f.getSymName() == "decode" ? maxBatch : maxSeqLen * maxBatch;
    Block &body = f.getBody().front();

    // Values in definition order, with their live ranges: arguments from
    // step 0, op results from their op's step, returned values to the end.
    SmallVector<Value> values;
    llvm::DenseMap<Value, size_t> index;
    std::vector<LiveBuffer> live;
    auto define = [&](Value v, int64_t step) -> LogicalResult {
      auto type = dyn_cast<BufferType>(v.getType());
      if (!type)
        return emitError(v.getLoc(), "memory planning expects !exec.buf values, got ")
               << v.getType();
      index[v] = values.size();
      values.push_back(v);
      live.push_back({bufferBytes(type, maxTokens), step, step});
      return success();
    };
    for (BlockArgument a : body.getArguments())
      if (failed(define(a, 0)))
        return failure();
    int64_t step = 0, end = static_cast<int64_t>(body.getOperations().size()) + 1;
    for (Operation &op : body) {
      ++step;
      bool isReturn = isa<func::ReturnOp>(op);
      for (Value v : op.getOperands())
        if (auto it = index.find(v); it != index.end())
          live[it->second].last = std::max(live[it->second].last, isReturn ? end : step);
      for (Value r : op.getResults())
        if (failed(define(r, step)))
          return failure();
    }

    lac::exec_plan::ArenaPlan plan = lac::exec_plan::planArena(live, kAlign);
    if (!lac::exec_plan::planIsValid(live, plan, kAlign))
      return f.emitOpError("internal error: the memory plan overlaps live buffers"),
             failure();

    for (auto [v, offset] : llvm::zip(values, plan.offsets)) {
      auto type = cast<BufferType>(v.getType());
      v.setType(BufferType::get(type.getContext(), type.getShape(),
                                type.getElementType(), offset));
    }
    Operation *ret = body.getTerminator();
    f.setFunctionType(FunctionType::get(f.getContext(), body.getArgumentTypes(),
                                        ret->getOperandTypes()));
    Builder b(f.getContext());
    f->setAttr("exec.arena_bytes", b.getI64IntegerAttr(plan.arena_bytes));
    f->setAttr("exec.max_tokens", b.getI64IntegerAttr(maxTokens));
    return plan.arena_bytes;
  }

  // exec.kv_cache from the attention ops; 0 bytes when there are none.
  FailureOr<int64_t> planKvCache(ModuleOp module) {
    int64_t layers = 0, kvHeads = 0, headDim = 0;
    WalkResult r = module.walk([&](RopeKvAttentionOp op) -> WalkResult {
      int64_t kv = op.getNKvHeads(), hd = op.getHeadDim();
      if ((kvHeads && kv != kvHeads) || (headDim && hd != headDim))
        return op.emitOpError("every layer's KV cache must have one shape; got n_kv_heads=")
               << kv << " head_dim=" << hd << " after " << kvHeads << "/" << headDim;
      kvHeads = kv;
      headDim = hd;
      layers = std::max<int64_t>(layers, op.getLayer() + 1);
      return WalkResult::advance();
    });
    if (r.wasInterrupted())
      return failure();
    if (!layers)
      return 0;
    auto kv = KvCacheAttr::getChecked(
        [&] { return module.emitError(); }, module.getContext(), KvLayout::blhd,
        kvDtype == "f16" ? Type(Float16Type::get(module.getContext())) : Type(Float32Type::get(module.getContext())),
        layers, kvHeads, headDim, int64_t(maxSeqLen),
        int64_t(maxBatch));
    if (!kv)
      return failure();
    module->setAttr("exec.kv_cache", kv);
    return kv.getBytes();
  }
};

} // namespace
