// Choosing the engine for an artifact: the one place that maps a plan's
// target to an executor (tools/lac-run loads every model through it).
//
//   LAC_ASSIGN_OR_RETURN(auto model, engine::loadModel("model.lac", opts));
//
// target cpu  -> CpuEngine (runtime/engine/cpu_engine.h)
// target cuda -> CudaEngine (runtime/engine/cuda/cuda_engine.h), present when
//                the runtime was built with LAC_ENABLE_CUDA; otherwise
//                Unsupported with a one-line message saying so.
#pragma once

#include <memory>
#include <string>

#include "runtime/artifact/artifact.h"
#include "runtime/core/result.h"
#include "runtime/engine/engine_core.h"  // EngineOptions
#include "runtime/engine/model.h"

namespace lac::engine {

Result<std::unique_ptr<Model>> loadModel(const artifact::Artifact& a, const EngineOptions& opts = {});
Result<std::unique_ptr<Model>> loadModel(const std::string& path, const EngineOptions& opts = {});

// True when this build has the CUDA engine (it may still find no GPU).
bool hasCudaEngine();

}  // namespace lac::engine
