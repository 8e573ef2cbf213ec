// What every engine does the same way, whatever memory and kernels it runs
// on: its options, the plan checks and limits, the KV cache's layout, and
// which entry point is which. CpuEngine and CudaEngine are thin on top:
// they supply the memory (host or device), the binding and the kernels.
#pragma once

#include <cstdint>
#include <memory>
#include <utility>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/core/result.h"
#include "runtime/engine/model.h"
#include "runtime/engine/slot_state.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::dist {
class Communicator;
}

namespace lac::engine {

struct EngineOptions {
  uint32_t max_batch = 0;    // sequence slots; 0: the compiled max_batch (never more)
  uint32_t max_seq_len = 0;  // positions per slot; 0: the compiled max_seq_len (never more)
  int threads = 0;           // CPU: 0 = std::thread::hardware_concurrency()
  uint64_t random_weights_seed = 0;  // for --no-weights plans
  bool random_weights = false;       // random weights even where the artifact has real ones (benchmarks)
  // CPU: prefill's quantized matmuls with ~15-bit activations (two int8
  // passes, runtime/engine/act_precision.h): exact-enough prompt KV caches
  // and first tokens for about twice prefill's matmul time. Decode always
  // runs int8.
  bool precise_prefill = true;
  artifact::OpenOptions open;        // passed to Artifact::open
  // Tensor parallel (runtime/dist/): this rank's communicator. A plan
  // compiled with --tensor-parallel N needs one of size N (this rank binds
  // its own weight slices); null: one process, which runs 1-rank plans only.
  dist::Communicator* comm = nullptr;
};

// The part of an engine that is the same on every backend: the artifact it
// runs, the limits it serves (checkPlan), and the filled positions of each
// slot with the Model interface's argument checks (slot_state.h).
class EngineBase : public Model {
 public:
  const ModelLimits& limits() const override { return limits_; }
  const artifact::Artifact& artifact() const { return artifact_; }

 protected:
  explicit EngineBase(artifact::Artifact a) : artifact_(std::move(a)) {}

  artifact::Artifact artifact_;
  ModelLimits limits_;
  SlotState slots_;
};

// The plan is for `target` (else Unsupported naming `engine`: "CPU",
// "CUDA"), its KV cache is f32 or f16 (the caches the kernels implement),
// and the options fit the compiled limits (else InvalidArgument). Returns
// the limits the engine serves: the options', or the compiled ones.
Result<ModelLimits> checkPlan(const artifact::Artifact& a, plan::Target target, const char* engine,
                              const EngineOptions& opts);

// The plan's KV cache element type (F32 or F16).
DType kvDType(const plan::Plan& p);
// The KV cache of `limits`: per layer K then V, each
// [batch][kv_heads][seq][head_dim] of `dtype` (the kernels' dense view).
// A tensor-parallel rank of `ranks` caches its n_kv_heads / ranks heads.
uint64_t kvCacheBytes(const plan::ModelConfig& c, const ModelLimits& limits, DType dtype, uint32_t ranks = 1);
// The per-layer views of that cache at `base` (host or device memory).
std::vector<kernels::KvCacheView> kvCacheLayers(void* base, const plan::ModelConfig& c, const ModelLimits& limits,
                                                DType dtype, uint32_t ranks = 1);

// Binds every entry point of the plan with `bind(ep)` into `prefill` or
// `decode` by name; Unsupported for another name, InvalidArtifact without a
// prefill or with a decode of max_tokens 0 (`max_tokens(bound)` reads it).
template <typename Bound, typename BindFn, typename MaxTokensFn>
VoidResult bindEntryPoints(const artifact::Artifact& a, std::unique_ptr<Bound>& prefill,
                           std::unique_ptr<Bound>& decode, BindFn&& bind, MaxTokensFn&& max_tokens) {
  const plan::Plan& p = a.plan();
  const char* name = a.name().c_str();
  if (p.entry_points())
    for (const plan::EntryPoint* ep : *p.entry_points()) {
      std::unique_ptr<Bound>* slot = ep->name()->str() == "prefill"  ? &prefill
                                     : ep->name()->str() == "decode" ? &decode
                                                                     : nullptr;
      LAC_CHECK_OR_RETURN(slot, Error::Unsupported, "%s: unknown entry point '%s'", name, ep->name()->c_str());
      LAC_ASSIGN_OR_RETURN(*slot, bind(*ep));
    }
  LAC_CHECK_OR_RETURN(prefill, Error::InvalidArtifact, "%s: has no 'prefill' entry point", name);
  LAC_CHECK_OR_RETURN(!decode || max_tokens(*decode) >= 1, Error::InvalidArtifact, "%s: decode max_tokens 0", name);
  return {};
}

}  // namespace lac::engine
