// The backend-independent half of communicator.h: the single-rank
// communicator, the launcher's environment, and the answers of a build
// without MPI or NCCL.
#include "runtime/dist/communicator.h"

#include <cstdlib>
#include <cstring>

namespace lac::dist {

namespace {

class SingleRank final : public Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 1; }
  const char* backend() const override { return "single"; }
  VoidResult allReduceSum(float*, int64_t) override { return {}; }
  VoidResult allGather(const float* send, float* recv, int64_t n) override {
    if (send != recv && n > 0) std::memcpy(recv, send, size_t(n) * sizeof(float));
    return {};
  }
  VoidResult broadcast(void*, int64_t, int, bool) override { return {}; }
  VoidResult barrier() override { return {}; }
  void abortAll(int) override {}
};

// The first of `names` set in the environment, as an int; `fallback` if none.
int envInt(std::initializer_list<const char*> names, int fallback) {
  for (const char* n : names)
    if (const char* v = std::getenv(n); v && *v) return std::atoi(v);
  return fallback;
}

}  // namespace

std::chrono::milliseconds collectiveTimeout() {
  const char* v = std::getenv("LAC_TP_TIMEOUT_S");
  const double s = v && *v ? std::atof(v) : 0.0;
  return std::chrono::milliseconds(s > 0 ? int64_t(s * 1000) : int64_t(120'000));
}

std::unique_ptr<Communicator> singleRank() { return std::make_unique<SingleRank>(); }

bool launchedByMpi() {
  for (const char* n : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK", "MPI_LOCALNRANKS"})
    if (const char* v = std::getenv(n); v && *v) return true;
  return false;
}

int localRank() { return envInt({"OMPI_COMM_WORLD_LOCAL_RANK", "MPI_LOCALRANKID", "SLURM_LOCALID"}, 0); }

#if !LAC_HAVE_MPI
bool haveMpi() { return false; }
Result<std::unique_ptr<Communicator>> openMpi(std::chrono::milliseconds) {
  LAC_FAIL(Error::Unsupported,
           "this build has no MPI: install Open MPI (libopenmpi-dev, scripts/setup.sh) and rebuild to run under mpirun");
}
#endif

#if !LAC_HAVE_NCCL
bool haveNccl() { return false; }
Result<std::unique_ptr<Communicator>> openNccl(int, void*, bool, std::chrono::milliseconds) {
  LAC_FAIL(Error::Unsupported, "this build has no NCCL: it needs the CUDA backend and MPI (LAC_ENABLE_CUDA, libopenmpi-dev)");
}
#endif

}  // namespace lac::dist
