#include "runtime/core/thread_pool.h"

#include <algorithm>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace lac {

namespace {

// Before sleeping a waiting thread spins (long enough to bridge the gap
// between two kernels of one decode step), then yields its core a few times
// (so an oversubscribed machine still makes progress), then sleeps.
constexpr int kSpinIterations = 4000;
constexpr int kYieldIterations = 16;

inline void cpuRelax() {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

// Spins then yields until done() holds or the budget is spent; returns done().
template <typename Done>
bool spinThenYield(Done&& done) {
  for (int i = 0; i < kSpinIterations; ++i) {
    if (done()) return true;
    cpuRelax();
  }
  for (int i = 0; i < kYieldIterations; ++i) {
    if (done()) return true;
    std::this_thread::yield();
  }
  return done();
}


}  // namespace

ThreadPool::ThreadPool(int n_threads) {
  if (n_threads <= 0) n_threads = static_cast<int>(std::thread::hardware_concurrency());
  if (n_threads <= 0) n_threads = 1;
  n_threads_ = n_threads;
  workers_.reserve(n_threads_ - 1);
  for (int t = 1; t < n_threads_; ++t) workers_.emplace_back([this, t] { workerLoop(t); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_relaxed);
  generation_.fetch_add(2, std::memory_order_seq_cst);  // stays even: a "job" every worker sees
  generation_.notify_all();
  for (auto& w : workers_) w.join();
}

// ---- the calling thread -----------------------------------------------------

void ThreadPool::run(int64_t n, Trampoline call, void* ctx) {
  if (n <= 0) return;
  if (n_threads_ == 1 || n == 1) {
    call(ctx, 0, n, 0);
    return;
  }
  // Retire the previous job: an odd generation keeps late workers out of it
  // (they re-check after entering), then wait for those inside to leave.
  // seq_cst on both sides (Dekker): either we see a worker's in_job_
  // increment or it sees the odd generation.
  const uint32_t g = generation_.load(std::memory_order_relaxed);  // even: only this thread changes it
  generation_.store(g + 1, std::memory_order_seq_cst);
  if (in_job_.load(std::memory_order_seq_cst) != 0)
    spinThenYield([&] { return in_job_.load(std::memory_order_seq_cst) == 0; });
  while (in_job_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();

  job_call_ = call;
  job_ctx_ = ctx;
  job_n_ = n;
  job_chunks_ = static_cast<int32_t>(std::min<int64_t>(n, int64_t(n_threads_) * kChunksPerThread));
  next_chunk_.store(0, std::memory_order_relaxed);
  done_chunks_.store(0, std::memory_order_relaxed);
  // Publish; the seq_cst store then seq_cst load of sleeping_workers_ pairs
  // with the worker's increment-then-recheck: either we see the sleeper or it
  // sees the new generation.
  generation_.store(g + 2, std::memory_order_seq_cst);
  if (sleeping_workers_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();

  work(0);

  const int32_t chunks = job_chunks_;
  if (spinThenYield([&] { return done_chunks_.load(std::memory_order_acquire) == chunks; })) return;
  caller_asleep_.store(1, std::memory_order_seq_cst);
  for (;;) {
    int32_t d = done_chunks_.load(std::memory_order_seq_cst);
    if (d == chunks) break;
    done_chunks_.wait(d, std::memory_order_seq_cst);
  }
  caller_asleep_.store(0, std::memory_order_relaxed);
}

void ThreadPool::work(int thread_idx) {
  const int32_t chunks = job_chunks_;
  for (;;) {
    const int32_t c = next_chunk_.fetch_add(1, std::memory_order_relaxed);
    if (c >= chunks) return;
    auto [b, e] = range(job_n_, c, chunks);
    if (b < e) job_call_(job_ctx_, b, e, thread_idx);
    // The last chunk done wakes a sleeping caller (seq_cst: pairs with the
    // caller's caller_asleep_ store then done_chunks_ load).
    if (done_chunks_.fetch_add(1, std::memory_order_seq_cst) + 1 == chunks && thread_idx != 0 &&
        caller_asleep_.load(std::memory_order_seq_cst))
      done_chunks_.notify_one();
  }
}

// ---- the workers ------------------------------------------------------------

void ThreadPool::workerLoop(int thread_idx) {
  // Generation 0 is the pool's creation: a job published before this thread
  // got to run is still seen as new.
  uint32_t seen = 0;
  for (;;) {
    // Wait for a new, published (even) generation: spin, then sleep.
    uint32_t g = seen;
    auto ready = [&] {
      g = generation_.load(std::memory_order_acquire);
      return (g & 1u) == 0 && g != seen;
    };
    if (!spinThenYield(ready)) {
      while (!ready()) {
        sleeping_workers_.fetch_add(1, std::memory_order_seq_cst);
        const uint32_t now = generation_.load(std::memory_order_seq_cst);
        if ((now & 1u) == 1 || now == seen) generation_.wait(now, std::memory_order_seq_cst);
        sleeping_workers_.fetch_sub(1, std::memory_order_relaxed);
      }
    }
    if (stop_.load(std::memory_order_relaxed)) return;

    // Enter the job, then make sure it is still the published one (the caller
    // may have begun replacing it in between).
    in_job_.fetch_add(1, std::memory_order_seq_cst);
    if (generation_.load(std::memory_order_seq_cst) != g) {
      in_job_.fetch_sub(1, std::memory_order_release);
      continue;
    }
    seen = g;
    work(thread_idx);
    in_job_.fetch_sub(1, std::memory_order_release);
  }
}

}  // namespace lac
