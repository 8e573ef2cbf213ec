// lac-run and lac-serve under mpirun (tensor parallelism, runtime/dist/):
// every rank runs the same command line. Options are parsed and the
// artifact opened on every rank alike; then rank 0 goes on (tokenizing,
// sampling, printing or serving) over a LeaderModel, and every other rank
// loads its own slice of the weights and follows rank 0's engine calls
// (runtime/dist/rank_driver.h) until rank 0 is done, then exits 0. Ranks
// other than 0 print nothing but their own failures, prefixed with their
// rank; a failure on any rank ends every rank (MPI_Abort), never a hang.
#pragma once

#include <memory>

#include "runtime/core/result.h"
#include "runtime/engine/model.h"

namespace lac::dist {
class Communicator;
}

namespace lac::tools {

// First thing in main: under mpirun (and friends) with several ranks, joins
// them (ranks > 0 go quiet). Returns an exit code when that fails (after
// printing "TOOL: error: ..."), else -1.
int joinRanks(const char* tool);
// This run's communicator; null for one process.
dist::Communicator* worldComm();
// Whether this process serves the user: one process, or rank 0.
bool leadsRanks();
// The engine as generation should see it: as is for one process; on rank 0
// a LeaderModel that makes every rank run each call; on the others never
// returns (they follow rank 0, then exit).
Result<std::unique_ptr<engine::Model>> driveRanks(Result<std::unique_ptr<engine::Model>> loaded);

}  // namespace lac::tools
