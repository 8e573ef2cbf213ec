// The CUDA engine as one rank of a tensor-parallel run (runtime/dist/): its
// GPU, NCCL on the engine's stream, and the all_reduce / all_gather steps.
// Built, never run: no machine with several GPUs has been lent yet
// (scripts/gpu-check.sh runs it when one is).
#include <algorithm>

#include "runtime/engine/cuda/cuda_state.h"

namespace lac::engine {

int tensorParallelDevice() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count <= 0) return 0;
  return dist::localRank() % count;  // one GPU per rank on each host
}

VoidResult openTensorParallel(CudaState& s, const char* name) {
  int device = 0;
  LAC_CHECK_OR_RETURN(cudaGetDevice(&device) == cudaSuccess, Error::Internal, "%s: no current CUDA device", name);
  auto nccl = dist::openNccl(device, s.ctx.stream, /*enqueue_only=*/true);
  if (!nccl.ok()) return makeError(nccl.error(), std::string(name) + ": " + nccl.message());
  s.nccl = std::move(*nccl);
  // all_gather's staging: its rows (a row per token, or one) x every rank's columns.
  uint64_t floats = 0;
  for (const CudaEntryPoint* ep : {s.prefill.get(), s.decode.get()})
    if (ep)
      for (const BoundStep& b : ep->bound->steps)
        if (b.kernel == plan::Kernel::all_gather)
          floats = std::max(floats, uint64_t(b.out.per_token ? ep->max_tokens : 1) * uint64_t(b.cols) *
                                        uint64_t(s.nccl->size()));
  if (floats)
    LAC_CHECK_OR_RETURN(s.gather.allocate(floats * sizeof(float)) == cudaSuccess, Error::IoError,
                        "%s: %llu bytes for the all-gather of the logits", name,
                        (unsigned long long)(floats * sizeof(float)));
  return {};
}

}  // namespace lac::engine
