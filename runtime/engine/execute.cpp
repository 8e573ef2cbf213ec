// Running bound steps on the CPU: the CPU kernels as a backend of the shared
// step loop (step_loop.h).
#include <cstring>
#include <string>

#include "runtime/dist/communicator.h"
#include "runtime/engine/act_precision.h"
#include "runtime/engine/bound_step.h"
#include "runtime/engine/step_loop.h"
#include "runtime/kernels/cpu/attention.h"
#include "runtime/kernels/cpu/embedding.h"
#include "runtime/kernels/cpu/matmul.h"
#include "runtime/kernels/cpu/parallel.h"
#include "runtime/kernels/cpu/rmsnorm.h"
#include "runtime/kernels/cpu/rope.h"
#include "runtime/kernels/cpu/swiglu.h"

namespace lac::engine {

namespace {

namespace cpu = kernels::cpu;

// The CPU kernels as a step_loop.h backend: host memory, the thread pool,
// no failures. `precise` (act_precision.h): quantized matmuls keep ~15-bit
// activations in this scratch (null: plain int8).
struct CpuBackend {
  using Status = bool;
  static bool ok(Status st) { return st; }
  // Only a collective fails (another rank stopped or died).
  VoidResult fail(Status, const BoundStep&, size_t step) {
    return makeError(error.error(), "step " + std::to_string(step) + ": " + error.message());
  }

  EngineState& s;
  BoundEntryPoint& ep;
  float* precise;

  float* normScratch() { return reinterpret_cast<float*>(ep.norm_scratch.get()); }
  float* mmScratch() { return reinterpret_cast<float*>(ep.mm_scratch.get()); }
  int64_t mmHalf() { return ep.mm_half; }
  const float* freqs(const BoundStep& b, size_t) { return b.freqs.data(); }
  const kernels::KvCacheView& kvLayer(int layer) { return s.kv_layers[size_t(layer)]; }

  Status embedding(const kernels::EmbeddingArgs& a) { return cpu::embedding(s.ctx, a), true; }
  Status rmsnorm(const kernels::RmsNormArgs& a) { return cpu::rmsnorm(s.ctx, a), true; }
  Status matmul(const kernels::MatmulArgs& a) {
    if (precise && dtypeInfo(a.w_type).quantized) matmulPrecise(s.ctx, a, precise);
    else cpu::matmul(s.ctx, a);
    return true;
  }
  Status normMatmul(const kernels::RmsNormArgs* norm, const kernels::MatmulArgs& a) {
    if (norm) cpu::rmsnorm(s.ctx, *norm);
    return matmul(a);
  }
  // The quantized lm_head's top logits re-scored as exact f32 dot products.
  Status lmHead(const kernels::RmsNormArgs* norm, const kernels::MatmulArgs& a, const BoundWeight& w) {
    normMatmul(norm, a);
    if (dtypeInfo(w.type).quantized)
      rescoreTopLogits(s.ctx, a.x, a.x_stride, w, a.y, a.y_stride, a.n, a.out, a.in,
                       reinterpret_cast<float*>(ep.act_scratch.get()));
    return true;
  }
  Status swiglu(const kernels::SwigluArgs& a) { return cpu::swiglu(s.ctx, a), true; }
  Status rope(const kernels::RopeArgs& a) { return cpu::rope(s.ctx, a), true; }
  Status kvAppend(const kernels::KvAppendArgs& a) { return cpu::kvAppend(s.ctx, a), true; }
  Status attentionDecode(const kernels::AttentionDecodeArgs& a) { return cpu::attentionDecode(s.ctx, a), true; }
  Status attentionPrefill(const kernels::AttentionPrefillArgs& a) { return cpu::attentionPrefill(s.ctx, a), true; }
  // Tensor parallel (runtime/dist/): dense rows, checked at bind.
  Status allReduce(const CollectiveArgs& a) {
    if (a.y != a.x)
      for (int64_t r = 0; r < a.n; ++r) std::memcpy(a.y + r * a.ys, a.x + r * a.xs, size_t(a.cols) * sizeof(float));
    if (a.ys == a.cols) return done(s.comm->allReduceSum(a.y, a.n * a.cols));
    for (int64_t r = 0; r < a.n; ++r)
      if (!done(s.comm->allReduceSum(a.y + r * a.ys, a.cols))) return false;
    return true;
  }
  Status allGather(const CollectiveArgs& a) {
    const int64_t ranks = s.comm->size(), per = a.n * a.cols;  // [ranks][n][cols], then row by row
    s.gathered.resize(size_t(ranks * per));
    if (!done(s.comm->allGather(a.x, s.gathered.data(), per))) return false;
    for (int64_t r = 0; r < ranks; ++r)
      for (int64_t i = 0; i < a.n; ++i)
        std::memcpy(a.y + i * a.ys + r * a.cols, s.gathered.data() + r * per + i * a.cols,
                    size_t(a.cols) * sizeof(float));
    return true;
  }
  bool done(VoidResult r) {
    if (!r.ok()) error = std::move(r);
    return error.ok();
  }
  VoidResult error;

  Status add(const AddArgs& a) {
    cpu::parallelRows(s.ctx, a.n, 1, [&](int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r)
        for (int64_t j = 0; j < a.cols; ++j)
          a.out[r * a.out_stride + j] = a.x[r * a.x_stride + j] + a.y[r * a.y_stride + j];
    });
    return true;
  }
};

}  // namespace

VoidResult execute(EngineState& s, BoundEntryPoint& ep, const StepCall& call, bool precise) {
  CpuBackend be{s, ep, precise ? reinterpret_cast<float*>(ep.act_scratch.get()) : nullptr, {}};
  return runSteps(be, ep.steps, call);
}

}  // namespace lac::engine
