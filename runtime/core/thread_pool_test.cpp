#include "runtime/core/thread_pool.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace lac {
namespace {

// Every index in [0, n) is visited exactly once, in ranges no larger than
// the chunking allows, for sizes around and below the thread count.
TEST(ThreadPool, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t n : {0, 1, 2, 3, 4, 7, 64, 1001}) {
      std::vector<std::atomic<int>> hits(n);
      std::atomic<int> calls{0};
      const int64_t chunks = std::min<int64_t>(n, int64_t(threads) * ThreadPool::kChunksPerThread);
      pool.parallelFor(n, [&](int64_t b, int64_t e, int t) {
        ASSERT_LT(b, e);
        ASSERT_GE(t, 0);
        ASSERT_LT(t, threads);
        if (threads > 1) {
          ASSERT_LE(e - b, (n + chunks - 1) / chunks);
        }
        calls.fetch_add(1);
        for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i)
        EXPECT_EQ(hits[i].load(), 1) << "threads=" << threads << " n=" << n << " i=" << i;
      if (n > 0) {
        EXPECT_EQ(calls.load(), threads == 1 ? 1 : chunks) << "threads=" << threads << " n=" << n;
      }
    }
  }
}

// A thread that stalls (here: sleeps in its first chunk, as a descheduled
// thread would) does not hold back the others' work: the caller takes every
// chunk that is left, and the call still waits for the stalled chunk.
TEST(ThreadPool, OthersTakeOverAStalledThreadsShare) {
  ThreadPool pool(2);
  const int64_t n = 2 * ThreadPool::kChunksPerThread;
  std::vector<std::atomic<int>> by(n);
  std::atomic<bool> stalled{false};
  const auto t0 = std::chrono::steady_clock::now();
  pool.parallelFor(n, [&](int64_t b, int64_t e, int t) {
    if (t == 1 && !stalled.exchange(true)) std::this_thread::sleep_for(std::chrono::milliseconds(300));
    // The caller holds its first chunk until the worker has stalled (or 2 s).
    while (t == 0 && !stalled.load() && std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2))
      std::this_thread::yield();
    for (int64_t i = b; i < e; ++i) by[i].store(t + 1);
  });
  int by_caller = 0;
  for (int64_t i = 0; i < n; ++i) {
    ASSERT_NE(by[i].load(), 0) << i;  // every chunk done before the call returned
    by_caller += by[i].load() == 1;
  }
  if (!stalled.load()) GTEST_SKIP() << "the worker did not run within 2 s (a busy machine)";
  EXPECT_EQ(by_caller, n - 1);  // the worker did only the chunk it stalled in
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(300));
}

// Many tiny calls back to back: the barrier must neither lose a wake-up nor
// let a call return before every range is done.
TEST(ThreadPool, ManyTinyCalls) {
  ThreadPool pool(4);
  std::vector<int64_t> slots(4, 0);
  int64_t total = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    pool.parallelFor(4, [&](int64_t b, int64_t e, int) {
      for (int64_t i = b; i < e; ++i) slots[i] += 1;
    });
    total += 4;
  }
  int64_t sum = 0;
  for (int64_t s : slots) sum += s;
  EXPECT_EQ(sum, total);
}

// Calls separated by pauses long enough for the workers to fall asleep.
TEST(ThreadPool, WakesSleepingWorkers) {
  ThreadPool pool(3);
  for (int iter = 0; iter < 5; ++iter) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    std::atomic<int64_t> sum{0};
    pool.parallelFor(300, [&](int64_t b, int64_t e, int) {
      for (int64_t i = b; i < e; ++i) sum += i;
    });
    EXPECT_EQ(sum.load(), 299 * 300 / 2);
  }
}

TEST(ThreadPool, OneThreadRunsInline) {
  ThreadPool pool(1);
  std::thread::id caller = std::this_thread::get_id();
  int calls = 0;
  pool.parallelFor(10, [&](int64_t b, int64_t e, int t) {
    EXPECT_EQ(b, 0);
    EXPECT_EQ(e, 10);
    EXPECT_EQ(t, 0);
    EXPECT_EQ(std::this_thread::get_id(), caller);
    ++calls;
  });
  EXPECT_EQ(calls, 1);
}

TEST(ThreadPool, DefaultUsesHardwareConcurrency) {
  ThreadPool pool;
  EXPECT_GE(pool.size(), 1);
  unsigned hw = std::thread::hardware_concurrency();
  if (hw > 0) {
    EXPECT_EQ(pool.size(), static_cast<int>(hw));
  }
}

TEST(ThreadPool, CreateAndDestroyRepeatedly) {
  for (int i = 0; i < 50; ++i) {
    ThreadPool pool(3);
    std::atomic<int> n{0};
    pool.parallelFor(3, [&](int64_t, int64_t, int) { n++; });
    EXPECT_EQ(n.load(), 3);
  }
}

}  // namespace
}  // namespace lac
