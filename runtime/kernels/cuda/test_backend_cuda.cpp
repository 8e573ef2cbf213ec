#include "runtime/kernels/cuda/test_backend.h"

#include <cuda_runtime_api.h>

#include "runtime/kernels/cuda/launch.h"

namespace lac::kernels::test {

namespace {

constexpr size_t kTestWorkspace = size_t{256} << 20;

struct CudaState {
  bool ok = false;
  std::string why;
  cuda::CudaContext ctx;
};

CudaState& state() {
  static CudaState s = [] {
    CudaState st;
    int count = 0;
    if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
      (void)cudaGetLastError();
      st.why = "no CUDA device";
      return st;
    }
    if (cudaError_t e = cuda::checkDeviceSupported(); e != cudaSuccess) {
      st.why = std::string("no kernel image for this CUDA device: ") + cudaGetErrorString(e);
      return st;
    }
    if (cudaError_t e = cuda::createContext(&st.ctx, kTestWorkspace); e != cudaSuccess) {
      st.why = std::string("CUDA context: ") + cudaGetErrorString(e);
      return st;
    }
    st.ok = true;
    return st;
  }();
  return s;
}

void expectOk(cudaError_t e, const char* what) {
  if (e != cudaSuccess) ADD_FAILURE() << what << ": " << cudaGetErrorString(e);
}

template <typename Args, cudaError_t (*Launch)(const cuda::CudaContext&, const Args&)>
void run(const Backend&, const Args& a) {
  cudaCheck(Launch(state().ctx, a), "launch");
}

}  // namespace

const cuda::CudaContext* cudaTestContext() { return state().ok ? &state().ctx : nullptr; }

void cudaCheck(cudaError_t e, const char* what) {
  expectOk(e, what);
  expectOk(cudaStreamSynchronize(state().ctx.stream), what);
}

Backend cudaBackend() {
  Backend b;
  b.name = "cuda";
  b.available = state().ok;
  b.why_unavailable = state().why;
  b.x8_layouts = false;  // the x8 layouts are the CPU matmul's; CUDA plans are row_major
  b.state = &state().ctx;
  // Plain cudaMemcpy runs on the legacy stream, which does not order with
  // the non-blocking test stream: sync the device around every copy.
  b.alloc = [](size_t n) {
    void* p = nullptr;
    expectOk(cudaMalloc(&p, n), "cudaMalloc");
    return p;
  };
  b.release = [](void* p) {
    expectOk(cudaDeviceSynchronize(), "sync");
    expectOk(cudaFree(p), "cudaFree");
  };
  b.toDevice = [](void* d, const void* s, size_t n) {
    expectOk(cudaDeviceSynchronize(), "sync");
    expectOk(cudaMemcpy(d, s, n, cudaMemcpyHostToDevice), "cudaMemcpy to device");
    expectOk(cudaDeviceSynchronize(), "sync");
  };
  b.toHost = [](void* d, const void* s, size_t n) {
    expectOk(cudaDeviceSynchronize(), "sync");
    expectOk(cudaMemcpy(d, s, n, cudaMemcpyDeviceToHost), "cudaMemcpy to host");
  };
  b.embedding = run<EmbeddingArgs, cuda::embedding>;
  b.rmsnorm = run<RmsNormArgs, cuda::rmsnorm>;
  b.matmul = run<MatmulArgs, cuda::matmul>;
  b.rope = run<RopeArgs, cuda::rope>;
  b.kvAppend = run<KvAppendArgs, cuda::kvAppend>;
  b.attentionPrefill = run<AttentionPrefillArgs, cuda::attentionPrefill>;
  b.attentionDecode = run<AttentionDecodeArgs, cuda::attentionDecode>;
  b.swiglu = run<SwigluArgs, cuda::swiglu>;
  return b;
}

}  // namespace lac::kernels::test
