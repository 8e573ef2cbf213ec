// The CPU features a plan may require (TargetInfo.cpu_features), checked
// against the running CPU. Names follow GCC's __builtin_cpu_supports.
#pragma once

#include <string>
#include <string_view>

namespace lac::artifact {

enum class CpuFeature { Present, Absent, Unknown };

// Present/Absent on this CPU; Unknown for a name this runtime cannot check.
CpuFeature hostCpuFeature(std::string_view name);

// The names hostCpuFeature knows, comma-separated, for messages.
std::string knownCpuFeatures();

}  // namespace lac::artifact
