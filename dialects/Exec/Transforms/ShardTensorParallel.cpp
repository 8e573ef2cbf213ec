//===- ShardTensorParallel.cpp - lac-shard-tensor-parallel ------------------===//
//
// One rank's share of a tensor-parallel model (rules in Passes.td):
//   1. check every kernel op is one the split knows and that `ranks` divides
//      its heads / ffn columns, and decide each weight's split (rows,
//      columns, or whole);
//   2. give each split weight its rank's shape and `tp_axis`;
//   3. shrink the results of the column-parallel ops (qkv, attention,
//      gate/up, lm_head) and make the row-parallel ones (wo, w2) partial
//      products joined by all_reduce, the split lm_head's by all_gather.
//
//===----------------------------------------------------------------------===//

#include "dialects/Exec/Transforms/KernelTable.h"
#include "dialects/Exec/Transforms/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/DenseMap.h"

namespace lac {
#define GEN_PASS_DEF_LACSHARDTENSORPARALLEL
#include "dialects/Exec/Transforms/Passes.h.inc"
} // namespace lac

using namespace mlir;
using namespace mlir::exec;

namespace {

constexpr int kWhole = -1, kRows = 0, kCols = 1;

BufferType bufOf(Value v) { return cast<BufferType>(v.getType()); }

// `v`'s type with its feature (last) dimension set to `features`.
BufferType withFeatures(Value v, int64_t features) {
  BufferType t = bufOf(v);
  SmallVector<int64_t> shape(t.getShape());
  shape.back() = features;
  return BufferType::get(t.getContext(), shape, t.getElementType());
}

struct ShardTensorParallel : lac::impl::LacShardTensorParallelBase<ShardTensorParallel> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    if (ranks == 1)
      return;
    if (ranks < 1) {
      module.emitError("tensor parallel: ranks must be at least 1, got ") << static_cast<int64_t>(ranks);
      return signalPassFailure();
    }
    if (failed(decide(module)) || failed(splitWeights(module)) || failed(rewrite(module)))
      return signalPassFailure();
    OpBuilder b(module.getContext());
    module->setAttr("exec.tensor_parallel", b.getI64IntegerAttr(ranks));
    auto target = module->getAttrOfType<TargetAttr>(ExecDialect::kTargetAttrName);
    const auto *kernels = target ? lac::exec_kernels::lookupTargetKernels(target.getBackend()) : nullptr;
    if (kernels && failed(lac::exec_kernels::assignKernels(module, *kernels)))
      signalPassFailure();
  }

private:
  llvm::DenseMap<StringAttr, int> axis;  // weight symbol -> kWhole / kRows / kCols

  InFlightDiagnostic fail(Operation *op, const Twine &what) {
    return op->emitOpError("cannot be split over ") << static_cast<int64_t>(ranks) << " tensor-parallel ranks: "
                                                     << what;
  }

  LogicalResult divides(Operation *op, int64_t n, StringRef what) {
    if (n % ranks == 0)
      return success();
    return fail(op, Twine(what) + " (" + Twine(n) + ") is not a multiple of the rank count");
  }

  // One weight, one split: a weight read two ways (the tied embedding
  // table as the lm_head) stays whole.
  void want(FlatSymbolRefAttr w, int a) {
    auto [it, fresh] = axis.try_emplace(w.getAttr(), a);
    if (!fresh && it->second != a)
      it->second = kWhole;
  }

  // A tied lm_head reads the embedding table, which every rank needs whole
  // (any token's row): the lm_head gets a weight of its own, the table's
  // rows again (`concat_of` the table: the packer stacks one part), which
  // the ranks split by vocab like an untied one. Costs vocab / ranks rows
  // more per rank; saves (ranks - 1) / ranks of the lm_head's work.
  void untieLmHeads(ModuleOp module) {
    llvm::DenseSet<StringAttr> embedTables;
    module.walk([&](EmbedOp e) { embedTables.insert(e.getTableAttr().getAttr()); });
    SymbolTable symbols(module);
    llvm::DenseMap<StringAttr, FlatSymbolRefAttr> heads;  // table -> its lm_head copy (prefill and decode share it)
    module.walk([&](FinalNormLmHeadOp o) {
      auto table = symbols.lookup<WeightOp>(o.getWeightAttr().getAttr());
      if (!table || !embedTables.contains(table.getSymNameAttr()) ||
          bufOf(o.getResult()).getDimSize(1) % ranks != 0)
        return;
      if (auto it = heads.find(table.getSymNameAttr()); it != heads.end())
        return o.setWeightAttr(it->second);
      OpBuilder b(table);
      b.setInsertionPointAfter(table);
      auto head = cast<WeightOp>(b.clone(*table));
      head.setSymNameAttr(b.getStringAttr(table.getSymName() + ".lm_head"));
      head->setAttr("concat_of", b.getArrayAttr({FlatSymbolRefAttr::get(table.getSymNameAttr())}));
      if (Attribute src = table->getAttr("source_dtype")) {
        head->setAttr("source_dtypes", b.getArrayAttr({src}));
        head->removeAttr("source_dtype");
      }
      symbols.insert(head);
      heads[table.getSymNameAttr()] = FlatSymbolRefAttr::get(head.getSymNameAttr());
      o.setWeightAttr(heads[table.getSymNameAttr()]);
    });
  }

  LogicalResult decide(ModuleOp module) {
    untieLmHeads(module);
    llvm::DenseSet<StringAttr> embedTables;
    module.walk([&](EmbedOp e) { embedTables.insert(e.getTableAttr().getAttr()); });
    auto walked = module.walk([&](Operation *op) -> WalkResult {
      if (!op->hasAttr("kernel") || !isa<ExecDialect>(op->getDialect()))
        return WalkResult::advance();
      LogicalResult ok = success();
      if (auto o = dyn_cast<RmsNormMatmulOp>(op)) {
        auto att = o->hasOneUse() ? dyn_cast<RopeKvAttentionOp>(*o->user_begin()) : RopeKvAttentionOp();
        if (!att || att.getQkv().size() != 1)
          ok = fail(op, "only the fused qkv projection feeding one attention is split");
        else
          want(o.getWeightAttr(), kRows);
      } else if (auto o = dyn_cast<RopeKvAttentionOp>(op)) {
        ok = success(succeeded(divides(op, o.getNHeads(), "n_heads")) &&
                     succeeded(divides(op, o.getNKvHeads(), "n_kv_heads")));
      } else if (auto o = dyn_cast<RmsNormGateUpSiluOp>(op)) {
        ok = divides(op, bufOf(o.getResult()).getDimSize(1), "the ffn dim");
        want(o.getGateUpAttr(), kRows);
      } else if (auto o = dyn_cast<MatmulResidualOp>(op)) {
        ok = divides(op, bufOf(o.getInput()).getDimSize(1), "the input width");
        want(o.getWeightAttr(), kCols);
      } else if (auto o = dyn_cast<FinalNormLmHeadOp>(op)) {
        const int64_t vocab = bufOf(o.getResult()).getDimSize(1);
        const bool split = vocab % ranks == 0 && !embedTables.contains(o.getWeightAttr().getAttr());
        want(o.getWeightAttr(), split ? kRows : kWhole);
      } else if (!isa<EmbedOp, RmsNormOp, AddOp>(op)) {
        ok = fail(op, "tensor parallelism splits the fused Llama plan only");
      }
      return failed(ok) ? WalkResult::interrupt() : WalkResult::advance();
    });
    return failure(walked.wasInterrupted());
  }

  LogicalResult splitWeights(ModuleOp module) {
    OpBuilder b(module.getContext());
    for (WeightOp w : module.getOps<WeightOp>()) {
      auto it = axis.find(w.getSymNameAttr());
      if (it == axis.end() || it->second == kWhole)
        continue;
      SmallVector<int64_t> shape(w.getShape());
      if (shape.size() != 2)
        return w.emitOpError("tensor parallel: only matrices are split");
      if (shape[it->second] % ranks != 0)
        return w.emitOpError("tensor parallel: dimension ")
               << it->second << " (" << shape[it->second] << ") is not a multiple of "
               << static_cast<int64_t>(ranks);
      shape[it->second] /= ranks;
      w.setShapeAttr(b.getDenseI64ArrayAttr(shape));
      w->setAttr("tp_axis", b.getI64IntegerAttr(it->second));
    }
    return success();
  }

  LogicalResult rewrite(ModuleOp module) {
    auto split = [&](FlatSymbolRefAttr w) {
      auto it = axis.find(w.getAttr());
      return it != axis.end() && it->second != kWhole;
    };
    for (func::FuncOp f : module.getOps<func::FuncOp>()) {
      if (f.isExternal())
        continue;
      SmallVector<Operation *> ops;
      f.walk([&](Operation *op) { ops.push_back(op); });
      for (Operation *op : ops) {
        OpBuilder b(op);
        StringAttr kernel = b.getStringAttr("pending");
        if (auto o = dyn_cast<RmsNormMatmulOp>(op)) {
          o.getResult().setType(withFeatures(o.getResult(), bufOf(o.getResult()).getDimSize(1) / ranks));
        } else if (auto o = dyn_cast<RopeKvAttentionOp>(op)) {
          o.setNHeadsAttr(b.getI64IntegerAttr(o.getNHeads() / ranks));
          o.setNKvHeadsAttr(b.getI64IntegerAttr(o.getNKvHeads() / ranks));
          o.getResult().setType(withFeatures(o.getResult(), bufOf(o.getResult()).getDimSize(1) / ranks));
        } else if (auto o = dyn_cast<RmsNormGateUpSiluOp>(op)) {
          o.getResult().setType(withFeatures(o.getResult(), bufOf(o.getResult()).getDimSize(1) / ranks));
        } else if (auto o = dyn_cast<MatmulResidualOp>(op)) {
          // r + x W^T with x and W split by columns: each rank's x_r W_r^T is
          // a partial sum; the ranks add theirs, then the residual.
          Type full = o.getResult().getType();
          Value partial = b.create<MatmulOp>(o.getLoc(), full, o.getInput(), o.getWeightAttr(), UnitAttr(), kernel);
          Value summed = b.create<AllReduceOp>(o.getLoc(), full, partial, kernel);
          Value out = b.create<AddOp>(o.getLoc(), full, o.getResidual(), summed, kernel);
          o.getResult().replaceAllUsesWith(out);
          o.erase();
        } else if (auto o = dyn_cast<FinalNormLmHeadOp>(op); o && split(o.getWeightAttr())) {
          Type full = o.getResult().getType();
          const int64_t vocab = bufOf(o.getResult()).getDimSize(1);
          b.setInsertionPointAfter(o);
          auto gathered = b.create<AllGatherOp>(o.getLoc(), full, o.getResult(), b.getI64IntegerAttr(ranks), kernel);
          o.getResult().replaceAllUsesExcept(gathered, gathered);
          o.getResult().setType(withFeatures(o.getResult(), vocab / ranks));
        }
      }
    }
    return success();
  }
};

} // namespace
