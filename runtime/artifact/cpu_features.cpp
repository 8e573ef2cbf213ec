#include "runtime/artifact/cpu_features.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#define LAC_X86 1
#endif

namespace lac::artifact {

namespace {

#ifdef LAC_X86
// __builtin_cpu_supports needs a literal name, hence one lambda per feature.
#define LAC_FEATURE(name) {name, [] { return __builtin_cpu_supports(name) != 0; }}

// clang 14's __builtin_cpu_supports lacks "f16c": CPUID.1:ECX bit 29, usable
// only where the OS saves AVX state (which the "avx" check covers).
bool hasF16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  return (c & (1u << 29)) != 0 && __builtin_cpu_supports("avx");
}

struct Entry {
  std::string_view name;
  bool (*present)();
};

const Entry kFeatures[] = {
    LAC_FEATURE("sse3"),     LAC_FEATURE("ssse3"),      LAC_FEATURE("sse4.1"),     LAC_FEATURE("sse4.2"),
    LAC_FEATURE("popcnt"),   LAC_FEATURE("avx"),        LAC_FEATURE("avx2"),       LAC_FEATURE("fma"),
    {"f16c", hasF16c},       LAC_FEATURE("bmi"),        LAC_FEATURE("bmi2"),       LAC_FEATURE("avx512f"),
    LAC_FEATURE("avx512bw"), LAC_FEATURE("avx512vl"),   LAC_FEATURE("avx512dq"),   LAC_FEATURE("avx512cd"),
    LAC_FEATURE("avx512vnni"), LAC_FEATURE("avx512bf16"), LAC_FEATURE("avx512vbmi"),
};
#undef LAC_FEATURE
#else
struct Entry {
  std::string_view name;
  bool (*present)();
};
const Entry kFeatures[] = {{"", nullptr}};
#endif

}  // namespace

CpuFeature hostCpuFeature(std::string_view name) {
  for (const Entry& e : kFeatures) {
    if (e.present != nullptr && e.name == name) {
#ifdef LAC_X86
      __builtin_cpu_init();
#endif
      return e.present() ? CpuFeature::Present : CpuFeature::Absent;
    }
  }
  return CpuFeature::Unknown;
}

std::string knownCpuFeatures() {
  std::string out;
  for (const Entry& e : kFeatures) {
    if (e.present == nullptr) continue;
    if (!out.empty()) out += ", ";
    out += e.name;
  }
  return out.empty() ? "none on this architecture" : out;
}

}  // namespace lac::artifact
