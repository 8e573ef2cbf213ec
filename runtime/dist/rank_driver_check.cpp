// lac-rank-driver-check: rank_driver.h across real ranks, for ctest under
// mpirun. Every rank loads the same tiny model (unsharded: this checks the
// driving, not the slicing); rank 0 drives two prompts of different
// lengths, batched greedy decode and a call the engine refuses through a
// LeaderModel, the others followLeader(). Then each rank runs one more
// decode step on its own: if every follower's KV cache went through the
// same calls as rank 0's, the logits agree bit for bit on every rank.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "runtime/dist/communicator.h"
#include "runtime/dist/rank_driver.h"
#include "runtime/engine/cpu_engine.h"
#include "runtime/engine/tiny_plan.h"

namespace {

using namespace lac;

int fail(dist::Communicator& c, const std::string& what) {
  std::fprintf(stderr, "lac-rank-driver-check (rank %d of %d): %s\n", c.rank(), c.size(), what.c_str());
  c.abortAll(1);
  return 1;
}

int32_t argmax(std::span<const float> row) {
  return int32_t(std::max_element(row.begin(), row.end()) - row.begin());
}

uint64_t fnv(std::span<const float> x) {
  uint64_t h = 1469598103934665603ull;
  for (float f : x) {
    uint32_t b;
    std::memcpy(&b, &f, 4);
    h = (h ^ b) * 1099511628211ull;
  }
  return h;
}

}  // namespace

int main(int argc, char** argv) {
  auto opened = dist::openMpi();
  if (!opened.ok()) {
    std::fprintf(stderr, "lac-rank-driver-check: %s\n", opened.message().c_str());
    return 1;
  }
  dist::Communicator& c = **opened;
  const std::string dir = argc > 1 ? argv[1] : "/tmp";
  const std::string path = dir + "/rank-driver-check." + std::to_string(c.rank()) + ".lac";
  engine::testing::TinyPlanOptions to;
  if (auto w = engine::testing::writeTinyArtifact(path, engine::testing::makeTinyModel(7), to); !w.ok())
    return fail(c, w.message());
  engine::EngineOptions eo;
  eo.threads = 1;
  auto loaded = engine::CpuEngine::load(path, eo);
  std::remove(path.c_str());
  if (!loaded.ok()) return fail(c, loaded.message());
  engine::Model& e = **loaded;

  // The calls rank 0 drives; the tokens after the prompts are its greedy picks.
  std::vector<uint32_t> slots{0, 1}, pos{0, 0};
  std::vector<int32_t> next{0, 0};
  uint64_t led = 0, followed = 0;
  if (c.rank() == 0) {
    dist::LeaderModel lead(e, c);
    const std::vector<int32_t> a{1, 5, 9, 12, 3, 7, 30, 2, 11, 4, 8}, b{6, 2, 40};  // a: longer than a prefill chunk
    auto la = lead.prefill(0, a, 0);
    if (!la.ok()) return fail(c, la.message());
    next[0] = argmax(*la);
    auto lb = lead.prefill(1, b, 0);
    if (!lb.ok()) return fail(c, lb.message());
    next[1] = argmax(*lb);
    pos = {uint32_t(a.size()), uint32_t(b.size())};
    led = 2;
    for (int step = 0; step < 6; ++step, ++led) {
      auto l = lead.decode(slots, next, pos);
      if (!l.ok()) return fail(c, l.message());
      for (size_t i = 0; i < 2; ++i) {
        next[i] = argmax(l->subspan(i * 50, 50));
        ++pos[i];
      }
    }
    const std::vector<uint32_t> bad_slot{9};  // refused on every rank alike
    if (lead.decode(bad_slot, std::vector<int32_t>{1}, std::vector<uint32_t>{0}).error() != Error::InvalidArgument)
      return fail(c, "a decode in slot 9 was not refused");
    ++led;
    if (auto f = lead.finish(); !f.ok()) return fail(c, f.message());
  } else {
    if (auto f = dist::followLeader(e, c, &followed); !f.ok()) return fail(c, f.message());
  }
  // Every rank: the next tokens and positions from rank 0, one local step.
  std::vector<int32_t> state(6);
  std::copy(next.begin(), next.end(), state.begin());
  state[2] = int32_t(pos[0]);
  state[3] = int32_t(pos[1]);
  state[4] = int32_t(led);
  if (auto r = c.broadcast(state.data(), int64_t(state.size() * 4), 0); !r.ok()) return fail(c, r.message());
  if (c.rank() != 0 && followed != uint64_t(state[4]))
    return fail(c, "followed " + std::to_string(followed) + " calls, rank 0 made " + std::to_string(state[4]));
  auto last = e.decode(slots, std::vector<int32_t>{state[0], state[1]},
                       std::vector<uint32_t>{uint32_t(state[2]), uint32_t(state[3])});
  if (!last.ok()) return fail(c, last.message());
  const uint64_t mine = fnv(*last);
  std::vector<float> hashes(size_t(2 * c.size()));
  float two[2];
  std::memcpy(two, &mine, 8);
  if (auto r = c.allGather(two, hashes.data(), 2); !r.ok()) return fail(c, r.message());
  for (int k = 0; k < c.size(); ++k)
    if (std::memcmp(&hashes[size_t(2 * k)], two, 8) != 0)
      return fail(c, "rank " + std::to_string(k) + "'s logits differ from this rank's after the driven calls");
  std::printf("rank %d of %d: %llu calls in step, logits identical on every rank\n", c.rank(), c.size(),
              (unsigned long long)(c.rank() == 0 ? led : followed));
  return 0;
}
