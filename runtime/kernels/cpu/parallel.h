// Splitting a kernel's rows across the context's thread pool.
#pragma once

#include <algorithm>
#include <cstdint>

#include "runtime/core/thread_pool.h"
#include "runtime/kernels/cpu/isa.h"

namespace lac::kernels::cpu {

// Calls fn(begin, end) over [0, n) in at most ctx.threads() pieces, each at
// least `min_per_thread` long (so tiny problems stay on the calling thread).
template <typename Fn>
void parallelRows(const CpuContext& ctx, int64_t n, int64_t min_per_thread, Fn&& fn) {
  if (n <= 0) return;
  int64_t want = std::max<int64_t>(1, n / std::max<int64_t>(1, min_per_thread));
  if (ctx.pool == nullptr || ctx.pool->size() == 1 || want == 1) {
    fn(int64_t{0}, n);
    return;
  }
  if (want >= ctx.pool->size()) {
    ctx.pool->parallelFor(n, [&](int64_t b, int64_t e, int) { fn(b, e); });
    return;
  }
  // Fewer pieces than threads: the threads past `want` get empty ranges.
  ctx.pool->parallelFor(want, [&](int64_t b, int64_t e, int) { fn(b * n / want, e * n / want); });
}

}  // namespace lac::kernels::cpu
