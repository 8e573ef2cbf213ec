#include "runtime/kernels/cuda/context.h"

#include <algorithm>

#include "runtime/kernels/cuda/lt_api.h"
#include "runtime/kernels/cuda/matmul_lt.h"
#include "runtime/kernels/cuda/workspace.h"

namespace lac::kernels::cuda {

// Any kernel of this library: asking for its attributes fails when the
// binary holds no image the device can run.
__global__ void probeKernel() {}

cudaError_t checkDeviceSupported() {
  int device = 0;
  if (cudaError_t e = cudaGetDevice(&device); e != cudaSuccess) return e;
  cudaFuncAttributes attr;
  return cudaFuncGetAttributes(&attr, probeKernel);
}

cudaError_t createContext(CudaContext* ctx, size_t workspace_bytes) {
  *ctx = CudaContext{};
  int device = 0, major = 0, minor = 0, sms = 0;
  cudaError_t e = cudaGetDevice(&device);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, device);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&minor, cudaDevAttrComputeCapabilityMinor, device);
  if (e == cudaSuccess) e = cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, device);
  if (e != cudaSuccess) return e;
  ctx->sm = major * 10 + minor;
  ctx->num_sms = sms;
  e = cudaStreamCreateWithFlags(&ctx->stream, cudaStreamNonBlocking);
  if (e == cudaSuccess && workspace_bytes > 0) e = cudaMalloc(&ctx->workspace, workspace_bytes);
  if (e == cudaSuccess) {
    ctx->workspace_bytes = workspace_bytes;
    // Without cuBLASLt (not installed: lt_api.h) the context has no handle
    // and the 16-bit prefill matmuls take the f32 GEMM.
    if (const LtApi* lt = ltApi()) {
      cublasLtHandle_t h = nullptr;
      if (lt->create(&h) != CUBLAS_STATUS_SUCCESS) e = cudaErrorInitializationError;
      ctx->cublaslt = h;
      ctx->lt_algos = createLtAlgoCache();
    }
  }
  if (e != cudaSuccess) destroyContext(ctx);
  return e;
}

void destroyContext(CudaContext* ctx) {
  if (ctx->lt_algos) destroyLtAlgoCache(ctx->lt_algos);
  if (ctx->cublaslt) ltApi()->destroy(static_cast<cublasLtHandle_t>(ctx->cublaslt));
  if (ctx->workspace) cudaFree(ctx->workspace);
  if (ctx->stream) cudaStreamDestroy(ctx->stream);
  *ctx = CudaContext{};
}

size_t workspaceBytes(int64_t max_tokens, int64_t max_in, int64_t max_out, int64_t vocab, int64_t n_heads,
                      int64_t head_dim, int64_t max_seq, int64_t max_batch) {
  const auto u = [](int64_t v) { return static_cast<size_t>(std::max<int64_t>(v, 0)); };
  // matmul: split-K partials (decode rows only), or x in 16 bits + cuBLASLt.
  const size_t gemv = u(kGemvMaxSplits * std::min<int64_t>(max_tokens, 8) * max_out) * 4;
  const size_t lt = alignUp(u(max_tokens * max_in) * 2) + kLtWorkspaceBytes;
  // attentionDecode partials.
  const size_t attn = u(max_batch * n_heads * decodeSplits(max_seq) * (head_dim + 2)) * 4;
  const size_t samp = u(max_batch) * sampleRowBytes(std::max<int64_t>(vocab, 1));
  return alignUp(std::max({gemv, lt, attn, samp, size_t{1} << 20}));
}

}  // namespace lac::kernels::cuda
