// A persistent pool of worker threads for the CPU kernels.
//
//   ThreadPool pool(4);                        // 3 workers + the calling thread
//   pool.parallelFor(n, [&](int64_t begin, int64_t end, int thread) { ... });
//
// parallelFor splits [0, n) into at most kChunksPerThread x size() contiguous,
// nearly equal chunks and returns when all are done. Threads (the caller
// included) claim chunks from a shared counter, so a thread the OS has not
// scheduled (a busy machine) leaves its share to the others instead of
// holding up the call; `thread` is the index of the thread running the chunk
// (for per-thread scratch). The threads are fixed at creation.
//
// Cost per call: no allocation, no lock. Workers wait on an atomic generation
// counter: they spin briefly (a decode step issues many small calls in a row),
// then sleep on a futex (std::atomic::wait); the caller only issues a wake-up
// syscall when some worker is asleep. The caller waits for the last chunk the
// same way.
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

  // Chunks per thread: enough that the others can take over the share of a
  // thread that is not running, few enough that claiming stays cheap.
  static constexpr int kChunksPerThread = 4;

  // Chunk c of [0, n) split into `chunks` pieces.
  static std::pair<int64_t, int64_t> range(int64_t n, int64_t c, int64_t chunks) {
    return {n * c / chunks, n * (c + 1) / chunks};
  }

 private:
  using Trampoline = void (*)(void* ctx, int64_t begin, int64_t end, int thread);

  void run(int64_t n, Trampoline call, void* ctx);
  void workerLoop(int thread_idx);
  // Claims and runs chunks of the current job until none are left.
  void work(int thread_idx);

  int n_threads_;
  std::vector<std::thread> workers_;

  // The current job: written by the caller only while no worker is inside a
  // job (generation_ odd, in_job_ 0), published by the store of the next even
  // generation.
  Trampoline job_call_ = nullptr;
  void* job_ctx_ = nullptr;
  int64_t job_n_ = 0;
  int32_t job_chunks_ = 0;

  // Even: a job is published (or none yet); odd: the caller is replacing it.
  alignas(64) std::atomic<uint32_t> generation_{0};
  alignas(64) std::atomic<int32_t> next_chunk_{0};
  alignas(64) std::atomic<int32_t> done_chunks_{0};
  alignas(64) std::atomic<int32_t> in_job_{0};  // workers that entered the current job and have not left
  alignas(64) std::atomic<int32_t> sleeping_workers_{0};
  alignas(64) std::atomic<uint32_t> caller_asleep_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace lac
