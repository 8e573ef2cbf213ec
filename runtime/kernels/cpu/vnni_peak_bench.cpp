// The ceiling the int8 matmul tiles are measured against: one core's peak
// rate of `vpdpbusd zmm` (64 u8 x s8 multiply-adds each), from 12
// independent accumulator chains, so neither latency nor memory limits it.
// Part of lac_kernels_bench ("items" = multiply-adds):
//
//   build/runtime/kernels/lac_kernels_bench --benchmark_filter=vnni_peak
//
// docs/BENCHMARKS.md compares prefill's multiply-adds per second to it.
#include <benchmark/benchmark.h>

#include "runtime/kernels/cpu/isa.h"

// GCC 12's AVX-512 intrinsics start from _mm512_undefined_*() (a self-
// initialized variable), which its uninitialized-use warnings report.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#if LAC_KERNELS_X86
#include <immintrin.h>

namespace lac::kernels::cpu {
namespace {

constexpr int kChains = 12;
constexpr int64_t kRounds = 1 << 20;  // per benchmark iteration

// kRounds x kChains vpdpbusd; the sum of the accumulators (keeps them live).
LAC_TARGET_AVX512 __attribute__((noinline)) int spin(int8_t a_byte, int8_t b_byte) {
  __m512i a = _mm512_set1_epi8(a_byte), b = _mm512_set1_epi8(b_byte);
  __m512i acc[kChains];
  for (auto& x : acc) x = _mm512_setzero_si512();
  for (int64_t i = 0; i < kRounds; ++i) {
#pragma GCC unroll 12
    for (int k = 0; k < kChains; ++k) acc[k] = _mm512_dpbusd_epi32(acc[k], a, b);
    __asm__ volatile("" : "+v"(a));  // a new operand each round: no hoisting
  }
  int sum = 0;
  for (auto& x : acc) sum += _mm512_reduce_add_epi32(x);
  return sum;
}

void vnniPeak(benchmark::State& state) {
  if (detectIsa() < Isa::Avx512) {
    state.SkipWithError("needs AVX-512 VNNI");
    return;
  }
  for (auto _ : state) benchmark::DoNotOptimize(spin(1, 1));
  state.SetItemsProcessed(state.iterations() * kRounds * kChains * 64);
}
BENCHMARK(vnniPeak)->Name("vnni_peak")->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace lac::kernels::cpu
#endif  // LAC_KERNELS_X86
