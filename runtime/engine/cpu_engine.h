// CpuEngine: runs a compiled `.lac` plan on the CPU (the Model interface).
//
//   LAC_ASSIGN_OR_RETURN(auto engine, CpuEngine::load("model.lac", {}));
//   LAC_ASSIGN_OR_RETURN(auto logits, engine->prefill(0, prompt, 0));
//
// Load maps the artifact, allocates one arena per entry point and the KV
// cache, fills random weights for --no-weights plans, and binds every step
// once (bound_step.h): weight and buffer pointers, strides and params are
// resolved then, so a token runs a flat array of steps with no lookup and no
// allocation.
//
// prefill runs the `prefill` entry point over the prompt in chunks of its
// max_tokens; decode runs the `decode` entry point once over all listed
// sequences (one activation row each, up to its max_tokens = the compiled
// max_batch), so each weight is read once per step, not once per sequence.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/core/result.h"
#include "runtime/engine/engine_core.h"  // EngineOptions
#include "runtime/engine/model.h"

namespace lac {
class ThreadPool;
}

namespace lac::engine {


struct BoundEntryPoint;  // bound_step.h
struct EngineState;      // bound_step.h

class CpuEngine final : public EngineBase {
 public:
  // NotFound / InvalidArtifact / Unsupported from the artifact or its steps
  // (an unknown kernel, a weight format or layout the CPU kernels lack),
  // InvalidArgument for options above the compiled limits.
  static Result<std::unique_ptr<CpuEngine>> load(const std::string& path, const EngineOptions& opts = {});
  static Result<std::unique_ptr<CpuEngine>> fromArtifact(artifact::Artifact artifact,
                                                         const EngineOptions& opts = {});
  ~CpuEngine() override;

  Result<std::span<const float>> prefill(uint32_t slot, std::span<const int32_t> tokens,
                                         uint32_t start_pos) override;
  Result<std::span<const float>> decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                        std::span<const uint32_t> positions) override;

  int threads() const;

 private:
  explicit CpuEngine(artifact::Artifact a);
  VoidResult init(const EngineOptions& opts);
  // Runs `ep` over tokens[T] of `slot` at positions start.. ; returns the
  // last token's logits.
  Result<const float*> runPrefill(BoundEntryPoint& ep, uint32_t slot, std::span<const int32_t> tokens, uint32_t start,
                          bool precise);

  std::unique_ptr<EngineState> state_;
  bool precise_prefill_ = true;
  std::vector<float> decode_logits_;    // [max_batch, vocab]
};

}  // namespace lac::engine
