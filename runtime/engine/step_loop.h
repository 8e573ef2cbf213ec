// The per-step dispatch every engine shares: how each plan kernel is
// composed from the kernel library's calls (norm into the scratch, the
// matmul(s), SwiGLU; RoPE, KV append, attention), written once over a
// backend that supplies the kernels, the memory and the stream.
//
// A backend B provides (each kernel call returns B::Status):
//   using Status = ...;                      // what a kernel call returns
//   static bool ok(Status);
//   VoidResult fail(Status, const BoundStep&, size_t step);  // the one-line error
//   float* normScratch();  float* mmScratch();  int64_t mmHalf();
//   const float* freqs(const BoundStep&, size_t step);       // [head_dim / 2], backend memory
//   const kernels::KvCacheView& kvLayer(int layer);
//   Status embedding(const EmbeddingArgs&);   Status rmsnorm(const RmsNormArgs&);
//   Status matmul(const MatmulArgs&);
//   Status normMatmul(const RmsNormArgs* norm, const MatmulArgs&);   // norm null: x is normalized
//   Status lmHead(const RmsNormArgs* norm, const MatmulArgs&, const BoundWeight&);
//   Status swiglu(const SwigluArgs&);         Status rope(const RopeArgs&);
//   Status kvAppend(const KvAppendArgs&);
//   Status attentionDecode(const AttentionDecodeArgs&);
//   Status attentionPrefill(const AttentionPrefillArgs&);
//   Status add(const AddArgs&);
//   Status allReduce(const CollectiveArgs&);  Status allGather(const CollectiveArgs&);
//     (tensor parallel: through the engine's communicator, runtime/dist/)
// runtime/engine/execute.cpp (CPU) and runtime/engine/cuda/cuda_execute.cpp
// (CUDA) are those backends.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "runtime/core/result.h"
#include "runtime/engine/bound_step.h"

namespace lac::engine {

// One call of an entry point over t activation rows.
//   prefill: the rows are consecutive positions p0.. of one sequence in `slot`
//   decode:  the rows are t sequences, row i at its own slot and position
//            (attention reads each row's cache up to lengths[i])
// positions/slots/lengths point into the backend's memory ([t] i32 each;
// lengths only for decode).
struct StepCall {
  int64_t t = 0;
  bool decode = false;
  const int32_t* positions = nullptr;
  const int32_t* slots = nullptr;
  const int32_t* lengths = nullptr;
  int32_t slot = 0;  // prefill: the sequence's slot
  int64_t p0 = 0;    // prefill: its first position
};

// o[n, cols] = x + y (rows of the given strides).
struct AddArgs {
  const float* x;
  int64_t x_stride;
  const float* y;
  int64_t y_stride;
  float* out;
  int64_t out_stride;
  int64_t n, cols;
};

// A collective over rows [n, cols] of x (row stride xs) into y (stride
// ys): all_reduce y = the sum of every rank's x (y may be x); all_gather
// y[n, ranks * cols], each row the ranks' rows in rank order.
struct CollectiveArgs {
  const float* x;
  int64_t xs;
  float* y;
  int64_t ys;
  int64_t n, cols;
};

// Runs (or enqueues) every bound step of one call; the first failing kernel
// call stops it with the backend's error.
template <typename Backend>
VoidResult runSteps(Backend& be, std::span<const BoundStep> steps, const StepCall& c) {
  using Status = typename Backend::Status;
  const int64_t t = c.t;
  for (size_t i = 0; i < steps.size(); ++i) {
    const BoundStep& b = steps[i];
    const int64_t n = b.out.rows(t);  // rows this step produces
    // The step's input rows normalized into the scratch (null when the
    // previous step left them there).
    const kernels::RmsNormArgs norm{b.in[0].last(t, n), b.in[0].stride, static_cast<const float*>(b.w[0].p),
                                    be.normScratch(), b.cols, n, b.cols, b.eps};
    const kernels::RmsNormArgs* prologue = b.reuse_norm ? nullptr : &norm;
    Status st{};
    switch (b.kernel) {
      case plan::Kernel::embed:
        st = be.embedding(kernels::EmbeddingArgs{b.w[0].p, b.w[0].type, b.rows, b.cols, b.ids, t, b.out.p,
                                                 b.out.stride, b.w[0].layout});
        break;
      case plan::Kernel::rmsnorm:
        st = be.rmsnorm(kernels::RmsNormArgs{b.in[0].last(t, n), b.in[0].stride, static_cast<const float*>(b.w[0].p),
                                             b.out.last(t, n), b.out.stride, n, b.cols, b.eps});
        break;
      case plan::Kernel::matmul:
        st = be.matmul(matmulArgs(b.in[0].last(t, n), b.in[0].stride, b.w[0], b.out.p, b.out.stride, n, b.rows,
                                  b.cols));
        break;
      case plan::Kernel::rmsnorm_matmul:
        st = be.normMatmul(prologue, matmulArgs(be.normScratch(), b.cols, b.w[1], b.out.p, b.out.stride, n, b.rows,
                                                b.cols));
        break;
      case plan::Kernel::final_norm_lm_head:
        st = be.lmHead(prologue,
                       matmulArgs(be.normScratch(), b.cols, b.w[1], b.out.p, b.out.stride, n, b.rows, b.cols),
                       b.w[1]);
        break;
      case plan::Kernel::matmul_residual:
        st = be.matmul(matmulArgs(b.in[0].last(t, n), b.in[0].stride, b.w[0], b.out.p, b.out.stride, n, b.rows,
                                  b.cols, b.in[1].last(t, n), b.in[1].stride));
        break;
      case plan::Kernel::rmsnorm_gate_up_silu: {
        const float* xn = be.normScratch();
        float* g = be.mmScratch();
        kernels::SwigluArgs sw;
        if (b.n_w == 2) {  // one fused [2 * rows, cols] weight: gate rows first
          st = be.normMatmul(prologue, matmulArgs(xn, b.cols, b.w[1], g, 2 * b.rows, n, 2 * b.rows, b.cols));
          sw = kernels::SwigluArgs::fused(g, b.out.last(t, n), n, b.rows);
          sw.out_stride = b.out.stride;
        } else {
          float* u = g + be.mmHalf();
          st = be.normMatmul(prologue, matmulArgs(xn, b.cols, b.w[1], g, b.rows, n, b.rows, b.cols));
          if (Backend::ok(st)) st = be.matmul(matmulArgs(xn, b.cols, b.w[2], u, b.rows, n, b.rows, b.cols));
          sw = {g, b.rows, u, b.rows, b.out.last(t, n), b.out.stride, n, b.rows};
        }
        if (Backend::ok(st)) st = be.swiglu(sw);
        break;
      }
      case plan::Kernel::rope_kv_attention: {
        const auto [q, k, v, qs, ks, vs] = qkvRows(b);
        const float* freqs = be.freqs(b, i);
        const kernels::KvCacheView& cache = be.kvLayer(b.layer);
        st = be.rope(kernels::RopeArgs{q, qs, t, b.n_heads, b.head_dim, c.positions, freqs});
        if (Backend::ok(st)) st = be.rope(kernels::RopeArgs{k, ks, t, b.n_kv_heads, b.head_dim, c.positions, freqs});
        if (Backend::ok(st)) st = be.kvAppend(kernels::KvAppendArgs{cache, k, ks, v, vs, t, c.slots, c.positions});
        if (!Backend::ok(st)) break;
        if (c.decode)
          st = be.attentionDecode(kernels::AttentionDecodeArgs{cache, q, qs, b.out.p, b.out.stride, t, b.n_heads,
                                                               c.slots, c.lengths, b.scale});
        else
          st = be.attentionPrefill(kernels::AttentionPrefillArgs{cache, q, qs, b.out.p, b.out.stride, t, b.n_heads,
                                                                 c.slot, c.p0, b.scale});
        break;
      }
      case plan::Kernel::add:
        st = be.add(AddArgs{b.in[0].last(t, n), b.in[0].stride, b.in[1].last(t, n), b.in[1].stride,
                            b.out.last(t, n), b.out.stride, n, b.cols});
        break;
      case plan::Kernel::all_reduce:
      case plan::Kernel::all_gather:
      {
        const CollectiveArgs ca{b.in[0].last(t, n), b.in[0].stride, b.out.last(t, n), b.out.stride, n, b.cols};
        st = b.kernel == plan::Kernel::all_reduce ? be.allReduce(ca) : be.allGather(ca);
        break;
      }
    }
    if (!Backend::ok(st)) return be.fail(st, b, i);
  }
  return {};
}

}  // namespace lac::engine
