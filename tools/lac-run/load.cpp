// lac-run: opening artifacts and constructing the engine (the one place that
// knows which executor runs a plan).
#include <chrono>

#include "runtime/generate/plan_tokenizer.h"
#include "tools/lac-run/common.h"

#if LAC_HAVE_CPU_ENGINE
#include "runtime/engine/cpu_engine.h"
#endif

namespace lac::run {

namespace {

Result<std::unique_ptr<engine::Model>> makeEngine(const artifact::Artifact& a, const LoadOptions& opts) {
#if LAC_HAVE_CPU_ENGINE
  engine::EngineOptions eo;
  eo.threads = opts.threads;
  eo.max_batch = opts.max_batch;
  eo.precise_prefill = !opts.int8_prefill;
  LAC_ASSIGN_OR_RETURN(auto e, engine::CpuEngine::fromArtifact(a, eo));
  return std::unique_ptr<engine::Model>(std::move(e));
#else
  LAC_FAIL(Error::Unsupported, "%s: this build of lac-run has no engine to run the model", a.name().c_str());
#endif
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
