// Deterministic random weights for --no-weights plans: values of the right
// format (valid GGML blocks with sane scales), so a benchmark runs real
// arithmetic at real sizes. Norm vectors ~1, matrices ~U(-1, 1)/sqrt(cols).
#include <cmath>
#include <cstring>
#include <vector>

#include "runtime/core/half.h"
#include "runtime/artifact/weight_layout.h"
#include "runtime/engine/bound_step.h"
#include "runtime/kernels/cpu/pack_x8.h"
#include "runtime/kernels/cpu/quant_blocks.h"

namespace lac::engine {

namespace {

namespace cpu = kernels::cpu;

struct SplitMix {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  float uniform() { return float(next() >> 40) / float(1 << 24) * 2.0f - 1.0f; }  // [-1, 1)
};

void fill(DType t, uint8_t* dst, uint64_t elems, uint64_t bytes, bool vector, float scale, SplitMix& rng) {
  auto value = [&] { return vector ? 1.0f + 0.1f * rng.uniform() : scale * rng.uniform(); };
  switch (t) {
    case DType::F32:
      for (uint64_t i = 0; i < elems; ++i) reinterpret_cast<float*>(dst)[i] = value();
      return;
    case DType::F16:
      for (uint64_t i = 0; i < elems; ++i) reinterpret_cast<uint16_t*>(dst)[i] = floatToF16(value());
      return;
    case DType::BF16:
      for (uint64_t i = 0; i < elems; ++i) reinterpret_cast<uint16_t*>(dst)[i] = floatToBf16(value());
      return;
    case DType::Q8_0:
      for (auto* b = reinterpret_cast<cpu::BlockQ8_0*>(dst); elems >= 32; elems -= 32, ++b) {
        b->d = floatToF16(scale / 127.0f);
        for (int8_t& q : b->qs) q = int8_t(int(rng.next() % 255) - 127);
      }
      return;
    case DType::Q4_0:
      for (auto* b = reinterpret_cast<cpu::BlockQ4_0*>(dst); elems >= 32; elems -= 32, ++b) {
        b->d = floatToF16(scale / 8.0f);
        for (uint8_t& q : b->qs) q = uint8_t(rng.next());
      }
      return;
    case DType::Q4_1:
      for (auto* b = reinterpret_cast<cpu::BlockQ4_1*>(dst); elems >= 32; elems -= 32, ++b) {
        b->d = floatToF16(2.0f * scale / 15.0f);
        b->m = floatToF16(-scale);
        for (uint8_t& q : b->qs) q = uint8_t(rng.next());
      }
      return;
    default:  // formats the CPU kernels do not take: zeros (binding refuses them)
      std::memset(dst, 0, bytes);
      return;
  }
}

}  // namespace

void fillRandomWeights(const plan::Plan& p, uint8_t* base, uint64_t seed) {
  std::memset(base, 0, p.weight_blob()->bytes());
  if (!p.weights()) return;
  for (uint32_t i = 0; i < p.weights()->size(); ++i) {
    const plan::Weight& w = *p.weights()->Get(i);
    uint64_t elems = 1, cols = 1;
    if (w.shape())
      for (uint64_t d : *w.shape()) elems *= d, cols = d;
    const bool vector = !w.shape() || w.shape()->size() < 2;
    SplitMix rng{seed * 0x100000001B3ull + i};
    const DType t = artifact::toDType(w.dtype());
    uint8_t* dst = base + w.blob()->offset();
    std::vector<uint64_t> shape;
    if (w.shape()) shape.assign(w.shape()->begin(), w.shape()->end());
    const auto layout = artifact::parseWeightLayout(w.layout() ? w.layout()->string_view() : "", t, shape);
    if (layout == kernels::WeightLayout::X8) {  // filled row-major, then interleaved
      std::vector<uint8_t> rows(w.blob()->bytes());
      fill(t, rows.data(), elems, rows.size(), vector, 1.0f / std::sqrt(float(cols)), rng);
      cpu::packX8(t, rows.data(), int64_t(shape[0]), int64_t(cols), dst);
      continue;
    }
    fill(t, dst, elems, w.blob()->bytes(), vector, 1.0f / std::sqrt(float(cols)), rng);
  }
}

}  // namespace lac::engine
