// --lac-emit-plan-json: emitPlanJson on the module, to stdout (Passes.td).
#include <iostream>

#include "compiler/emit/emit.h"
#include "compiler/emit/passes.h"
#include "compiler/import/reader.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassRegistry.h"

namespace lac {

#define GEN_PASS_DECL_EMITPLANJSON
#define GEN_PASS_DEF_EMITPLANJSON
#include "compiler/emit/Passes.h.inc"

namespace {

struct EmitPlanJsonPass : impl::EmitPlanJsonBase<EmitPlanJsonPass> {
  using EmitPlanJsonBase::EmitPlanJsonBase;

  void runOnOperation() override {
    mlir::ModuleOp m = getOperation();
    if (model.empty()) {
      m.emitError("lac-emit-plan-json needs model=PATH");
      return signalPassFailure();
    }
    import::ReadOptions ro;
    ro.config_only = true;  // config + tokenizer; no tensor is needed for the plan
    Result<import::ModelSpec> spec = import::readModel(model, ro);
    if (!spec.ok()) {
      m.emitError(spec.status().toString());
      return signalPassFailure();
    }
    emit::PlanJsonOptions jo;
    jo.dump_tokenizer = dumpTokenizer;
    VoidResult r = emit::emitPlanJson(m, *spec, std::cout, jo);
    std::cout.flush();
    if (!r.ok()) {
      m.emitError(r.status().toString());
      return signalPassFailure();
    }
    markAllAnalysesPreserved();
  }
};

}  // namespace

void registerEmitPasses() { mlir::PassRegistration<EmitPlanJsonPass>(); }

}  // namespace lac
