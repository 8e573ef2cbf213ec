// planArena: no two buffers live at the same time overlap (brute-force
// checker over many random lifetimes), reuse actually happens, alignment.
#include "dialects/Exec/Transforms/MemoryPlanner.h"

#include <gtest/gtest.h>

#include <random>

namespace lac::exec_plan {
namespace {

TEST(MemoryPlanner, ReusesMemoryOfDeadBuffers) {
  // A chain a -> b -> c: a and c never live together, so they share memory.
  std::vector<LiveBuffer> bufs = {{256, 0, 1}, {256, 1, 2}, {256, 2, 3}};
  ArenaPlan plan = planArena(bufs);
  EXPECT_TRUE(planIsValid(bufs, plan));
  EXPECT_EQ(plan.arena_bytes, 512);
  EXPECT_EQ(plan.offsets[0], plan.offsets[2]);
}

TEST(MemoryPlanner, AlignsOffsets) {
  std::vector<LiveBuffer> bufs = {{4, 0, 5}, {100, 0, 5}, {1, 0, 5}};
  ArenaPlan plan = planArena(bufs);
  EXPECT_TRUE(planIsValid(bufs, plan));
  for (int64_t o : plan.offsets) EXPECT_EQ(o % 64, 0);
  EXPECT_EQ(plan.arena_bytes, 128 + 64 + 64);
}

TEST(MemoryPlanner, CheckerCatchesOverlap) {
  std::vector<LiveBuffer> bufs = {{128, 0, 2}, {128, 1, 3}};
  ArenaPlan bad{{0, 64}, 256};
  EXPECT_FALSE(planIsValid(bufs, bad));
  ArenaPlan unaligned{{0, 130}, 512};
  EXPECT_FALSE(planIsValid(bufs, unaligned));
}

TEST(MemoryPlanner, RandomLifetimesNeverOverlap) {
  std::mt19937 rng(1234);
  for (int trial = 0; trial < 300; ++trial) {
    const int n = 1 + static_cast<int>(rng() % 60), steps = 1 + static_cast<int>(rng() % 40);
    std::vector<LiveBuffer> bufs(n);
    int64_t total = 0;
    for (auto& b : bufs) {
      b.bytes = 64 * (1 + rng() % 16) - (rng() % 3) * 7;
      b.first = rng() % steps;
      b.last = b.first + rng() % (steps - b.first);
      total += (b.bytes + 63) / 64 * 64;
    }
    ArenaPlan plan = planArena(bufs);
    ASSERT_TRUE(planIsValid(bufs, plan)) << "trial " << trial;
    EXPECT_LE(plan.arena_bytes, total);
  }
}

}  // namespace
}  // namespace lac::exec_plan
