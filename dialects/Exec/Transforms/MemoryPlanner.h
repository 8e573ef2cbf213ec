// Arena packing for one entry point: buffers with live ranges -> offsets.
// Plain C++ (no MLIR) so the non-overlap property is unit-tested directly.
#pragma once

#include <cstdint>
#include <vector>

namespace lac::exec_plan {

// A buffer live from the step that writes it to the last step that reads it,
// both inclusive (a kernel never writes a buffer it also reads).
struct LiveBuffer {
  int64_t bytes = 0;
  int64_t first = 0;
  int64_t last = 0;
};

struct ArenaPlan {
  std::vector<int64_t> offsets;  // one per buffer, multiples of `alignment`
  int64_t arena_bytes = 0;       // end of the highest buffer
};

inline bool liveTogether(const LiveBuffer& a, const LiveBuffer& b) {
  return a.first <= b.last && b.first <= a.last;
}

// Greedy first-fit in decreasing size (ties: earlier first): each buffer goes
// at the lowest aligned offset that does not collide with an already placed
// buffer live at the same time.
ArenaPlan planArena(const std::vector<LiveBuffer>& buffers, int64_t alignment = 64);

// Brute force: true when no two buffers that are live together share a byte,
// every offset is aligned and every buffer fits in the arena.
bool planIsValid(const std::vector<LiveBuffer>& buffers, const ArenaPlan& plan, int64_t alignment = 64);

}  // namespace lac::exec_plan
