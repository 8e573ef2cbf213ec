// libFuzzer entry point for the artifact loader: Artifact::fromBytes over
// arbitrary bytes must refuse with an error, never crash, hang or read out of
// bounds. Each input runs twice: as is (the header checks), and with the
// header's plan checksum recomputed so that mutated plans get past the
// checksum into the flatbuffer verifier and the semantic validation.
// A plan that loads is then walked the way an engine would walk it.
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/checksum.h"

namespace {

using namespace lac::artifact;
namespace plan = lac::plan;

#define FUZZ_ASSERT(cond) \
  do {                    \
    if (!(cond)) __builtin_trap(); \
  } while (0)

// What validation promises: every id in range, every buffer in its arena.
void walk(const Artifact& a) {
  const plan::Plan& p = a.plan();
  const uint32_t n_weights = p.weights() ? p.weights()->size() : 0;
  for (uint32_t i = 0; i < n_weights; ++i) {
    std::span<const uint8_t> w = a.weightBytes(i);
    FUZZ_ASSERT(w.empty() || w.size() == p.weights()->Get(i)->blob()->bytes());
    FUZZ_ASSERT(w.empty() || reinterpret_cast<uintptr_t>(w.data()) % kWeightAlignment == 0);
  }
  if (p.entry_points() == nullptr) return;
  for (const plan::EntryPoint* e : *p.entry_points()) {
    const uint32_t n_buffers = e->buffers() ? e->buffers()->size() : 0;
    for (uint32_t b = 0; b < n_buffers; ++b) {
      const plan::Buffer* buf = e->buffers()->Get(b);
      FUZZ_ASSERT(buf->offset() + buf->bytes() <= e->arena_bytes());
    }
    if (e->steps() == nullptr) continue;
    for (const plan::Step* s : *e->steps()) {
      if (s->inputs()) for (uint32_t id : *s->inputs()) FUZZ_ASSERT(id < n_buffers);
      if (s->outputs()) for (uint32_t id : *s->outputs()) FUZZ_ASSERT(id < n_buffers);
      if (s->weights()) for (uint32_t id : *s->weights()) FUZZ_ASSERT(id < n_weights);
    }
  }
  (void)a.verifyWeights();
}

void tryLoad(const uint8_t* bytes, size_t size) {
  OpenOptions opts;
  opts.weights_dir = "/nonexistent-lac-fuzz";  // never open files named by the input
  auto a = Artifact::fromBytes({bytes, size}, nullptr, "fuzz.lac", opts);
  if (a.ok()) walk(*a);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // fromBytes wants 64-byte aligned bytes, as a mapped file is.
  size_t cap = (size + 63) / 64 * 64 + 64;
  std::unique_ptr<uint8_t, decltype(&std::free)> buf(static_cast<uint8_t*>(std::aligned_alloc(64, cap)), std::free);
  if (size > 0) std::memcpy(buf.get(), data, size);
  tryLoad(buf.get(), size);

  if (size < kHeaderBytes) return 0;
  Header h;
  std::memcpy(&h, buf.get(), sizeof h);
  if (h.plan_offset > size || h.plan_bytes > size - h.plan_offset) return 0;
  uint64_t sum = xxh64({buf.get() + h.plan_offset, static_cast<size_t>(h.plan_bytes)});
  if (sum == h.plan_checksum) return 0;  // already tried
  h.plan_checksum = sum;
  std::memcpy(buf.get(), &h, sizeof h);
  tryLoad(buf.get(), size);
  return 0;
}
