#include "dialects/Exec/Transforms/MemoryPlanner.h"

#include <algorithm>
#include <numeric>
#include <utility>

namespace lac::exec_plan {

namespace {
int64_t alignUp(int64_t v, int64_t a) { return (v + a - 1) / a * a; }
}  // namespace

ArenaPlan planArena(const std::vector<LiveBuffer>& buffers, int64_t alignment) {
  ArenaPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });

  std::vector<size_t> placed;
  for (size_t i : order) {
    // [offset, end) of placed buffers live together with i, by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t j : placed)
      if (liveTogether(buffers[i], buffers[j]))
        busy.emplace_back(plan.offsets[j], plan.offsets[j] + buffers[j].bytes);
    std::sort(busy.begin(), busy.end());
    int64_t offset = 0;
    for (const auto& [begin, end] : busy) {
      if (offset + buffers[i].bytes <= begin) break;  // fits in the gap below
      offset = std::max(offset, alignUp(end, alignment));
    }
    plan.offsets[i] = offset;
    plan.arena_bytes = std::max(plan.arena_bytes, alignUp(offset + buffers[i].bytes, alignment));
    placed.push_back(i);
  }
  return plan;
}

bool planIsValid(const std::vector<LiveBuffer>& buffers, const ArenaPlan& plan, int64_t alignment) {
  if (plan.offsets.size() != buffers.size()) return false;
  for (size_t i = 0; i < buffers.size(); ++i) {
    if (plan.offsets[i] < 0 || plan.offsets[i] % alignment != 0) return false;
    if (plan.offsets[i] + buffers[i].bytes > plan.arena_bytes) return false;
    for (size_t j = i + 1; j < buffers.size(); ++j) {
      if (!liveTogether(buffers[i], buffers[j]) || buffers[i].bytes == 0 || buffers[j].bytes == 0) continue;
      const bool disjoint = plan.offsets[i] + buffers[i].bytes <= plan.offsets[j] ||
                            plan.offsets[j] + buffers[j].bytes <= plan.offsets[i];
      if (!disjoint) return false;
    }
  }
  return true;
}

}  // namespace lac::exec_plan
