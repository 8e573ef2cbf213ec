// lac-dist-check MODE: the communicator's behaviour across real ranks, for
// ctest to run under mpirun (runtime/dist/CMakeLists.txt).
//   collectives  all-reduce, all-gather and broadcast values checked on every
//                rank, at several sizes and roots; exit 0 when all agree
//   timeout      rank 0 all-reduces, the others never join: rank 0 must fail
//                after LAC_TP_TIMEOUT_S with the timeout message and end
//                every rank (a hang fails the ctest timeout)
//   dies         rank 1 exits at once: the launcher must end rank 0, which
//                is waiting in a collective (again, never a hang)
//   nccl         `collectives` over NCCL, one GPU per rank (the local rank),
//                on CUDA managed memory; only in a build with NCCL, run by
//                scripts/gpu-tp-check.sh on a machine with several GPUs
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runtime/dist/communicator.h"

#if LAC_HAVE_NCCL
#include <cuda_runtime.h>
#endif

using lac::dist::Communicator;

namespace {

int failures = 0;

// The collectives' buffers: host memory for MPI, CUDA managed memory (both
// the host and the GPU read it) for NCCL.
bool managed = false;

struct Buf {
  float* p = nullptr;
  explicit Buf(int64_t n, float fill) {
#if LAC_HAVE_NCCL
    if (managed) {
      if (cudaMallocManaged(&p, size_t(n) * sizeof(float)) != cudaSuccess) {
        std::fprintf(stderr, "lac-dist-check: cudaMallocManaged of %lld floats failed\n", (long long)n);
        std::exit(1);
      }
    }
#endif
    if (!p) p = new float[size_t(n)];
    for (int64_t i = 0; i < n; ++i) p[i] = fill;
  }
  ~Buf() {
#if LAC_HAVE_NCCL
    if (managed) {
      cudaFree(p);
      return;
    }
#endif
    delete[] p;
  }
  Buf(const Buf&) = delete;
  Buf& operator=(const Buf&) = delete;
  float& operator[](int64_t i) { return p[i]; }
};

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
    Buf x(n, 0.0f);
    for (int64_t i = 0; i < n; ++i) x[i] = float(r * 1000 + i % 1000);
    must(c.allReduceSum(x.p, n), c);
    bool same = true;
    for (int64_t i = 0; i < n; ++i) same &= x[i] == float(1000 * p * (p - 1) / 2 + p * (i % 1000));
    expect(same, c, "all-reduce sum of " + std::to_string(n));
    // all-gather: rank k's block of -(k + 1), in rank order.
    Buf mine(n, -float(r + 1)), all(n * p, 0.0f);
    must(c.allGather(mine.p, all.p, n), c);
    bool ordered = true;
    for (int64_t i = 0; i < n * p; ++i) ordered &= all[i] == -float(i / n + 1);
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
  Buf v(1, 0.0f);
  for (int i = 0; i < 2000; ++i) {
    v[0] = 1.0f;
    must(c.allReduceSum(v.p, 1), c);
    acc += v[0];
  }
  expect(acc == float(2000 * p), c, "2000 one-element all-reduces");
  must(c.barrier(), c);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "collectives";
  if (mode == "timeout") setenv("LAC_TP_TIMEOUT_S", "1", 1);
  int devices = 0;  // nccl: GPUs on this host; a rank takes its local rank's
  if (mode == "nccl") {
#if LAC_HAVE_NCCL
    if (cudaGetDeviceCount(&devices) != cudaSuccess) devices = 0;
#endif
    if (devices == 0) {
      std::fprintf(stderr, "lac-dist-check: nccl needs a build with NCCL and a CUDA device on every rank\n");
      return 2;
    }
    managed = true;
  }
  auto opened = managed ? lac::dist::openNccl(lac::dist::localRank() % devices, nullptr) : lac::dist::openMpi();
  if (!opened.ok()) {
    std::fprintf(stderr, "lac-dist-check: %s\n", opened.message().c_str());
    return lac::exitCodeFor(opened.error());
  }
  Communicator& c = **opened;
  if (mode == "collectives" || mode == "nccl") {
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
  std::fprintf(stderr, "lac-dist-check: unknown mode '%s' (collectives, timeout, dies, nccl)\n", mode.c_str());
  return 2;
}
