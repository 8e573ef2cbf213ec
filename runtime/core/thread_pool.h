// A persistent pool of worker threads for the CPU kernels.
//
//   ThreadPool pool(4);                        // 3 workers + the calling thread
//   pool.parallelFor(n, [&](int64_t begin, int64_t end, int thread) { ... });
//
// parallelFor splits [0, n) into size() contiguous, nearly equal ranges (range
// t goes to thread t; empty ranges are not called) and returns when all are
// done. The calling thread runs range 0. The threads are fixed at creation.
//
// Cost per call: no allocation, no lock. Workers wait on an atomic generation
// counter: they spin briefly (a decode step issues many small calls in a row),
// then sleep on a futex (std::atomic::wait); the caller only issues a wake-up
// syscall when some worker is asleep. The caller waits for completion the same
// way.
//
// One caller at a time: parallelFor is not reentrant (a range function must not
// call parallelFor on the same pool) and must not be called from two threads at
// once. The range function must not throw.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <type_traits>
#include <utility>
#include <vector>

namespace lac {

class ThreadPool {
 public:
  // n_threads counts the calling thread; 0 means std::thread::hardware_concurrency().
  explicit ThreadPool(int n_threads = 0);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return n_threads_; }

  // fn(int64_t begin, int64_t end, int thread_idx), thread_idx in [0, size()).
  template <typename Fn>
  void parallelFor(int64_t n, Fn&& fn) {
    using F = std::remove_reference_t<Fn>;
    run(n, [](void* ctx, int64_t b, int64_t e, int t) { (*static_cast<F*>(ctx))(b, e, t); },
        const_cast<void*>(static_cast<const void*>(&fn)));
  }

  // The range of [0, n) that thread t of n_threads gets.
  static std::pair<int64_t, int64_t> range(int64_t n, int t, int n_threads) {
    return {n * t / n_threads, n * (t + 1) / n_threads};
  }

 private:
  using Trampoline = void (*)(void* ctx, int64_t begin, int64_t end, int thread);

  void run(int64_t n, Trampoline call, void* ctx);
  void workerLoop(int thread_idx);
  void runRange(int thread_idx);

  int n_threads_;
  std::vector<std::thread> workers_;

  // The current job, published by the release store to generation_.
  Trampoline job_call_ = nullptr;
  void* job_ctx_ = nullptr;
  int64_t job_n_ = 0;

  alignas(64) std::atomic<uint32_t> generation_{0};
  alignas(64) std::atomic<int32_t> sleeping_workers_{0};
  alignas(64) std::atomic<int32_t> pending_{0};       // workers yet to finish the job
  alignas(64) std::atomic<uint32_t> caller_asleep_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace lac
