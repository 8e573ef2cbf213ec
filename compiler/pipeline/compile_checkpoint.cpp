// compileCheckpoint: the whole compiler, read to emit, for lac-compile and
// the Python package.
#include "compiler/pipeline/compile_checkpoint.h"

#include <memory>
#include <sstream>

#include "compiler/build/llama_builder.h"
#include "compiler/emit/emit.h"
#include "compiler/import/reader.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/raw_ostream.h"

namespace lac::pipeline {

namespace {

std::string printModule(mlir::ModuleOp m) {
  std::string text;
  llvm::raw_string_ostream os(text);
  m.print(os);
  os << "\n";
  os.flush();
  return text;
}

}  // namespace

Result<EmitStage> parseEmitStage(const std::string& name) {
  if (name == "llama-mlir") return EmitStage::LlamaMlir;
  if (name == "exec-mlir") return EmitStage::ExecMlir;
  if (name == "plan-json") return EmitStage::PlanJson;
  if (name == "artifact") return EmitStage::Artifact;
  LAC_FAIL(Error::InvalidArgument, "--emit=%s: expected llama-mlir, exec-mlir, plan-json or artifact", name.c_str());
}

Result<std::string> compileCheckpoint(const std::string& model, const CheckpointCompileOptions& opts) {
  LAC_CHECK_OR_RETURN(opts.emit != EmitStage::Artifact || !opts.output.empty(), Error::InvalidArgument,
                      "no output file for the artifact");
  LAC_CHECK_OR_RETURN(!opts.no_weights || opts.weights_out.empty(), Error::InvalidArgument,
                      "--no-weights and --weights-out exclude each other");
  // Read.
  import::ReadOptions ro;
  ro.config_only = opts.no_weights;
  LAC_ASSIGN_OR_RETURN(import::ModelSpec spec, import::readModel(model, ro));
  LAC_RETURN_IF_ERROR(applyChatFormat(spec, opts.chat_format, opts.chat_template_file));
  if (opts.on_warning)
    for (const std::string& w : spec.warnings) opts.on_warning(w);
  if (opts.no_weights) import::declareTensorsFromConfig(spec, DType::BF16);
  CompileOptions copts = opts.compile;
  LAC_RETURN_IF_ERROR(resolveOptions(spec, copts));

  // Build and optimize. MLIR runs nested passes on a pool of `threads` threads (none for 1).
  std::unique_ptr<llvm::ThreadPoolInterface> pool;
  mlir::MLIRContext ctx(mlir::MLIRContext::Threading::DISABLED);
  if (opts.threads != 1) {
    pool = std::make_unique<llvm::DefaultThreadPool>(opts.threads <= 0 ? llvm::hardware_concurrency()
                                                                       : llvm::hardware_concurrency(opts.threads));
    ctx.setThreadPool(*pool);
  }
  loadDialects(ctx);
  LAC_ASSIGN_OR_RETURN(auto module, build::buildLlamaModuleOrError(spec, ctx));
  mlir::ModuleOp m = module.get();
  LAC_RETURN_IF_ERROR(fuse(m, copts));
  if (opts.emit == EmitStage::LlamaMlir) return printModule(m);
  LAC_RETURN_IF_ERROR(lowerToPlannedExec(m, copts));
  if (opts.emit == EmitStage::ExecMlir) return printModule(m);

  emit::EmitOptions eo;
  eo.path = opts.output;
  if (opts.no_weights) {
    eo.weights = emit::WeightMode::Random;
  } else if (!opts.weights_out.empty()) {
    eo.weights = emit::WeightMode::External;
    eo.weights_out = opts.weights_out;
  }
  if (opts.emit == EmitStage::PlanJson) {
    std::ostringstream json;
    LAC_RETURN_IF_ERROR(emit::emitPlanJson(m, spec, json, {}, eo));
    return json.str();
  }
  eo.progress = opts.progress;
  auto provider = opts.no_weights ? emit::WeightProvider{} : emit::checkpointWeights(spec);
  LAC_RETURN_IF_ERROR(emit::emitArtifact(m, spec, provider, eo));
  return std::string();
}

}  // namespace lac::pipeline
