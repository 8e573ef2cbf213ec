// The kernel tests' view of a backend: device memory plus one function
// pointer per kernel. Test bodies are written once against this struct and
// instantiated for every backend (ggml's test-backend-ops idea); the CPU
// backends differ by instruction set and thread count, a CUDA backend adds
// one entry to allBackends() and skips where no GPU is present.
#pragma once

#include <gtest/gtest.h>

#include <cstring>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::test {

struct Backend {
  std::string name;
  bool available = true;  // false: the tests skip (CPU lacks the ISA, no GPU)
  std::string why_unavailable;  // the skip message, e.g. "no CUDA device"
  bool x8_layouts = true;  // reads the CPU's x8-interleaved weight layouts (the CUDA kernels do not)
  void* state = nullptr;  // backend-owned (CPU: the CpuContext)

  void* (*alloc)(size_t bytes) = nullptr;
  void (*release)(void* p) = nullptr;
  void (*toDevice)(void* dst, const void* src, size_t bytes) = nullptr;
  void (*toHost)(void* dst, const void* src, size_t bytes) = nullptr;

  void (*embedding)(const Backend&, const EmbeddingArgs&) = nullptr;
  void (*rmsnorm)(const Backend&, const RmsNormArgs&) = nullptr;
  void (*matmul)(const Backend&, const MatmulArgs&) = nullptr;
  void (*rope)(const Backend&, const RopeArgs&) = nullptr;
  void (*kvAppend)(const Backend&, const KvAppendArgs&) = nullptr;
  void (*attentionPrefill)(const Backend&, const AttentionPrefillArgs&) = nullptr;
  void (*attentionDecode)(const Backend&, const AttentionDecodeArgs&) = nullptr;
  void (*swiglu)(const Backend&, const SwigluArgs&) = nullptr;
};

// gtest prints a parameter with this (test names stay readable in ctest).
inline void PrintTo(const Backend& b, std::ostream* os) { *os << b.name; }

// Every backend configuration the tests run (built once, kept for the run).
const std::vector<Backend>& allBackends();

// A device buffer of n elements of T, freed with the backend.
template <typename T>
class DeviceBuffer {
 public:
  DeviceBuffer(const Backend& b, size_t n) : b_(&b), n_(n) {
    ptr_ = static_cast<T*>(b.alloc(std::max<size_t>(1, n) * sizeof(T)));
  }
  DeviceBuffer(const Backend& b, const std::vector<T>& host) : DeviceBuffer(b, host.size()) {
    upload(host);
  }
  ~DeviceBuffer() { b_->release(ptr_); }
  DeviceBuffer(const DeviceBuffer&) = delete;
  DeviceBuffer& operator=(const DeviceBuffer&) = delete;

  T* get() const { return ptr_; }
  void upload(const std::vector<T>& host) { b_->toDevice(ptr_, host.data(), n_ * sizeof(T)); }
  std::vector<T> download() const {
    std::vector<T> host(n_);
    b_->toHost(host.data(), ptr_, n_ * sizeof(T));
    return host;
  }

 private:
  const Backend* b_;
  T* ptr_;
  size_t n_;
};

// Inside a test of the x8 layouts: skips backends without them.
#define LAC_SKIP_WITHOUT_X8()                                                  \
  do {                                                                         \
    if (!GetParam().x8_layouts) GTEST_SKIP() << GetParam().name << " has no x8 weight layouts (CPU only)"; \
  } while (0)

// The parameterized fixture: skips unavailable backends.
class KernelTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (!GetParam().available)
      GTEST_SKIP() << GetParam().name << " is not available here"
                   << (GetParam().why_unavailable.empty() ? "" : ": " + GetParam().why_unavailable);
  }
  const Backend& backend() const { return GetParam(); }
};

inline std::string backendName(const ::testing::TestParamInfo<Backend>& info) {
  return info.param.name;
}

#define LAC_INSTANTIATE_KERNEL_TEST(Suite) \
  INSTANTIATE_TEST_SUITE_P(AllBackends, Suite, ::testing::ValuesIn(allBackends()), backendName)

}  // namespace lac::kernels::test
