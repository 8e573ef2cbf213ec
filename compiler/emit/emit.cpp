// buildPlan (ModelSpec parts + IR parts) and emitArtifact (plan + weight
// bytes through the WeightProvider -> artifact::writeArtifact).
#include "compiler/emit/emit.h"

#include <filesystem>

#include "compiler/emit/plan_parts.h"
#include "mlir/IR/BuiltinOps.h"
#include "runtime/artifact/format.h"

namespace lac::emit {

namespace {

// --weights-out: a plain file name in the .lac's folder (the loader looks
// for Plan.weights_file beside the artifact).
Result<std::string> weightsFileName(const EmitOptions& opts) {
  namespace fs = std::filesystem;
  LAC_CHECK_OR_RETURN(!opts.weights_out.empty(), Error::InvalidArgument, "no weights file name given");
  fs::path w(opts.weights_out), a(opts.path);
  const fs::path wdir = w.parent_path(), adir = a.parent_path();
  LAC_CHECK_OR_RETURN(wdir.empty() || fs::weakly_canonical(wdir) == fs::weakly_canonical(adir.empty() ? "." : adir),
                      Error::InvalidArgument, "%s: the weights file must be in the folder of %s",
                      opts.weights_out.c_str(), opts.path.c_str());
  LAC_CHECK_OR_RETURN(w.has_filename() && w.filename() != a.filename(), Error::InvalidArgument,
                      "%s: not a usable weights file name", opts.weights_out.c_str());
  return w.filename().string();
}

// Wraps the writer's sink to report progress.
class ProgressSink : public WeightSink {
 public:
  ProgressSink(WeightSink& inner, uint64_t& done, uint64_t total, const EmitOptions& opts)
      : inner_(inner), done_(done), total_(total), opts_(opts) {}
  VoidResult write(std::span<const uint8_t> bytes) override {
    LAC_RETURN_IF_ERROR(inner_.write(bytes));
    done_ += bytes.size();
    if (opts_.progress) opts_.progress(done_, total_);
    return {};
  }

 private:
  WeightSink& inner_;
  uint64_t& done_;
  uint64_t total_;
  const EmitOptions& opts_;
};

}  // namespace

Result<std::unique_ptr<plan::PlanT>> buildPlan(mlir::ModuleOp module, const import::ModelSpec& spec,
                                               const EmitOptions& opts) {
  auto p = std::make_unique<plan::PlanT>();
  p->format_version = artifact::kFormatVersion;
  LAC_RETURN_IF_ERROR(addModelParts(*p, spec, opts));
  LAC_RETURN_IF_ERROR(addIrParts(*p, module, opts));
  switch (opts.weights) {
    case WeightMode::Embedded: break;
    case WeightMode::External: {
      LAC_ASSIGN_OR_RETURN(p->weights_file, weightsFileName(opts));
      break;
    }
    case WeightMode::Random: p->random_weights = true; break;
  }
  return p;
}

VoidResult emitArtifact(mlir::ModuleOp module, const import::ModelSpec& spec, const WeightProvider& weights,
                        const EmitOptions& opts) {
  LAC_CHECK_OR_RETURN(!opts.path.empty(), Error::InvalidArgument, "no output path given");
  LAC_ASSIGN_OR_RETURN(std::unique_ptr<plan::PlanT> p, buildPlan(module, spec, opts));
  const std::vector<ExecWeightInfo> infos = weightInfos(*p, module);
  uint64_t total = 0, done = 0;
  for (const ExecWeightInfo& w : infos) total += w.bytes;
  LAC_CHECK_OR_RETURN(p->random_weights || infos.empty() || weights, Error::InvalidArgument,
                      "no weight provider given for %zu weights", infos.size());

  flatbuffers::FlatBufferBuilder fbb;
  plan::FinishPlanBuffer(fbb, plan::Plan::Pack(fbb, p.get()));
  artifact::WeightSource source = [&](uint32_t i, WeightSink& sink) -> VoidResult {
    ProgressSink counted(sink, done, total, opts);
    return weights(infos.at(i).name, infos.at(i), counted);
  };
  if (opts.progress) opts.progress(0, p->random_weights ? 0 : total);
  return artifact::writeArtifact(opts.path, fbb, source);
}

}  // namespace lac::emit
