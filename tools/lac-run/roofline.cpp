#include "tools/lac-run/roofline.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <set>
#include <vector>

#include "runtime/core/thread_pool.h"

namespace lac::run {

DecodeTraffic decodeTraffic(const plan::Plan& p) {
  DecodeTraffic t;
  const plan::EntryPoint* ep = nullptr;
  if (p.entry_points())
    for (const plan::EntryPoint* e : *p.entry_points())
      if (!ep || e->name()->str() == "decode") ep = e;
  if (ep && ep->steps()) {
    std::set<uint32_t> seen;
    for (const plan::Step* s : *ep->steps()) {
      if (!s->weights()) continue;
      for (uint32_t w : *s->weights()) {
        if (!seen.insert(w).second) continue;
        const plan::Weight& wt = *p.weights()->Get(w);
        uint64_t bytes = wt.blob()->bytes();
        if (s->kernel() == plan::Kernel::embed && wt.shape() && wt.shape()->size() > 0 && wt.shape()->Get(0) > 0)
          bytes /= wt.shape()->Get(0);  // one row per token
        t.weight_bytes += bytes;
      }
    }
  }
  const plan::ModelConfig& c = *p.config();
  const uint64_t element = p.kv_cache() && p.kv_cache()->dtype() == plan::DType::f16 ? 2 : 4;
  // A tensor-parallel rank caches its share of the KV heads.
  t.kv_bytes_per_position =
      uint64_t(c.n_layers()) * 2 * (c.n_kv_heads() / artifact::tensorParallelOf(p)) * c.head_dim() * element;
  return t;
}

uint32_t collectivesPerDecodeStep(const plan::Plan& p) {
  uint32_t n = 0;
  if (p.entry_points())
    for (const plan::EntryPoint* e : *p.entry_points())
      if (e->name()->str() == "decode" && e->steps())
        for (const plan::Step* s : *e->steps())
          n += s->kernel() == plan::Kernel::all_reduce || s->kernel() == plan::Kernel::all_gather;
  return n;
}

namespace {

// Sums n words with independent accumulators (the loads, not the adds, bound it).
uint64_t sumWords(const uint64_t* p, int64_t n) {
  uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    a0 += p[i];
    a1 += p[i + 1];
    a2 += p[i + 2];
    a3 += p[i + 3];
  }
  for (; i < n; ++i) a0 += p[i];
  return a0 + a1 + a2 + a3;
}

}  // namespace

volatile uint64_t g_read_sink = 0;

double measureReadBandwidth(int threads, uint64_t bytes, int passes) {
  const int64_t words = int64_t(bytes / sizeof(uint64_t));
  std::vector<uint64_t> buf(size_t(words), 1);  // written: every page is backed
  ThreadPool pool(threads);
  std::vector<uint64_t> sink(size_t(pool.size()) * 8, 0);  // one cache line per thread
  double best = 0;
  for (int r = 0; r < passes + 1; ++r) {  // the first pass warms up
    const auto t0 = std::chrono::steady_clock::now();
    pool.parallelFor(words, [&](int64_t b, int64_t e, int t) { sink[size_t(t) * 8] += sumWords(&buf[b], e - b); });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (r > 0) best = std::max(best, double(bytes) / s / 1e9);
  }
  uint64_t total = 0;
  for (uint64_t x : sink) total += x;
  g_read_sink = total;  // the sums are used: the reads cannot be dropped
  return best;
}

}  // namespace lac::run
