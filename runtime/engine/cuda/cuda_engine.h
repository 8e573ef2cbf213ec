// CudaEngine: runs a `.lac` plan compiled with --target=cuda on the current
// GPU (the Model interface, like CpuEngine).
//
//   LAC_ASSIGN_OR_RETURN(auto engine, CudaEngine::load("model-cuda.lac", {}));
//   LAC_ASSIGN_OR_RETURN(auto logits, engine->prefill(0, prompt, 0));
//
// Load checks the device (present, compute capability >= the plan's
// min_cuda_arch, kernels in this binary for it), copies the weight blob to
// device memory once (or fills random weights on the device for
// --no-weights plans), allocates each entry point's arena, the scratch and
// the KV cache (f32 or f16) in device memory, binds every step once to launcher
// arguments (cuda_bind.cpp), and captures the decode step ONCE as a CUDA
// graph. A decode then costs one 16-byte host-to-device copy of
// {token, position, slot, length} into fixed device buffers, one
// cudaGraphLaunch and the copy of the logits back, or, through
// decodeSampled() (what generation uses unless logprobs are asked), one
// sampling launch and the copy of one token per sequence back. Prefill
// enqueues its steps directly (one chunk of up to kPrefillChunk = 512 tokens
// at a time, cuda_state.h).
//
// Only compiled with LAC_ENABLE_CUDA; runtime/engine/load_model.h chooses
// this engine for a cuda artifact.
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

namespace lac::engine {

struct CudaState;  // cuda_state.h

class CudaEngine final : public EngineBase {
 public:
  // NotFound / InvalidArtifact from the artifact; Unsupported for a plan of
  // another target, no CUDA device, a device older than the plan's
  // min_cuda_arch or one this build has no kernels for, an unknown kernel
  // or weight format; IoError when device memory runs out; InvalidArgument
  // for options above the compiled limits.
  static Result<std::unique_ptr<CudaEngine>> load(const std::string& path, const EngineOptions& opts = {});
  static Result<std::unique_ptr<CudaEngine>> fromArtifact(artifact::Artifact artifact,
                                                          const EngineOptions& opts = {});
  ~CudaEngine() override;

  // The device checks alone, with the messages load gives:
  //   "this artifact targets CUDA sm_80+, but no CUDA device is present"
  //   "GPU sm_75 (NAME) is not supported: this artifact targets CUDA sm_80+"
  static VoidResult checkDevice(uint32_t min_cuda_arch);

  Result<std::span<const float>> prefill(uint32_t slot, std::span<const int32_t> tokens,
                                         uint32_t start_pos) override;
  Result<std::span<const float>> decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                        std::span<const uint32_t> positions) override;
  // Samples on the GPU (runtime/kernels/cuda/sample.cuh): only the tokens
  // are copied back, the logits stay in device memory.
  bool samplesOnDevice() const override { return true; }
  Result<std::span<const int32_t>> decodeSampled(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                 std::span<const uint32_t> positions, const DeviceSampling& sampling,
                                                 std::span<const float> uniforms) override;

  std::string deviceName() const;

 private:
  explicit CudaEngine(artifact::Artifact a);
  VoidResult init(const EngineOptions& opts);

  std::unique_ptr<CudaState> state_;
};

}  // namespace lac::engine
