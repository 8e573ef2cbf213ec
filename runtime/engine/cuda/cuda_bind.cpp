// Binding for the CUDA engine: the CPU binder (bind.cpp) resolves and checks
// every step against the CUDA kernels' formats, with the weights already at
// their device addresses; the arena pointers it resolved into a host arena
// are then moved into a device arena of the same layout, and the inputs
// (tokens, positions) are redirected to the entry point's `io` block.
#include <algorithm>
#include <cstring>

#include "runtime/engine/cuda/cuda_check.h"
#include "runtime/engine/cuda/cuda_state.h"

namespace lac::engine {

namespace {

using K = plan::Kernel;
using ull = unsigned long long;

// The formats runtime/kernels/cuda/launch.h matmuls and gathers read (the
// compiler's cuda kernel table, dialects/Exec/Transforms/KernelTable.cpp).
bool normalizes(K k) {
  return k == K::rmsnorm || k == K::rmsnorm_matmul || k == K::final_norm_lm_head || k == K::rmsnorm_gate_up_silu;
}

}  // namespace

// ---------------------------------------------------------------------------
// Buffers

cudaError_t DeviceBuffer::allocate(uint64_t bytes) {
  reset();
  bytes = std::max<uint64_t>(bytes, 256);
  const cudaError_t e = cudaMalloc(&p_, bytes);
  if (e != cudaSuccess) {
    p_ = nullptr;
    return e;
  }
  bytes_ = bytes;
  return cudaSuccess;
}

void DeviceBuffer::reset() {
  if (p_) cudaFree(p_);
  p_ = nullptr;
  bytes_ = 0;
}

cudaError_t PinnedBuffer::allocate(uint64_t bytes) {
  reset();
  const cudaError_t e = cudaMallocHost(&p_, std::max<uint64_t>(bytes, 64));
  if (e != cudaSuccess) p_ = nullptr;
  return e;
}

void PinnedBuffer::reset() {
  if (p_) cudaFreeHost(p_);
  p_ = nullptr;
}

CudaState::~CudaState() {
  if (graph_exec) cudaGraphExecDestroy(graph_exec);
  if (graph) cudaGraphDestroy(graph);
  kernels::cuda::destroyContext(&ctx);
}

MatmulWidths widestMatmul(const BoundEntryPoint& ep) {
  MatmulWidths w;
  for (const BoundStep& b : ep.steps) {
    if (b.n_w == 0 || b.kernel == K::embed || b.kernel == K::rmsnorm) continue;
    const int64_t rows = b.kernel == K::rmsnorm_gate_up_silu && b.n_w == 2 ? 2 * b.rows : b.rows;
    w.out = std::max(w.out, rows);
    w.in = std::max(w.in, b.cols);
  }
  return w;
}

// ---------------------------------------------------------------------------
// Binding

Result<std::unique_ptr<CudaEntryPoint>> bindCudaEntryPoint(const artifact::Artifact& a, const plan::EntryPoint& ep,
                                                           const uint8_t* device_weights, uint32_t rank) {
  const BindTarget target{"CUDA", plan::Target::cuda, rank};
  LAC_ASSIGN_OR_RETURN(std::unique_ptr<BoundEntryPoint> bound, bindEntryPoint(a, ep, device_weights, target));
  auto out = std::make_unique<CudaEntryPoint>();
  const std::string what = a.name() + ": entry point '" + bound->name + "'";
  out->max_tokens = bound->max_tokens;
  out->chunk = bound->name == "prefill" ? std::min(out->max_tokens, kPrefillChunk) : out->max_tokens;

  // Device memory: the arena in the plan's layout, the scratch, the inputs.
  int64_t max_norm = 0;
  for (const BoundStep& b : bound->steps)
    if (normalizes(b.kernel)) max_norm = std::max(max_norm, b.cols);
  const uint64_t T = out->max_tokens;
  LAC_CUDA_OR_RETURN(out->arena.allocate(ep.arena_bytes()), Error::IoError, (what + ": arena").c_str());
  LAC_CUDA_OR_RETURN(out->norm_scratch.allocate(T * uint64_t(max_norm) * sizeof(float)), Error::IoError,
                     (what + ": norm scratch").c_str());
  LAC_CUDA_OR_RETURN(out->mm_scratch.allocate(2 * uint64_t(bound->mm_half) * sizeof(float)), Error::IoError,
                     (what + ": matmul scratch").c_str());
  LAC_CUDA_OR_RETURN(out->io.allocate(out->ioBytes()), Error::IoError, (what + ": inputs").c_str());
  LAC_CUDA_OR_RETURN(out->staging.allocate(out->ioBytes()), Error::IoError, (what + ": pinned staging").c_str());
  int32_t* io = reinterpret_cast<int32_t*>(out->io.get());
  out->tokens = io;
  out->positions = io + T;
  out->slots = io + 2 * T;
  out->lengths = io + 3 * T;

  // Host arena pointers -> the same offsets in the device arena.
  const uint8_t* host = bound->arena.get();
  uint8_t* dev = out->arena.get();
  const int32_t* host_tokens = bound->tokens;
  auto move = [&](float*& p) {
    if (p) p = reinterpret_cast<float*>(dev + (reinterpret_cast<const uint8_t*>(p) - host));
  };
  std::vector<float> freqs;
  std::vector<size_t> freq_at(bound->steps.size(), SIZE_MAX);
  for (size_t i = 0; i < bound->steps.size(); ++i) {
    BoundStep& b = bound->steps[i];
    for (int j = 0; j < b.n_in; ++j) move(b.in[j].p);
    move(b.out.p);
    if (b.ids) {
      LAC_CHECK_OR_RETURN(b.ids == host_tokens, Error::InvalidArtifact, "%s: step %zu embeds a buffer other than the tokens",
                          what.c_str(), i);
      b.ids = out->tokens;
    }
    if (!b.freqs.empty()) {
      freq_at[i] = freqs.size();
      freqs.insert(freqs.end(), b.freqs.begin(), b.freqs.end());
    }
  }
  move(bound->logits.p);
  bound->tokens = out->tokens;
  bound->positions = out->positions;

  // RoPE frequencies: one device copy for every attention step.
  LAC_CUDA_OR_RETURN(out->freqs.allocate(std::max<size_t>(freqs.size(), 1) * sizeof(float)), Error::IoError,
                     (what + ": rope frequencies").c_str());
  if (!freqs.empty())
    LAC_CUDA_OR_RETURN(cudaMemcpy(out->freqs.get(), freqs.data(), freqs.size() * sizeof(float), cudaMemcpyHostToDevice),
                       Error::Internal, (what + ": copying rope frequencies").c_str());
  out->step_freqs.assign(bound->steps.size(), nullptr);
  for (size_t i = 0; i < bound->steps.size(); ++i)
    if (freq_at[i] != SIZE_MAX) out->step_freqs[i] = reinterpret_cast<const float*>(out->freqs.get()) + freq_at[i];

  // The host arena and scratch were only the binder's address space.
  bound->arena.reset();
  bound->norm_scratch.reset();
  bound->mm_scratch.reset();
  bound->act_scratch.reset();
  out->bound = std::move(bound);
  return out;
}

}  // namespace lac::engine
