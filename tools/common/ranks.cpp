// tools/common/ranks.h: joining the ranks of an mpirun, and which rank
// leads.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "runtime/dist/communicator.h"
#include "runtime/dist/rank_driver.h"
#include "tools/common/ranks.h"

namespace lac::tools {

namespace {

std::unique_ptr<dist::Communicator> g_world;
int g_stderr = 2;  // rank > 0: the real stderr, kept for its own failures
std::string g_tool = "lac-run";

[[noreturn]] void endAllRanks(const Status& s) {
  const std::string line = g_tool + " (rank " + std::to_string(g_world->rank()) + "): error: " + s.message + "\n";
  (void)!::write(g_stderr, line.data(), line.size());
  g_world->abortAll(exitCodeFor(s.kind));
  std::_Exit(exitCodeFor(s.kind));
}

}  // namespace

int joinRanks(const char* tool) {
  if (!dist::launchedByMpi()) return -1;
  g_tool = tool;
  auto w = dist::openMpi();
  if (!w.ok()) {
    std::fprintf(stderr, "%s: error: %s\n", tool, w.message().c_str());
    return exitCodeFor(w.error());
  }
  g_world = std::move(*w);
  if (g_world->size() == 1) {
    g_world.reset();  // mpirun -np 1: one process, as without mpirun
    return -1;
  }
  if (g_world->rank() != 0) {
    g_stderr = ::dup(2);
    if (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr))
      endAllRanks(makeError(Error::IoError, "cannot silence this rank's output"));
  }
  return -1;
}

dist::Communicator* worldComm() { return g_world.get(); }

bool leadsRanks() { return !g_world || g_world->rank() == 0; }

Result<std::unique_ptr<engine::Model>> driveRanks(Result<std::unique_ptr<engine::Model>> loaded) {
  if (!g_world) return loaded;
  if (g_world->rank() == 0) {
    if (!loaded.ok()) return loaded;  // every rank fails the same checks: rank 0 reports it
    return std::unique_ptr<engine::Model>(std::make_unique<dist::LeaderModel>(std::move(*loaded), *g_world));
  }
  if (!loaded.ok()) {
    // A check of the plan or the options fails on every rank alike and rank
    // 0 says it; this rank's own resources (memory, the file, its GPU) are
    // said here, with the rank.
    const Error k = loaded.error();
    if (k == Error::IoError || k == Error::NotFound || k == Error::Internal) endAllRanks(loaded.status());
    // Leave rank 0 the time to print it: the launcher ends every rank as
    // soon as one exits non-zero, and rank 0's exit ends this one.
    std::this_thread::sleep_for(std::chrono::seconds(10));
    std::_Exit(exitCodeFor(k));
  }
  if (auto r = dist::followLeader(**loaded, *g_world); !r.ok()) endAllRanks(r.status());
  loaded->reset();
  g_world.reset();
  std::exit(0);
}

}  // namespace lac::tools
