// The CUDA kernels' execution context: one stream, one cuBLASLt handle and
// one device scratch buffer, shared by every launcher (launch.h).
//
// Launchers only enqueue work on ctx.stream: no synchronization, no
// allocation, so a whole decode step can be captured into a CUDA graph.
// The scratch (split-K and flash-decoding partials, sampling candidates,
// cuBLASLt's workspace, converted activations) is sized once by the engine
// with workspaceBytes().
#pragma once

#include <cuda_runtime_api.h>

#include <cstddef>
#include <cstdint>

namespace lac::kernels::cuda {

struct CudaContext {
  cudaStream_t stream = nullptr;  // every launcher enqueues on it (graph-capturable)
  void* cublaslt = nullptr;       // cublasLtHandle_t; null where cuBLASLt is not installed (lt_api.h)
  void* lt_algos = nullptr;       // the cuBLASLt algorithm per matmul shape (matmul_lt.h)
  void* workspace = nullptr;      // device scratch of workspace_bytes
  size_t workspace_bytes = 0;
  int sm = 0;  // compute capability * 10 + minor, e.g. 90
  int num_sms = 0;
};

// On the current device: makes a non-blocking stream, a cuBLASLt handle
// (when the library loads: lt_api.h) and a workspace of `workspace_bytes` (cudaMalloc). On failure nothing is left
// allocated and *ctx is reset.
cudaError_t createContext(CudaContext* ctx, size_t workspace_bytes);
// Frees what createContext made (safe on a reset or half-made context).
void destroyContext(CudaContext* ctx);

// Scratch the launchers need for these maxima: max_tokens rows through a
// matmul of at most max_in inputs and max_out outputs (GEMV partials
// [splits][<= 8][max_out] f32; the cuBLASLt path's x in 16 bits
// [max_tokens, max_in] plus cuBLASLt's own scratch), decode attention over
// max_batch sequences of at most max_seq positions, and sampling of
// max_batch rows of `vocab` entries.
size_t workspaceBytes(int64_t max_tokens, int64_t max_in, int64_t max_out, int64_t vocab, int64_t n_heads,
                      int64_t head_dim, int64_t max_seq, int64_t max_batch);

// cudaSuccess when this binary has kernels for the current device (sm_80 /
// sm_90 fatbin); cudaErrorNoKernelImageForDevice otherwise (or the error of
// the device query).
cudaError_t checkDeviceSupported();

}  // namespace lac::kernels::cuda
