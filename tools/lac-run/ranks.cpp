// lac-run under mpirun: every rank runs the same command line. Options are
// parsed and the artifact opened on every rank alike; then rank 0 goes on
// (tokenizing, sampling, printing) over a LeaderModel, and every other rank
// loads its own slice of the weights and follows rank 0's engine calls
// (runtime/dist/rank_driver.h) until rank 0 is done, then exits 0. Ranks
// other than 0 print nothing but their own failures, prefixed with their
// rank; a failure on any rank ends every rank (MPI_Abort), never a hang.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "runtime/dist/communicator.h"
#include "runtime/dist/rank_driver.h"
#include "tools/lac-run/common.h"

namespace lac::run {

namespace {

std::unique_ptr<dist::Communicator> g_world;
int g_stderr = 2;  // rank > 0: the real stderr, kept for its own failures

[[noreturn]] void endAllRanks(const Status& s) {
  const std::string line = "lac-run (rank " + std::to_string(g_world->rank()) + "): error: " + s.message + "\n";
  (void)!::write(g_stderr, line.data(), line.size());
  g_world->abortAll(exitCodeFor(s.kind));
  std::_Exit(exitCodeFor(s.kind));
}

}  // namespace

int joinRanks() {
  if (!dist::launchedByMpi()) return -1;
  auto w = dist::openMpi();
  if (!w.ok()) return fail(w.status());
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

Result<std::unique_ptr<engine::Model>> driveRanks(Result<std::unique_ptr<engine::Model>> loaded) {
  if (!g_world) return loaded;
  if (g_world->rank() == 0) {
    if (!loaded.ok()) return loaded;  // every rank fails the same checks: rank 0 reports it
    return std::unique_ptr<engine::Model>(std::make_unique<dist::LeaderModel>(std::move(*loaded), *g_world));
  }
  if (!loaded.ok()) {
    // The same failure as rank 0's (which prints it), unless this rank's own
    // resources failed; say it on this rank too, then end with rank 0's code.
    std::fflush(stdout);
    std::_Exit(exitCodeFor(loaded.error()));
  }
  if (auto r = dist::followLeader(**loaded, *g_world); !r.ok()) endAllRanks(r.status());
  loaded->reset();
  g_world.reset();
  std::exit(0);
}

}  // namespace lac::run
