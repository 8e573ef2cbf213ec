// What the ranks of a tensor-parallel run do together: the four collectives
// a sharded Llama needs (docs/ARCHITECTURE.md, "Tensor parallelism").
//
// Every rank holds a slice of each weight (Meta's model_parallel_size, as
// fairscale's column- and row-parallel layers split them); after the
// row-parallel matmuls (wo, w2) the ranks sum their partial outputs
// (allReduceSum), after the vocab-split lm_head they gather the logits
// (allGather), and rank 0 tells the others what to run next (broadcast).
//
// Three implementations:
//   singleRank()   one process: every collective is the identity
//   openMpi(...)   ranks started by mpirun (Open MPI), host memory
//   openNccl(...)  one GPU per rank, NCCL, its unique id bootstrapped over
//                  MPI; pointers are device memory on the engine's stream
//
// Every collective waits at most `timeout` for the other ranks (a rank that
// died or stopped answering) and then returns an error; the caller ends the
// run with abortAll(), which ends every rank, so a failure is one message and
// never a hang. Collectives are called from one thread at a time.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/core/result.h"

namespace lac::dist {

// Time this rank spent in collectives (waiting for the slowest rank
// included), over every call but the untimed broadcasts: for benchmarks.
struct CollectiveStats {
  uint64_t calls = 0;
  double seconds = 0;
};

class Communicator {
 public:
  virtual ~Communicator() = default;

  virtual int rank() const = 0;
  virtual int size() const = 0;
  // "single", "mpi", "nccl": for messages and `lac-run inspect`.
  virtual const char* backend() const = 0;

  // x[n] f32: the element-wise sum over all ranks, in place, on every rank.
  virtual VoidResult allReduceSum(float* x, int64_t n) = 0;
  // send[n] f32 from each rank -> recv[size() * n], rank r's at r * n, on
  // every rank. send and recv do not overlap.
  virtual VoidResult allGather(const float* send, float* recv, int64_t n) = 0;
  // bytes[n] from rank `root` to every rank (host memory for every backend:
  // it carries commands, not activations). `untimed`: wait as long as it
  // takes (a follower waiting for rank 0's next call, which may come after
  // an idle hour of lac-serve; if rank 0 dies, the launcher ends the job).
  virtual VoidResult broadcast(void* bytes, int64_t n, int root, bool untimed = false) = 0;
  virtual VoidResult barrier() = 0;

  virtual CollectiveStats stats() const { return {}; }

  // Ends every rank of the run with exit code `code` (MPI_Abort); returns
  // only for a single rank. Call after printing the one-line error.
  virtual void abortAll(int code) = 0;
};

// How long a collective waits for the other ranks before it fails
// (LAC_TP_TIMEOUT_S overrides: a first step that maps a large model, or a
// debugger, may need longer).
std::chrono::milliseconds collectiveTimeout();

// One process: rank 0 of 1.
std::unique_ptr<Communicator> singleRank();

// Whether this process was started by an MPI launcher (mpirun/mpiexec/srun:
// OMPI_COMM_WORLD_SIZE, PMI_SIZE or PMIX_RANK in the environment).
bool launchedByMpi();

// Whether this build has the MPI (and NCCL) backend.
bool haveMpi();
bool haveNccl();

// The MPI world this process belongs to (MPI_Init_thread on first use,
// MPI_Finalize at exit). Unsupported in a build without MPI.
Result<std::unique_ptr<Communicator>> openMpi(std::chrono::milliseconds timeout = collectiveTimeout());

// NCCL over the MPI world: rank r uses CUDA device `device` (usually the
// local rank), collectives run on `stream` (a cudaStream_t; null: the
// legacy default stream). `enqueue_only`: a collective returns once it is
// enqueued (the CUDA engine captures decode as a graph and synchronizes its
// stream itself), else it waits for the stream with the timeout.
// Unsupported in a build without CUDA or MPI.
Result<std::unique_ptr<Communicator>> openNccl(int device, void* stream, bool enqueue_only = false,
                                               std::chrono::milliseconds timeout = collectiveTimeout());

// The rank's index among the ranks on its host (OMPI_COMM_WORLD_LOCAL_RANK,
// MPI_LOCALRANKID, SLURM_LOCALID; 0 when unknown): the GPU it takes.
int localRank();

}  // namespace lac::dist
