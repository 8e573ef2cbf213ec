// The artifact's target -> its engine.
#include "runtime/engine/load_model.h"

#include "runtime/engine/cpu_engine.h"

#if LAC_HAVE_CUDA_ENGINE
#include "runtime/engine/cuda/cuda_engine.h"
#endif

namespace lac::engine {

bool hasCudaEngine() { return LAC_HAVE_CUDA_ENGINE != 0; }

Result<std::unique_ptr<Model>> loadModel(const artifact::Artifact& a, const EngineOptions& opts) {
  switch (a.plan().target()->target()) {
    case plan::Target::cpu: {
      LAC_ASSIGN_OR_RETURN(auto e, CpuEngine::fromArtifact(a, opts));
      return std::unique_ptr<Model>(std::move(e));
    }
    case plan::Target::cuda: {
#if LAC_HAVE_CUDA_ENGINE
      LAC_ASSIGN_OR_RETURN(auto e, CudaEngine::fromArtifact(a, opts));
      return std::unique_ptr<Model>(std::move(e));
#else
      LAC_FAIL(Error::Unsupported,
               "%s: compiled for --target=cuda, but this build has no CUDA engine (build with -DLAC_ENABLE_CUDA=ON "
               "where the CUDA toolkit is installed, or compile the model with --target=cpu)",
               a.name().c_str());
#endif
    }
  }
  LAC_FAIL(Error::Unsupported, "%s: target id %u has no engine in this build", a.name().c_str(),
           unsigned(a.plan().target()->target()));
}

Result<std::unique_ptr<Model>> loadModel(const std::string& path, const EngineOptions& opts) {
  LAC_ASSIGN_OR_RETURN(artifact::Artifact a, artifact::Artifact::open(path, opts.open));
  return loadModel(a, opts);
}

}  // namespace lac::engine
