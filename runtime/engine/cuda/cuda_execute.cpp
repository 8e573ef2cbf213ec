// Enqueuing bound steps on the CUDA stream: the CUDA launchers as a backend
// of the shared step loop (runtime/engine/step_loop.h). Every input a decode
// step reads at run time (token, position, slot, length) is read from device
// memory, so a decode call is captured once as a graph and replayed for any
// slot and position.
#include "runtime/artifact/kernels.h"
#include "runtime/engine/cuda/cuda_state.h"
#include "runtime/engine/step_loop.h"
#include "runtime/kernels/cuda/launch.h"

namespace lac::engine {

namespace {

namespace cu = kernels::cuda;

struct CudaBackend {
  using Status = cudaError_t;
  static bool ok(Status e) { return e == cudaSuccess; }
  VoidResult fail(Status e, const BoundStep& b, size_t i) {
    if (!comm_error.ok()) return makeError(comm_error.error(), "step " + std::to_string(i) + ": " + comm_error.message());
    LAC_FAIL(Error::Internal, "CUDA %s step %zu: %s: %s", artifact::kernelLabel(b.kernel).c_str(), i,
             cudaGetErrorName(e), cudaGetErrorString(e));
  }

  const CudaState& s;
  const CudaEntryPoint& ep;
  VoidResult comm_error;  // a failed collective (tensor parallel)

  float* normScratch() { return reinterpret_cast<float*>(ep.norm_scratch.get()); }
  float* mmScratch() { return reinterpret_cast<float*>(ep.mm_scratch.get()); }
  int64_t mmHalf() { return ep.bound->mm_half; }
  const float* freqs(const BoundStep&, size_t i) { return ep.step_freqs[i]; }
  const kernels::KvCacheView& kvLayer(int layer) { return s.kv_layers[size_t(layer)]; }

  Status embedding(const kernels::EmbeddingArgs& a) { return cu::embedding(s.ctx, a); }
  Status rmsnorm(const kernels::RmsNormArgs& a) { return cu::rmsnorm(s.ctx, a); }
  Status matmul(const kernels::MatmulArgs& a) { return cu::matmul(s.ctx, a); }
  // One fused launch: the norm as the matmul's prologue.
  Status normMatmul(const kernels::RmsNormArgs* norm, const kernels::MatmulArgs& a) {
    return norm ? cu::rmsnormMatmul(s.ctx, *norm, a) : cu::matmul(s.ctx, a);
  }
  Status lmHead(const kernels::RmsNormArgs* norm, const kernels::MatmulArgs& a, const BoundWeight&) {
    return normMatmul(norm, a);
  }
  Status swiglu(const kernels::SwigluArgs& a) { return cu::swiglu(s.ctx, a); }
  Status rope(const kernels::RopeArgs& a) { return cu::rope(s.ctx, a); }
  Status kvAppend(const kernels::KvAppendArgs& a) { return cu::kvAppend(s.ctx, a); }
  Status attentionDecode(const kernels::AttentionDecodeArgs& a) { return cu::attentionDecode(s.ctx, a); }
  Status attentionPrefill(const kernels::AttentionPrefillArgs& a) { return cu::attentionPrefill(s.ctx, a); }
  // Rows of an activation are contiguous (stride == width, bind.cpp).
  Status add(const AddArgs& a) { return cu::add(s.ctx, a.x, a.y, a.out, a.n * a.cols); }

  // Tensor parallel: NCCL on the stream, enqueued only (capturable). Rows are
  // dense (bind.cpp checks the input; outputs are [T, width] buffers).
  Status collective(VoidResult r) {
    if (r.ok()) return cudaSuccess;
    comm_error = std::move(r);
    return cudaErrorUnknown;
  }
  Status allReduce(const CollectiveArgs& a) {
    const size_t row = size_t(a.cols) * sizeof(float);
    if (a.y != a.x) {
      const cudaError_t e = cudaMemcpy2DAsync(a.y, size_t(a.ys) * sizeof(float), a.x, size_t(a.xs) * sizeof(float),
                                              row, size_t(a.n), cudaMemcpyDeviceToDevice, s.ctx.stream);
      if (e != cudaSuccess) return e;
    }
    return collective(s.nccl->allReduceSum(a.y, a.n * a.cols));
  }
  Status allGather(const CollectiveArgs& a) {  // [ranks][n][cols] in s.gather, then row by row into y
    float* g = reinterpret_cast<float*>(s.gather.get());
    const int64_t per = a.n * a.cols;
    if (Status e = collective(s.nccl->allGather(a.x, g, per)); e != cudaSuccess) return e;
    for (int64_t r = 0; r < s.nccl->size(); ++r) {
      const cudaError_t e = cudaMemcpy2DAsync(a.y + r * a.cols, size_t(a.ys) * sizeof(float), g + r * per,
                                              size_t(a.cols) * sizeof(float), size_t(a.cols) * sizeof(float),
                                              size_t(a.n), cudaMemcpyDeviceToDevice, s.ctx.stream);
      if (e != cudaSuccess) return e;
    }
    return cudaSuccess;
  }
};

}  // namespace

VoidResult enqueueSteps(const CudaState& s, const CudaEntryPoint& ep, const StepCall& call) {
  CudaBackend be{s, ep, {}};
  return runSteps(be, ep.bound->steps, call);
}

}  // namespace lac::engine
