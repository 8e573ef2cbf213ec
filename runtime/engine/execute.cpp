// Running bound steps: one kernel call (or a short fixed sequence) per step.
#include "runtime/engine/act_precision.h"
#include "runtime/engine/bound_step.h"
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
using K = plan::Kernel;

// Per call: where quantized matmuls keep ~15-bit activations (null: plain
// int8; act_precision.h).
struct Run {
  const EngineState& s;
  BoundEntryPoint& ep;
  float* precise;  // ep.act_scratch in precise mode, else null
};

// y[n, rows] = x[n, cols] . W^T (+ residual)
void matmul(const Run& r, const float* x, int64_t xs, const BoundWeight& w, float* y, int64_t ys, int64_t n,
            int64_t rows, int64_t cols, const float* res = nullptr, int64_t rs = 0) {
  const kernels::MatmulArgs a = matmulArgs(x, xs, w, y, ys, n, rows, cols, res, rs);
  if (r.precise && dtypeInfo(w.type).quantized) matmulPrecise(r.s.ctx, a, r.precise);
  else cpu::matmul(r.s.ctx, a);
}

void rmsnorm(const cpu::CpuContext& ctx, const float* x, int64_t xs, const float* w, float* y, int64_t ys,
             int64_t n, int64_t dim, float eps) {
  cpu::rmsnorm(ctx, kernels::RmsNormArgs{x, xs, w, y, ys, n, dim, eps});
}

// Normalizes the step's last n input rows into the scratch [n, cols] (unless
// the previous step left them there); returns the scratch.
const float* normInput(const EngineState& s, BoundEntryPoint& ep, const BoundStep& b, int64_t t, int64_t n) {
  float* xn = reinterpret_cast<float*>(ep.norm_scratch.get());
  if (!b.reuse_norm)
    rmsnorm(s.ctx, b.in[0].last(t, n), b.in[0].stride, static_cast<const float*>(b.w[0].p), xn, b.cols, n, b.cols,
            b.eps);
  return xn;
}

void gateUpSilu(const Run& r, const BoundStep& b, int64_t t, int64_t n) {
  const EngineState& s = r.s;
  BoundEntryPoint& ep = r.ep;
  const float* xn = normInput(s, ep, b, t, n);
  float* g = reinterpret_cast<float*>(ep.mm_scratch.get());
  kernels::SwigluArgs sw;
  if (b.n_w == 2) {  // one fused [2 * rows, cols] weight: gate rows first
    matmul(r, xn, b.cols, b.w[1], g, 2 * b.rows, n, 2 * b.rows, b.cols);
    sw = kernels::SwigluArgs::fused(g, b.out.last(t, n), n, b.rows);
    sw.out_stride = b.out.stride;
  } else {
    float* u = g + ep.mm_half;
    matmul(r, xn, b.cols, b.w[1], g, b.rows, n, b.rows, b.cols);
    matmul(r, xn, b.cols, b.w[2], u, b.rows, n, b.rows, b.cols);
    sw = {g, b.rows, u, b.rows, b.out.last(t, n), b.out.stride, n, b.rows};
  }
  cpu::swiglu(s.ctx, sw);
}

void attention(const EngineState& s, BoundEntryPoint& ep, const BoundStep& b, int64_t t, int32_t slot) {
  const auto [q, k, v, qs, ks, vs] = qkvRows(b);
  const int32_t* pos = ep.positions;
  cpu::rope(s.ctx, kernels::RopeArgs{q, qs, t, b.n_heads, b.head_dim, pos, b.freqs.data()});
  cpu::rope(s.ctx, kernels::RopeArgs{k, ks, t, b.n_kv_heads, b.head_dim, pos, b.freqs.data()});
  const kernels::KvCacheView& cache = s.kv_layers[size_t(b.layer)];
  int32_t* slots = ep.slot_ids.data();
  for (int64_t i = 0; i < t; ++i) slots[i] = slot;
  cpu::kvAppend(s.ctx, kernels::KvAppendArgs{cache, k, ks, v, vs, t, slots, pos});
  if (t == 1) {
    const int32_t length = pos[0] + 1;
    kernels::AttentionDecodeArgs a{cache, q, qs, b.out.p, b.out.stride, 1, b.n_heads, slots, &length, b.scale};
    cpu::attentionDecode(s.ctx, a);
  } else {
    kernels::AttentionPrefillArgs a{cache, q, qs, b.out.p, b.out.stride, t, b.n_heads, slot, pos[0], b.scale};
    cpu::attentionPrefill(s.ctx, a);
  }
}

void add(const EngineState& s, const BoundStep& b, int64_t t, int64_t n) {
  const float* x = b.in[0].last(t, n);
  const float* y = b.in[1].last(t, n);
  float* o = b.out.last(t, n);
  const int64_t xs = b.in[0].stride, ys = b.in[1].stride, os = b.out.stride, c = b.cols;
  cpu::parallelRows(s.ctx, n, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r)
      for (int64_t j = 0; j < c; ++j) o[r * os + j] = x[r * xs + j] + y[r * ys + j];
  });
}

}  // namespace

void execute(const EngineState& s, BoundEntryPoint& ep, int64_t t, int32_t slot, bool precise) {
  const Run r{s, ep, precise ? reinterpret_cast<float*>(ep.act_scratch.get()) : nullptr};
  for (const BoundStep& b : ep.steps) {
    const int64_t n = b.out.rows(t);  // rows this step produces
    switch (b.kernel) {
      case K::embed: {
        kernels::EmbeddingArgs a{b.w[0].p, b.w[0].type, b.rows, b.cols, b.ids, t, b.out.p, b.out.stride,
                                 b.w[0].layout};
        cpu::embedding(s.ctx, a);
        break;
      }
      case K::rmsnorm:
        rmsnorm(s.ctx, b.in[0].last(t, n), b.in[0].stride, static_cast<const float*>(b.w[0].p), b.out.last(t, n),
                b.out.stride, n, b.cols, b.eps);
        break;
      case K::matmul:
        matmul(r, b.in[0].last(t, n), b.in[0].stride, b.w[0], b.out.p, b.out.stride, n, b.rows, b.cols);
        break;
      case K::rmsnorm_matmul:
        matmul(r, normInput(s, ep, b, t, n), b.cols, b.w[1], b.out.p, b.out.stride, n, b.rows, b.cols);
        break;
      case K::final_norm_lm_head: {
        const float* xn = normInput(s, ep, b, t, n);
        matmul(r, xn, b.cols, b.w[1], b.out.p, b.out.stride, n, b.rows, b.cols);
        if (dtypeInfo(b.w[1].type).quantized)
          rescoreTopLogits(s.ctx, xn, b.cols, b.w[1], b.out.p, b.out.stride, n, b.rows, b.cols,
                           reinterpret_cast<float*>(ep.act_scratch.get()));
        break;
      }
      case K::matmul_residual:
        matmul(r, b.in[0].last(t, n), b.in[0].stride, b.w[0], b.out.p, b.out.stride, n, b.rows, b.cols,
               b.in[1].last(t, n), b.in[1].stride);
        break;
      case K::rmsnorm_gate_up_silu: gateUpSilu(r, b, t, n); break;
      case K::rope_kv_attention: attention(s, ep, b, t, slot); break;
      case K::add: add(s, b, t, n); break;
    }
  }
}

}  // namespace lac::engine
