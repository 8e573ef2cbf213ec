// GEMV throughput of the CPU matmul for SmolLM2-135M's shapes, per weight
// format, ISA path and thread count, in GB/s of weights read; and the
// quantized formats in both layouts (row_major, x8) at n = 1 (decode) and
// n = 128 tokens (prefill; also reported as GMAC/s in "items").
//
//   build/runtime/kernels/lac_kernels_bench [--benchmark_filter=q4_1]
//   build/runtime/kernels/lac_kernels_bench --benchmark_filter=layout/
//
// Each iteration multiplies by the next of several copies of the weights,
// together larger than the last-level cache, so the weights come from DRAM
// as they do in a real decode step. LAC_BENCH_HOT=1 uses one copy instead
// (weights cache-resident: the compute bound of the kernels).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "runtime/core/half.h"
#include "runtime/core/thread_pool.h"
#include "runtime/kernels/cpu/matmul.h"
#include "runtime/kernels/cpu/pack_x8.h"

namespace lac::kernels::cpu {
namespace {

constexpr size_t kColdBytes = size_t{96} << 20;

std::vector<uint8_t> randomWeights(DType t, int64_t out, int64_t in, std::mt19937& gen) {
  const int64_t row = static_cast<int64_t>(*rowBytes(t, in));
  std::vector<uint8_t> w(out * row);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_real_distribution<float> val(-0.05f, 0.05f);
  for (auto& b : w) b = static_cast<uint8_t>(byte(gen));
  // Finite scales and values (random bits could be NaNs, which are slow on some CPUs).
  const DTypeInfo& info = dtypeInfo(t);
  if (t == DType::F32) {
    auto* f = reinterpret_cast<float*>(w.data());
    for (size_t i = 0; i < w.size() / 4; ++i) f[i] = val(gen);
  } else if (t == DType::F16 || t == DType::BF16) {
    auto* h = reinterpret_cast<uint16_t*>(w.data());
    for (size_t i = 0; i < w.size() / 2; ++i) h[i] = t == DType::F16 ? floatToF16(val(gen)) : floatToBf16(val(gen));
  } else {
    for (size_t off = 0; off < w.size(); off += info.blockBytes) {
      uint16_t d = floatToF16(val(gen));
      std::memcpy(&w[off], &d, 2);
      if (t == DType::Q4_1) std::memcpy(&w[off + 2], &d, 2);
    }
  }
  return w;
}

ThreadPool* poolOf(int threads) {
  static std::deque<ThreadPool> pools;
  for (auto& p : pools)
    if (p.size() == threads) return &p;
  return &pools.emplace_back(threads);
}

void benchGemv(benchmark::State& state, DType t, int64_t out, int64_t in, Isa isa, int threads,
               WeightLayout layout = WeightLayout::RowMajor, int64_t n = 1) {
  std::mt19937 gen(1);
  const size_t bytes = static_cast<size_t>(*rowBytes(t, in)) * out;
  const bool hot = std::getenv("LAC_BENCH_HOT") != nullptr;
  const size_t copies = hot || n > 1 ? 1 : std::max<size_t>(2, kColdBytes / bytes);
  std::vector<std::vector<uint8_t>> ws;
  ws.push_back(randomWeights(t, out, in, gen));
  if (layout == WeightLayout::X8) {
    std::vector<uint8_t> packed(ws[0].size());
    packX8(t, ws[0].data(), out, in, packed.data());
    ws[0] = std::move(packed);
  }
  for (size_t c = 1; c < copies; ++c) ws.push_back(ws[0]);
  std::vector<float> x(n * in), y(n * out);
  std::uniform_real_distribution<float> val(-1.0f, 1.0f);
  for (float& v : x) v = val(gen);
  CpuContext ctx{threads > 1 ? poolOf(threads) : nullptr, isa};
  MatmulArgs a;
  a.x = x.data(); a.x_stride = in;
  a.w_type = t; a.w_layout = layout;
  a.y = y.data(); a.y_stride = out;
  a.n = n; a.in = in; a.out = out;
  size_t i = 0;
  for (auto _ : state) {
    a.w = ws[i++ % copies].data();
    matmul(ctx, a);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * bytes));
  state.SetItemsProcessed(state.iterations() * n * in * out);
}

void registerAll() {
  struct Shape {
    int64_t out, in;
  };
  const Shape shapes[] = {{576, 576}, {1536, 576}, {576, 1536}};
  const DType types[] = {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1};
  std::vector<Isa> isas = {Isa::Scalar};
  if (detectIsa() >= Isa::Avx2) isas.push_back(Isa::Avx2);
  if (detectIsa() >= Isa::Avx512) isas.push_back(Isa::Avx512);
  auto add = [](DType t, Shape s, Isa isa, int threads) {
    std::string name = "gemv/" + std::string(dtypeName(t)) + "/" + std::to_string(s.out) + "x" +
                       std::to_string(s.in) + "/" + std::string(isaName(isa)) + "/t" +
                       std::to_string(threads);
    benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) {
      benchGemv(st, t, s.out, s.in, isa, threads);
    })->UseRealTime();
  };
  for (DType t : types)
    for (Shape s : shapes)
      for (Isa isa : isas)
        for (int threads : {1, 2}) {
          if (isa == Isa::Scalar && threads > 1) continue;
          add(t, s, isa, threads);
        }
  for (Isa isa : isas)
    for (int threads : {1, 2}) {
      if (isa == Isa::Scalar && threads > 1) continue;
      add(DType::Q8_0, {49152, 576}, isa, threads);  // the tied output projection
    }

  // Layout A/B on the AVX2 path: SmolLM2's projections (q/o, fused gate_up,
  // down, tied lm_head) for decode and a 128-token prefill.
  if (detectIsa() < Isa::Avx2) return;
  const Shape model[] = {{960, 576}, {3072, 576}, {576, 1536}, {49152, 576}};
  for (DType t : {DType::Q4_1, DType::Q4_0, DType::Q8_0})
    for (Shape s : model)
      for (int64_t n : {1, 128})
        for (WeightLayout layout : {WeightLayout::RowMajor, WeightLayout::X8})
          for (int threads : {1, 2}) {
            if (s.out == 49152 && (t != DType::Q8_0 || n > 1)) continue;  // lm_head: q8_0, one token
            std::string name = "layout/" + std::string(dtypeName(t)) + "/" +
                               std::string(layout == WeightLayout::X8 ? "x8" : "row_major") + "/" +
                               std::to_string(s.out) + "x" + std::to_string(s.in) + "/n" + std::to_string(n) +
                               "/t" + std::to_string(threads);
            benchmark::RegisterBenchmark(name.c_str(), [=](benchmark::State& st) {
              benchGemv(st, t, s.out, s.in, Isa::Avx2, threads, layout, n);
            })->UseRealTime();
          }
}

}  // namespace
}  // namespace lac::kernels::cpu

int main(int argc, char** argv) {
  lac::kernels::cpu::registerAll();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
