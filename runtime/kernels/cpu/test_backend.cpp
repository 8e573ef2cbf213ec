// The CPU backends of the kernel tests: every ISA level at 1 and at several
// threads (3 threads on 2 cores also checks uneven splits).
#include "runtime/kernels/cpu/test_backend.h"

#include <cstdlib>
#include <deque>

#include "runtime/core/thread_pool.h"
#include "runtime/kernels/cpu/attention.h"
#include "runtime/kernels/cpu/embedding.h"
#include "runtime/kernels/cpu/matmul.h"
#include "runtime/kernels/cpu/rmsnorm.h"
#include "runtime/kernels/cpu/rope.h"
#include "runtime/kernels/cpu/swiglu.h"

namespace lac::kernels::test {

#if LAC_ENABLE_CUDA
Backend cudaBackend();
#endif

namespace {

using cpu::CpuContext;
using cpu::Isa;

const CpuContext& ctxOf(const Backend& b) { return *static_cast<const CpuContext*>(b.state); }

Backend cpuBackend(Isa isa, int threads) {
  static std::deque<ThreadPool> pools;
  static std::deque<CpuContext> contexts;
  ThreadPool* pool = nullptr;
  if (threads > 1) pool = &pools.emplace_back(threads);
  contexts.push_back(CpuContext{pool, isa});

  Backend b;
  b.name = "cpu_" + std::string(cpu::isaName(isa)) + "_t" + std::to_string(threads);
  b.available = isa <= cpu::detectIsa();
  b.state = &contexts.back();
  b.alloc = [](size_t n) { return std::malloc(n); };
  b.release = [](void* p) { std::free(p); };
  b.toDevice = [](void* d, const void* s, size_t n) { std::memcpy(d, s, n); };
  b.toHost = [](void* d, const void* s, size_t n) { std::memcpy(d, s, n); };
  b.embedding = [](const Backend& b, const EmbeddingArgs& a) { cpu::embedding(ctxOf(b), a); };
  b.rmsnorm = [](const Backend& b, const RmsNormArgs& a) { cpu::rmsnorm(ctxOf(b), a); };
  b.matmul = [](const Backend& b, const MatmulArgs& a) { cpu::matmul(ctxOf(b), a); };
  b.rope = [](const Backend& b, const RopeArgs& a) { cpu::rope(ctxOf(b), a); };
  b.kvAppend = [](const Backend& b, const KvAppendArgs& a) { cpu::kvAppend(ctxOf(b), a); };
  b.attentionPrefill = [](const Backend& b, const AttentionPrefillArgs& a) {
    cpu::attentionPrefill(ctxOf(b), a);
  };
  b.attentionDecode = [](const Backend& b, const AttentionDecodeArgs& a) {
    cpu::attentionDecode(ctxOf(b), a);
  };
  b.swiglu = [](const Backend& b, const SwigluArgs& a) { cpu::swiglu(ctxOf(b), a); };
  return b;
}

}  // namespace

const std::vector<Backend>& allBackends() {
  static const std::vector<Backend> backends = [] {
    std::vector<Backend> v;
    for (int threads : {1, 3}) v.push_back(cpuBackend(Isa::Scalar, threads));
    for (int threads : {1, 2, 3}) v.push_back(cpuBackend(Isa::Avx2, threads));
    for (int threads : {1, 3}) v.push_back(cpuBackend(Isa::Avx512, threads));
#if LAC_ENABLE_CUDA
    v.push_back(cudaBackend());  // runtime/kernels/cuda/test_backend_cuda.cpp
#endif
    return v;
  }();
  return backends;
}

}  // namespace lac::kernels::test
