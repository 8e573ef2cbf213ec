// The CUDA engine's device-side state (internal to runtime/engine/cuda/).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/dist/communicator.h"
#include "runtime/engine/bound_step.h"
#include "runtime/engine/cuda/device_random.h"
#include "runtime/kernels/cuda/context.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::engine {

// cudaMalloc'd bytes, freed on destruction.
class DeviceBuffer {
 public:
  DeviceBuffer() = default;
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;
  ~DeviceBuffer() { reset(); }
  cudaError_t allocate(uint64_t bytes);  // at least 256 bytes; frees what was held
  void reset();
  uint8_t* get() const { return static_cast<uint8_t*>(p_); }
  uint64_t bytes() const { return bytes_; }

 private:
  void* p_ = nullptr;
  uint64_t bytes_ = 0;
};

// cudaMallocHost'd (pinned) bytes: the staging of every host<->device copy,
// so copies are truly asynchronous and a captured graph may read them.
class PinnedBuffer {
 public:
  PinnedBuffer() = default;
  PinnedBuffer(const PinnedBuffer&) = delete;
  PinnedBuffer& operator=(const PinnedBuffer&) = delete;
  ~PinnedBuffer() { reset(); }
  cudaError_t allocate(uint64_t bytes);
  void reset();
  template <typename T>
  T* as() const { return static_cast<T*>(p_); }

 private:
  void* p_ = nullptr;
};

// One entry point bound to device memory. `bound` holds the steps as the
// CPU binder resolved them (bind.cpp), with every arena, scratch and weight
// pointer moved to the device.
struct CudaEntryPoint {
  std::unique_ptr<BoundEntryPoint> bound;
  uint32_t max_tokens = 0;  // the plan's rows per call (the io block's layout)
  uint32_t chunk = 0;       // rows per call the engine runs: <= max_tokens (prefill: <= kPrefillChunk)
  DeviceBuffer arena;
  DeviceBuffer norm_scratch;  // [max_tokens, widest normalized row] f32
  DeviceBuffer mm_scratch;    // [max_tokens, 2 * widest ffn] f32
  DeviceBuffer freqs;         // every attention step's [head_dim / 2] f32
  std::vector<const float*> step_freqs;  // per step: its freqs in `freqs`, or null
  // The call's inputs, [tokens T | positions T | slots T | lengths T] i32,
  // filled by one copy from `staging` (a one-row decode copies element 0 of
  // each: 16 bytes).
  DeviceBuffer io;
  PinnedBuffer staging;
  int32_t* tokens = nullptr;
  int32_t* positions = nullptr;
  int32_t* slots = nullptr;
  int32_t* lengths = nullptr;
  uint64_t ioBytes() const { return 4ull * max_tokens * sizeof(int32_t); }
};

struct CudaState {
  kernels::cuda::CudaContext ctx;
  // Tensor parallel: NCCL on ctx.stream (enqueue only: decode is a captured
  // graph), and all_gather's [ranks][T][cols] f32 before its row reorder.
  std::unique_ptr<dist::Communicator> nccl;
  DeviceBuffer gather;
  std::string device_name;
  DeviceBuffer weights;  // the blob (or random weights), indexed by Weight.blob.offset
  DeviceBuffer kv;       // per layer: K then V, each [batch][kv_heads][seq][head_dim] f32
  std::vector<kernels::KvCacheView> kv_layers;
  std::unique_ptr<CudaEntryPoint> prefill;
  std::unique_ptr<CudaEntryPoint> decode;  // null: decode runs prefill with one token
  cudaGraph_t graph = nullptr;             // a one-sequence decode step, captured at load
  cudaGraphExec_t graph_exec = nullptr;
  PinnedBuffer logits;                     // [max_batch, vocab] f32: decode results
  PinnedBuffer decode_io;                  // [max_batch, 4] i32: each slot's {token, pos, slot, length}
  // decodeSampled: uniforms [max_batch] f32 | tokens [max_batch] i32, on the
  // device and pinned on the host (the same layout).
  DeviceBuffer sample_io;
  PinnedBuffer sample_host;

  ~CudaState();
};

// Binds entry point `ep` for the CUDA kernels: weights at `device_weights`
// + Weight.blob.offset (tensor parallel: rank `rank`'s slices); allocates
// its arena, scratch and inputs on the device. Unsupported for a kernel or
// format the CUDA kernels lack.
Result<std::unique_ptr<CudaEntryPoint>> bindCudaEntryPoint(const artifact::Artifact& a, const plan::EntryPoint& ep,
                                                           const uint8_t* device_weights, uint32_t rank = 0);

// Tensor parallel (cuda_tensor_parallel.cpp): the GPU this rank takes
// (its local rank, modulo the GPUs), set before anything is allocated; then,
// once the stream exists and the entry points are bound, NCCL on the stream
// and the all-gather staging.
int tensorParallelDevice();
VoidResult openTensorParallel(CudaState& s, const char* name);

// Enqueues the steps of `ep` on s.ctx.stream for one call (step_loop.h;
// its positions/slots/lengths point into ep.io, already filled). No sync,
// no allocation: capturable.
struct StepCall;
VoidResult enqueueSteps(const CudaState& s, const CudaEntryPoint& ep, const StepCall& call);

// Prefill runs at most this many tokens per call of its entry point (longer
// prompts go in chunks): it bounds the kernels' workspace, whatever the
// plan's max_tokens.
constexpr uint32_t kPrefillChunk = 512;

// The widest matmul input (columns) and output (rows, the lm_head's
// vocabulary included) of the bound steps: they size the kernels' workspace.
struct MatmulWidths {
  int64_t in = 0, out = 0;
};
MatmulWidths widestMatmul(const BoundEntryPoint& ep);

}  // namespace lac::engine
