// Which instruction-set path the CPU kernels take, and the context they run in.
//
// Every kernel has a plain scalar reference and fast paths compiled with
// per-function target attributes (no global -mavx2), chosen at run time from
// what the running CPU reports, so one binary runs on any x86-64 and takes
// the best path it can. Tests and benchmarks lower the level to compare paths.
#pragma once

#include <string_view>

namespace lac {
class ThreadPool;
}

namespace lac::kernels::cpu {

enum class Isa {
  Scalar,  // portable C++
  Avx2,    // AVX2 + FMA + F16C
  Avx512,  // Avx2 + AVX-512 F/BW/VL/VNNI (integer dot products with vpdpbusd)
};

std::string_view isaName(Isa isa);

// The best level this CPU supports, lowered by the environment variable
// LAC_CPU_ISA=scalar|avx2|avx512 when set (a way to step around a bad path).
Isa detectIsa();

// What the kernels run with. pool == nullptr means the calling thread only.
struct CpuContext {
  ThreadPool* pool = nullptr;
  Isa isa = detectIsa();

  int threads() const;
};

// Function attributes for the fast paths.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define LAC_KERNELS_X86 1
#define LAC_TARGET_AVX2 __attribute__((target("avx2,fma,f16c")))
#define LAC_TARGET_AVX512 \
  __attribute__((target("avx2,fma,f16c,avx512f,avx512bw,avx512vl,avx512vnni")))
#else
#define LAC_KERNELS_X86 0
#define LAC_TARGET_AVX2
#define LAC_TARGET_AVX512
#endif

}  // namespace lac::kernels::cpu
