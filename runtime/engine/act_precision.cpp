#include "runtime/engine/act_precision.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "runtime/kernels/cpu/dequant.h"
#include "runtime/kernels/cpu/pack_x8.h"
#include "runtime/kernels/cpu/matmul.h"
#include "runtime/kernels/cpu/parallel.h"
#include "runtime/kernels/cpu/quantize_act.h"

namespace lac::engine {

namespace cpu = kernels::cpu;

void matmulPrecise(const cpu::CpuContext& ctx, const kernels::MatmulArgs& a, float* scratch) {
  cpu::matmul(ctx, a);  // y = W.Q(x) (+ residual)
  // r[n, in] = x - Q(x), with the kernel's own quantizer.
  cpu::parallelRows(ctx, a.n, 4, [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) cpu::quantizeActResidualRow(ctx.isa, a.x + t * a.x_stride, a.in, scratch + t * a.in);
  });
  kernels::MatmulArgs b = a;  // y += W.Q(r)
  b.x = scratch;
  b.x_stride = a.in;
  b.residual = a.y;
  b.residual_stride = a.y_stride;
  cpu::matmul(ctx, b);
}

void rescoreTopLogits(const cpu::CpuContext& ctx, const float* x, int64_t xs, const BoundWeight& w, float* y,
                      int64_t ys, int64_t n, int64_t rows, int64_t cols, float* scratch) {
  const uint64_t row_bytes = rowBytes(w.type, uint64_t(cols)).value_or(0);
  if (row_bytes == 0) return;
  // The kRescoreMax largest logits within the margin, as a min-heap: one
  // compare per row once it is full (a flat distribution, e.g. random
  // weights, puts thousands of rows within the margin).
  thread_local std::vector<std::pair<float, int64_t>> cand;
  const auto smaller_first = [](const std::pair<float, int64_t>& p, const std::pair<float, int64_t>& q) {
    return p.first > q.first;
  };
  thread_local std::vector<uint8_t> row_buf;  // one row-major row of an x8 weight
  for (int64_t t = 0; t < n; ++t) {
    float* logits = y + t * ys;
    const float* xt = x + t * xs;
    float top = logits[0];
    for (int64_t o = 1; o < rows; ++o) top = logits[o] > top ? logits[o] : top;
    float floor = top - kRescoreMargin;
    cand.clear();
    for (int64_t o = 0; o < rows; ++o) {
      if (!(logits[o] >= floor)) continue;
      if (int64_t(cand.size()) == kRescoreMax) {
        if (!(logits[o] > cand.front().first)) continue;
        std::pop_heap(cand.begin(), cand.end(), smaller_first);
        cand.pop_back();
      }
      cand.emplace_back(logits[o], o);
      std::push_heap(cand.begin(), cand.end(), smaller_first);
      if (int64_t(cand.size()) == kRescoreMax) floor = cand.front().first;
    }
    for (const auto& [v, o] : cand) {
      const uint8_t* row = static_cast<const uint8_t*>(w.p) + uint64_t(o) * row_bytes;
      if (w.layout == kernels::WeightLayout::X8) {  // rows interleaved by 8: gather row o's blocks first
        row_buf.resize(row_bytes);
        cpu::unpackRowX8(w.type, w.p, cols, o, row_buf.data());
        row = row_buf.data();
      }
      cpu::dequantizeRow(ctx.isa, w.type, row, scratch, cols);
      double dot = 0;  // [cols]: exact enough that only the weights' f32 values matter
      for (int64_t i = 0; i < cols; ++i) dot += double(scratch[i]) * double(xt[i]);
      logits[o] = float(dot);
    }
  }
}

}  // namespace lac::engine
