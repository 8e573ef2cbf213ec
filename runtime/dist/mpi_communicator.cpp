// The MPI communicator (communicator.h): Open MPI's non-blocking collectives
// on a duplicate of MPI_COMM_WORLD, each polled until done or until the
// timeout, so a rank that died or stopped answering gives an error on the
// others instead of a hang.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <thread>

#include "runtime/dist/communicator.h"

namespace lac::dist {

namespace {

using Clock = std::chrono::steady_clock;

void finalizeAtExit() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

std::string mpiMessage(int code) {
  char text[MPI_MAX_ERROR_STRING];
  int len = 0;
  if (MPI_Error_string(code, text, &len) != MPI_SUCCESS) return "MPI error " + std::to_string(code);
  return std::string(text, size_t(len));
}

class Mpi final : public Communicator {
 public:
  Mpi(MPI_Comm comm, int rank, int size, std::chrono::milliseconds timeout)
      : comm_(comm), rank_(rank), size_(size), timeout_(timeout) {}
  ~Mpi() override {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (!finalized) MPI_Comm_free(&comm_);
  }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const char* backend() const override { return "mpi"; }

  VoidResult allReduceSum(float* x, int64_t n) override {
    LAC_RETURN_IF_ERROR(checkCount(n, "all-reduce"));
    MPI_Request r;
    return wait(MPI_Iallreduce(MPI_IN_PLACE, x, int(n), MPI_FLOAT, MPI_SUM, comm_, &r), r, "all-reduce", n);
  }
  VoidResult allGather(const float* send, float* recv, int64_t n) override {
    LAC_RETURN_IF_ERROR(checkCount(n * size_, "all-gather"));
    MPI_Request r;
    return wait(MPI_Iallgather(send, int(n), MPI_FLOAT, recv, int(n), MPI_FLOAT, comm_, &r), r, "all-gather", n);
  }
  VoidResult broadcast(void* bytes, int64_t n, int root, bool untimed) override {
    LAC_RETURN_IF_ERROR(checkCount(n, "broadcast"));
    MPI_Request r;
    return wait(MPI_Ibcast(bytes, int(n), MPI_BYTE, root, comm_, &r), r, "broadcast", n, untimed);
  }
  VoidResult barrier() override {
    MPI_Request r;
    return wait(MPI_Ibarrier(comm_, &r), r, "barrier", 0);
  }
  CollectiveStats stats() const override { return stats_; }
  void abortAll(int code) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, code);
    std::_Exit(code);  // MPI_Abort does not return; this is for the compiler
  }

 private:
  MPI_Comm comm_;
  int rank_, size_;
  std::chrono::milliseconds timeout_;
  CollectiveStats stats_;

  std::string who() const {
    return "tensor parallel (mpi, rank " + std::to_string(rank_) + " of " + std::to_string(size_) + ")";
  }
  VoidResult checkCount(int64_t n, const char* what) const {
    LAC_CHECK_OR_RETURN(n >= 0 && n <= INT32_MAX, Error::Unsupported, "%s: %s of %lld elements is over MPI's int count",
                        who().c_str(), what, (long long)n);
    return {};
  }

  // Polls `r` (started with return code `rc`) until it completes: a short
  // spin (the other ranks are usually microseconds away), then yields,
  // then sleeps; fails after the timeout.
  VoidResult wait(int rc, MPI_Request& r, const char* what, int64_t n, bool untimed = false) {
    LAC_CHECK_OR_RETURN(rc == MPI_SUCCESS, Error::IoError, "%s: %s failed: %s", who().c_str(), what,
                        mpiMessage(rc).c_str());
    const Clock::time_point start = Clock::now();
    for (uint64_t polls = 0;; ++polls) {
      int done = 0;
      rc = MPI_Test(&r, &done, MPI_STATUS_IGNORE);
      LAC_CHECK_OR_RETURN(rc == MPI_SUCCESS, Error::IoError, "%s: %s failed: %s", who().c_str(), what,
                          mpiMessage(rc).c_str());
      if (done) {
        if (!untimed) {
          ++stats_.calls;
          stats_.seconds += std::chrono::duration<double>(Clock::now() - start).count();
        }
        return {};
      }
      if (polls < 256) continue;
      const auto waited = Clock::now() - start;
      LAC_CHECK_OR_RETURN(untimed || waited < timeout_, Error::IoError,
                          "%s: %s of %lld elements timed out after %.0f s: another rank stopped or died "
                          "(LAC_TP_TIMEOUT_S sets the limit)",
                          who().c_str(), what, (long long)n, double(timeout_.count()) / 1000.0);
      if (waited < std::chrono::milliseconds(200)) std::this_thread::yield();
      else std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
};

}  // namespace

bool haveMpi() { return true; }

Result<std::unique_ptr<Communicator>> openMpi(std::chrono::milliseconds timeout) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) {
    int provided = 0;
    const int rc = MPI_Init_thread(nullptr, nullptr, MPI_THREAD_SERIALIZED, &provided);
    LAC_CHECK_OR_RETURN(rc == MPI_SUCCESS, Error::IoError, "tensor parallel: MPI_Init_thread failed: %s",
                        mpiMessage(rc).c_str());
    std::atexit(finalizeAtExit);
    LAC_CHECK_OR_RETURN(provided >= MPI_THREAD_SERIALIZED, Error::Unsupported,
                        "tensor parallel: this MPI library gives thread level %d; LAC needs MPI_THREAD_SERIALIZED",
                        provided);
  }
  MPI_Comm comm;
  MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  MPI_Comm_set_errhandler(comm, MPI_ERRORS_RETURN);
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  return std::unique_ptr<Communicator>(std::make_unique<Mpi>(comm, rank, size, timeout));
}

}  // namespace lac::dist
