// lac-run: opening artifacts and constructing the engine (load_model.h
// picks the executor from the plan's target: CPU, or CUDA when built in).
#include <chrono>

#include "runtime/engine/load_model.h"
#include "runtime/generate/plan_tokenizer.h"
#include "tools/common/ranks.h"
#include "tools/lac-run/common.h"

namespace lac::run {

namespace {

// The engine of the artifact's target (runtime/engine/load_model.h).
Result<std::unique_ptr<engine::Model>> makeEngine(const artifact::Artifact& a, const LoadOptions& opts) {
  engine::EngineOptions eo;
  eo.threads = opts.threads;
  eo.max_batch = opts.max_batch;
  eo.random_weights = opts.random_weights;
  eo.precise_prefill = !opts.int8_prefill;
  eo.comm = tools::worldComm();
  return tools::driveRanks(engine::loadModel(a, eo));
}

}  // namespace

Result<artifact::Artifact> openArtifact(const std::string& path, bool check_cpu) {
  artifact::OpenOptions o;
  o.check_host_cpu = check_cpu;
  return artifact::Artifact::open(path, o);
}

Result<Tokenizer> loadTokenizer(const artifact::Artifact& a) {
  LAC_ASSIGN_OR_RETURN(TokenizerData d, generate::tokenizerDataFromPlan(a.plan()));
  auto t = Tokenizer::create(d);
  if (!t.ok()) return makeError(t.error(), a.name() + ": " + t.message());
  return t;
}

Result<std::unique_ptr<Loaded>> loadModel(const std::string& path, const LoadOptions& opts) {
  const auto t0 = std::chrono::steady_clock::now();
  LAC_ASSIGN_OR_RETURN(artifact::Artifact a, openArtifact(path));
  LAC_ASSIGN_OR_RETURN(std::unique_ptr<engine::Model> e, makeEngine(a, opts));
  LAC_ASSIGN_OR_RETURN(generate::LoadedModel m, generate::bundleModel(a, std::move(e)));
  auto out = std::unique_ptr<Loaded>(new Loaded{std::move(a), std::move(m), 0});
  out->load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return out;
}

}  // namespace lac::run
