#include "runtime/core/thread_pool.h"

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
  generation_.fetch_add(1, std::memory_order_seq_cst);
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
  job_call_ = call;
  job_ctx_ = ctx;
  job_n_ = n;
  pending_.store(n_threads_ - 1, std::memory_order_relaxed);
  // seq_cst store then seq_cst load of sleeping_workers_ pairs with the
  // worker's increment-then-recheck (Dekker): either we see the sleeper or it
  // sees the new generation.
  generation_.fetch_add(1, std::memory_order_seq_cst);
  if (sleeping_workers_.load(std::memory_order_seq_cst) > 0) generation_.notify_all();

  runRange(0);

  if (spinThenYield([&] { return pending_.load(std::memory_order_acquire) == 0; })) return;
  caller_asleep_.store(1, std::memory_order_seq_cst);
  for (;;) {
    int32_t p = pending_.load(std::memory_order_seq_cst);
    if (p == 0) break;
    pending_.wait(p, std::memory_order_seq_cst);
  }
  caller_asleep_.store(0, std::memory_order_relaxed);
}

void ThreadPool::runRange(int thread_idx) {
  auto [b, e] = range(job_n_, thread_idx, n_threads_);
  if (b < e) job_call_(job_ctx_, b, e, thread_idx);
}

// ---- the workers ------------------------------------------------------------

void ThreadPool::workerLoop(int thread_idx) {
  // Generation 0 is the pool's creation: a job published before this thread
  // got to run is still seen as new.
  uint32_t seen = 0;
  for (;;) {
    // Wait for a new generation: spin, then sleep.
    uint32_t g = seen;
    spinThenYield([&] { return (g = generation_.load(std::memory_order_acquire)) != seen; });
    while (g == seen) {
      sleeping_workers_.fetch_add(1, std::memory_order_seq_cst);
      g = generation_.load(std::memory_order_seq_cst);
      if (g == seen) generation_.wait(seen, std::memory_order_seq_cst);
      sleeping_workers_.fetch_sub(1, std::memory_order_relaxed);
      g = generation_.load(std::memory_order_acquire);
    }
    seen = g;
    if (stop_.load(std::memory_order_relaxed)) return;

    runRange(thread_idx);

    if (pending_.fetch_sub(1, std::memory_order_seq_cst) == 1 &&
        caller_asleep_.load(std::memory_order_seq_cst))
      pending_.notify_one();
  }
}

}  // namespace lac
