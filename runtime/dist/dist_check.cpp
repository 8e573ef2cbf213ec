// lac-dist-check MODE: the communicator's behaviour across real ranks, for
// ctest to run under mpirun (runtime/dist/CMakeLists.txt).
//   collectives  all-reduce, all-gather and broadcast values checked on every
//                rank, at several sizes and roots; exit 0 when all agree
//   timeout      rank 0 all-reduces, the others never join: rank 0 must fail
//                after LAC_TP_TIMEOUT_S with the timeout message and end
//                every rank (a hang fails the ctest timeout)
//   dies         rank 1 exits at once: the launcher must end rank 0, which
//                is waiting in a collective (again, never a hang)
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runtime/dist/communicator.h"

using lac::dist::Communicator;

namespace {

int failures = 0;

void expect(bool ok, const Communicator& c, const std::string& what) {
  if (ok) return;
  std::fprintf(stderr, "rank %d of %d: FAILED: %s\n", c.rank(), c.size(), what.c_str());
  ++failures;
}

void must(const lac::VoidResult& r, Communicator& c) {
  if (r.ok()) return;
  std::fprintf(stderr, "lac-dist-check: %s\n", r.message().c_str());
  c.abortAll(1);
  std::exit(1);
}

void collectives(Communicator& c) {
  const int r = c.rank(), p = c.size();
  for (int64_t n : {int64_t(1), int64_t(576), int64_t(100003)}) {
    // all-reduce: rank k contributes k * 1000 + i (exact in f32).
    std::vector<float> x(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) x[size_t(i)] = float(r * 1000 + i % 1000);
    must(c.allReduceSum(x.data(), n), c);
    bool same = true;
    for (int64_t i = 0; i < n; ++i) same &= x[size_t(i)] == float(1000 * p * (p - 1) / 2 + p * (i % 1000));
    expect(same, c, "all-reduce sum of " + std::to_string(n));
    // all-gather: rank k's block of -(k + 1), in rank order.
    std::vector<float> mine(size_t(n), -float(r + 1)), all(size_t(n * p), 0.0f);
    must(c.allGather(mine.data(), all.data(), n), c);
    bool ordered = true;
    for (int64_t i = 0; i < n * p; ++i) ordered &= all[size_t(i)] == -float(i / n + 1);
    expect(ordered, c, "all-gather of " + std::to_string(n));
  }
  for (int root : {0, p - 1}) {
    char msg[64] = {};
    if (r == root) std::snprintf(msg, sizeof msg, "step from rank %d", root);
    must(c.broadcast(msg, sizeof msg, root), c);
    expect(std::string(msg) == "step from rank " + std::to_string(root), c, "broadcast from " + std::to_string(root));
  }
  // Many small collectives in a row, as a decode step makes.
  float acc = 0;
  for (int i = 0; i < 2000; ++i) {
    float v = 1.0f;
    must(c.allReduceSum(&v, 1), c);
    acc += v;
  }
  expect(acc == float(2000 * p), c, "2000 one-element all-reduces");
  must(c.barrier(), c);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "collectives";
  if (mode == "timeout") setenv("LAC_TP_TIMEOUT_S", "1", 1);
  auto opened = lac::dist::openMpi();
  if (!opened.ok()) {
    std::fprintf(stderr, "lac-dist-check: %s\n", opened.message().c_str());
    return lac::exitCodeFor(opened.error());
  }
  Communicator& c = **opened;
  if (mode == "collectives") {
    collectives(c);
    std::printf("rank %d of %d (%s): %s\n", c.rank(), c.size(), c.backend(), failures ? "FAILED" : "ok");
    return failures ? 1 : 0;
  }
  if (mode == "timeout" || mode == "dies") {
    if (c.rank() != 0) {
      if (mode == "dies") std::_Exit(3);
      std::this_thread::sleep_for(std::chrono::seconds(60));  // never joins
      return 0;
    }
    std::vector<float> x(576, 1.0f);
    auto r = c.allReduceSum(x.data(), int64_t(x.size()));
    if (r.ok()) {
      std::fprintf(stderr, "lac-dist-check: the all-reduce completed without the other ranks\n");
      return 1;
    }
    std::fprintf(stderr, "lac-dist-check: %s\n", r.message().c_str());
    c.abortAll(lac::exitCodeFor(r.error()));
  }
  std::fprintf(stderr, "lac-dist-check: unknown mode '%s' (collectives, timeout, dies)\n", mode.c_str());
  return 2;
}
