// The NCCL communicator (communicator.h): one GPU per rank. Rank 0 makes
// NCCL's unique id and broadcasts it over MPI (which also carries the host
// commands and the barrier); the collectives run on the engine's stream and
// are polled until done or the timeout, after which the NCCL communicator is
// aborted so no rank hangs in a collective whose peer died.
#include <cuda_runtime.h>
#include <nccl.h>

#include <thread>

#include "runtime/dist/communicator.h"

namespace lac::dist {

namespace {

using Clock = std::chrono::steady_clock;

class Nccl final : public Communicator {
 public:
  Nccl(std::unique_ptr<Communicator> host, ncclComm_t comm, cudaStream_t stream, bool enqueue_only,
       std::chrono::milliseconds timeout)
      : host_(std::move(host)), comm_(comm), stream_(stream), enqueue_only_(enqueue_only), timeout_(timeout) {}
  ~Nccl() override {
    if (comm_) ncclCommDestroy(comm_);
  }

  int rank() const override { return host_->rank(); }
  int size() const override { return host_->size(); }
  const char* backend() const override { return "nccl"; }

  VoidResult allReduceSum(float* x, int64_t n) override {
    return finish(ncclAllReduce(x, x, size_t(n), ncclFloat, ncclSum, comm_, stream_), "all-reduce", n);
  }
  VoidResult allGather(const float* send, float* recv, int64_t n) override {
    return finish(ncclAllGather(send, recv, size_t(n), ncclFloat, comm_, stream_), "all-gather", n);
  }
  VoidResult broadcast(void* bytes, int64_t n, int root, bool untimed) override {
    return host_->broadcast(bytes, n, root, untimed);
  }
  VoidResult barrier() override { return host_->barrier(); }
  void abortAll(int code) override {
    if (comm_) ncclCommAbort(comm_);
    comm_ = nullptr;
    host_->abortAll(code);
  }

 private:
  std::unique_ptr<Communicator> host_;  // MPI: bootstrap, commands, barrier
  ncclComm_t comm_;
  cudaStream_t stream_;
  bool enqueue_only_;
  std::chrono::milliseconds timeout_;

  std::string who() const {
    return "tensor parallel (nccl, rank " + std::to_string(rank()) + " of " + std::to_string(size()) + ")";
  }

  // Waits for the enqueued collective: polls the stream and NCCL's async
  // error until done, failed or past the timeout.
  VoidResult finish(ncclResult_t enqueued, const char* what, int64_t n) {
    LAC_CHECK_OR_RETURN(enqueued == ncclSuccess, Error::IoError, "%s: %s failed: %s", who().c_str(), what,
                        ncclGetErrorString(enqueued));
    if (enqueue_only_) return {};
    const Clock::time_point start = Clock::now();
    for (;;) {
      const cudaError_t q = cudaStreamQuery(stream_);
      if (q == cudaSuccess) return {};
      LAC_CHECK_OR_RETURN(q == cudaErrorNotReady, Error::IoError, "%s: %s failed on the GPU: %s", who().c_str(), what,
                          cudaGetErrorString(q));
      ncclResult_t async = ncclSuccess;
      ncclCommGetAsyncError(comm_, &async);
      LAC_CHECK_OR_RETURN(async == ncclSuccess || async == ncclInProgress, Error::IoError, "%s: %s failed: %s",
                          who().c_str(), what, ncclGetErrorString(async));
      LAC_CHECK_OR_RETURN(Clock::now() - start < timeout_, Error::IoError,
                          "%s: %s of %lld elements timed out after %.0f s: another rank stopped or died "
                          "(LAC_TP_TIMEOUT_S sets the limit)",
                          who().c_str(), what, (long long)n, double(timeout_.count()) / 1000.0);
      std::this_thread::yield();
    }
  }
};

}  // namespace

bool haveNccl() { return true; }

Result<std::unique_ptr<Communicator>> openNccl(int device, void* stream, bool enqueue_only,
                                               std::chrono::milliseconds timeout) {
  LAC_ASSIGN_OR_RETURN(std::unique_ptr<Communicator> host, openMpi(timeout));
  const cudaError_t set = cudaSetDevice(device);
  LAC_CHECK_OR_RETURN(set == cudaSuccess, Error::Unsupported, "tensor parallel (nccl, rank %d): CUDA device %d: %s",
                      host->rank(), device, cudaGetErrorString(set));
  ncclUniqueId id{};
  if (host->rank() == 0) {
    const ncclResult_t r = ncclGetUniqueId(&id);
    LAC_CHECK_OR_RETURN(r == ncclSuccess, Error::IoError, "tensor parallel (nccl): ncclGetUniqueId failed: %s",
                        ncclGetErrorString(r));
  }
  LAC_RETURN_IF_ERROR(host->broadcast(&id, sizeof id, 0));
  ncclComm_t comm = nullptr;
  const ncclResult_t r = ncclCommInitRank(&comm, host->size(), id, host->rank());
  LAC_CHECK_OR_RETURN(r == ncclSuccess, Error::IoError, "tensor parallel (nccl, rank %d of %d): ncclCommInitRank: %s",
                      host->rank(), host->size(), ncclGetErrorString(r));
  return std::unique_ptr<Communicator>(
      std::make_unique<Nccl>(std::move(host), comm, static_cast<cudaStream_t>(stream), enqueue_only, timeout));
}

}  // namespace lac::dist
