#include "runtime/kernels/cpu/isa.h"

#include <cstdlib>
#include <cstring>

#if defined(__x86_64__)
#include <cpuid.h>
#endif

#include "runtime/core/thread_pool.h"

namespace lac::kernels::cpu {

std::string_view isaName(Isa isa) {
  switch (isa) {
    case Isa::Scalar: return "scalar";
    case Isa::Avx2: return "avx2";
    case Isa::Avx512: return "avx512";
  }
  return "?";
}

namespace {

Isa hardwareIsa() {
#if LAC_KERNELS_X86
  __builtin_cpu_init();
  // F16C by CPUID leaf 1 (clang's __builtin_cpu_supports lacks "f16c").
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  bool f16c = __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
  bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && f16c;
  if (!avx2) return Isa::Scalar;
  bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512vnni");
  return avx512 ? Isa::Avx512 : Isa::Avx2;
#else
  return Isa::Scalar;
#endif
}

Isa computeIsa() {
  Isa isa = hardwareIsa();
  const char* env = std::getenv("LAC_CPU_ISA");
  if (env == nullptr) return isa;
  Isa cap = isa;
  if (std::strcmp(env, "scalar") == 0) cap = Isa::Scalar;
  else if (std::strcmp(env, "avx2") == 0) cap = Isa::Avx2;
  return cap < isa ? cap : isa;
}

}  // namespace

Isa detectIsa() {
  static const Isa isa = computeIsa();
  return isa;
}

int CpuContext::threads() const { return pool ? pool->size() : 1; }

}  // namespace lac::kernels::cpu
