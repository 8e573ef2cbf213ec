#include "runtime/core/thread_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <vector>

namespace lac {
namespace {

// Every index in [0, n) is visited exactly once, by the thread the static
// split assigns, for sizes around and below the thread count.
TEST(ThreadPool, CoversEveryIndexOnce) {
  for (int threads : {1, 2, 3, 5}) {
    ThreadPool pool(threads);
    EXPECT_EQ(pool.size(), threads);
    for (int64_t n : {0, 1, 2, 3, 4, 7, 64, 1001}) {
      std::vector<std::atomic<int>> hits(n);
      std::vector<std::atomic<int>> owner(n);
      pool.parallelFor(n, [&](int64_t b, int64_t e, int t) {
        ASSERT_LT(b, e);
        ASSERT_GE(t, 0);
        ASSERT_LT(t, threads);
        for (int64_t i = b; i < e; ++i) {
          hits[i].fetch_add(1);
          owner[i].store(t);
        }
      });
      for (int64_t i = 0; i < n; ++i) {
        EXPECT_EQ(hits[i].load(), 1) << "threads=" << threads << " n=" << n << " i=" << i;
        if (n > 1) {
          auto [b, e] = ThreadPool::range(n, owner[i].load(), threads);
          EXPECT_TRUE(b <= i && i < e);
        }
      }
    }
  }
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
