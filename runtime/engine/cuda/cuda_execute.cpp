// Enqueuing bound steps on the CUDA stream: one launcher call (or a short
// fixed sequence) per step, as runtime/engine/execute.cpp does on the CPU.
// Every input a decode step reads at run time (token, position, slot,
// length) is read from device memory, so the t == 1 sequence is captured
// once as a graph and replayed for any slot and position.
#include "runtime/artifact/kernels.h"
#include "runtime/engine/cuda/cuda_state.h"
#include "runtime/kernels/cuda/launch.h"

namespace lac::engine {

namespace {

namespace cu = kernels::cuda;
using K = plan::Kernel;

#define LAC_LAUNCH(expr)                                                                                  \
  do {                                                                                                    \
    const cudaError_t e_ = (expr);                                                                        \
    if (e_ != cudaSuccess)                                                                                \
      LAC_FAIL(Error::Internal, "CUDA %s step %zu: %s: %s", artifact::kernelLabel(b.kernel).c_str(), i,   \
               cudaGetErrorName(e_), cudaGetErrorString(e_));                                             \
  } while (0)

// y[n, rows] = x[n, cols] . W^T (+ residual)
kernels::MatmulArgs mm(const float* x, int64_t xs, const BoundWeight& w, float* y, int64_t ys, int64_t n,
                       int64_t rows, int64_t cols, const float* res = nullptr, int64_t rs = 0) {
  return matmulArgs(x, xs, w, y, ys, n, rows, cols, res, rs);
}

float* normScratch(const CudaEntryPoint& ep) { return reinterpret_cast<float*>(ep.norm_scratch.get()); }

// rmsnorm of the step's last n input rows into the scratch, then `m` (whose
// x is the scratch); just `m` when the previous step left them there.
cudaError_t normThenMatmul(const CudaState& s, const CudaEntryPoint& ep, const BoundStep& b, int64_t t, int64_t n,
                           const kernels::MatmulArgs& m) {
  if (b.reuse_norm) return cu::matmul(s.ctx, m);
  const kernels::RmsNormArgs norm{b.in[0].last(t, n), b.in[0].stride, static_cast<const float*>(b.w[0].p),
                                  normScratch(ep), b.cols, n, b.cols, b.eps};
  return cu::rmsnormMatmul(s.ctx, norm, m);
}

cudaError_t gateUpSilu(const CudaState& s, const CudaEntryPoint& ep, const BoundStep& b, int64_t t, int64_t n) {
  const float* xn = normScratch(ep);
  float* g = reinterpret_cast<float*>(ep.mm_scratch.get());
  kernels::SwigluArgs sw;
  cudaError_t e;
  if (b.n_w == 2) {  // one fused [2 * rows, cols] weight: gate rows first
    e = normThenMatmul(s, ep, b, t, n, mm(xn, b.cols, b.w[1], g, 2 * b.rows, n, 2 * b.rows, b.cols));
    sw = kernels::SwigluArgs::fused(g, b.out.last(t, n), n, b.rows);
    sw.out_stride = b.out.stride;
  } else {
    float* u = g + ep.bound->mm_half;
    e = normThenMatmul(s, ep, b, t, n, mm(xn, b.cols, b.w[1], g, b.rows, n, b.rows, b.cols));
    if (e == cudaSuccess) e = cu::matmul(s.ctx, mm(xn, b.cols, b.w[2], u, b.rows, n, b.rows, b.cols));
    sw = {g, b.rows, u, b.rows, b.out.last(t, n), b.out.stride, n, b.rows};
  }
  return e != cudaSuccess ? e : cu::swiglu(s.ctx, sw);
}

cudaError_t attention(const CudaState& s, const CudaEntryPoint& ep, const BoundStep& b, const float* freqs,
                      int64_t t, int32_t slot, int64_t p0) {
  const auto [q, k, v, qs, ks, vs] = qkvRows(b);
  const int32_t* pos = ep.positions;
  cudaError_t e = cu::rope(s.ctx, kernels::RopeArgs{q, qs, t, b.n_heads, b.head_dim, pos, freqs});
  if (e == cudaSuccess) e = cu::rope(s.ctx, kernels::RopeArgs{k, ks, t, b.n_kv_heads, b.head_dim, pos, freqs});
  const kernels::KvCacheView& cache = s.kv_layers[size_t(b.layer)];
  if (e == cudaSuccess) e = cu::kvAppend(s.ctx, kernels::KvAppendArgs{cache, k, ks, v, vs, t, ep.slots, pos});
  if (e != cudaSuccess) return e;
  if (t == 1) {
    const kernels::AttentionDecodeArgs a{cache, q, qs, b.out.p, b.out.stride, 1, b.n_heads, ep.slots, ep.lengths,
                                         b.scale};
    return cu::attentionDecode(s.ctx, a);
  }
  const kernels::AttentionPrefillArgs a{cache, q, qs, b.out.p, b.out.stride, t, b.n_heads, slot, p0, b.scale};
  return cu::attentionPrefill(s.ctx, a);
}

}  // namespace

VoidResult enqueueSteps(const CudaState& s, const CudaEntryPoint& ep, int64_t t, int32_t slot, int64_t p0) {
  const std::vector<BoundStep>& steps = ep.bound->steps;
  for (size_t i = 0; i < steps.size(); ++i) {
    const BoundStep& b = steps[i];
    const int64_t n = b.out.rows(t);  // rows this step produces
    switch (b.kernel) {
      case K::embed:
        LAC_LAUNCH(cu::embedding(s.ctx, kernels::EmbeddingArgs{b.w[0].p, b.w[0].type, b.rows, b.cols, b.ids, t,
                                                               b.out.p, b.out.stride}));
        break;
      case K::rmsnorm:
        LAC_LAUNCH(cu::rmsnorm(s.ctx, kernels::RmsNormArgs{b.in[0].last(t, n), b.in[0].stride,
                                                           static_cast<const float*>(b.w[0].p), b.out.last(t, n),
                                                           b.out.stride, n, b.cols, b.eps}));
        break;
      case K::matmul:
        LAC_LAUNCH(cu::matmul(s.ctx, mm(b.in[0].last(t, n), b.in[0].stride, b.w[0], b.out.p, b.out.stride, n, b.rows,
                                        b.cols)));
        break;
      case K::rmsnorm_matmul:
      case K::final_norm_lm_head:
        LAC_LAUNCH(normThenMatmul(s, ep, b, t, n,
                                  mm(normScratch(ep), b.cols, b.w[1], b.out.p, b.out.stride, n, b.rows, b.cols)));
        break;
      case K::matmul_residual:
        LAC_LAUNCH(cu::matmul(s.ctx, mm(b.in[0].last(t, n), b.in[0].stride, b.w[0], b.out.p, b.out.stride, n, b.rows,
                                        b.cols, b.in[1].last(t, n), b.in[1].stride)));
        break;
      case K::rmsnorm_gate_up_silu: LAC_LAUNCH(gateUpSilu(s, ep, b, t, n)); break;
      case K::rope_kv_attention: LAC_LAUNCH(attention(s, ep, b, ep.step_freqs[i], t, slot, p0)); break;
      case K::add:
        // Rows of an activation are contiguous (stride == width, bind.cpp).
        LAC_LAUNCH(cu::add(s.ctx, b.in[0].last(t, n), b.in[1].last(t, n), b.out.last(t, n), n * b.cols));
        break;
    }
  }
  return {};
}

}  // namespace lac::engine
