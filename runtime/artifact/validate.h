// Semantic validation of a plan that flatbuffers::Verifier has accepted:
// everything a runtime needs to execute the plan without further checks.
// Every index in range, every buffer inside its arena, every weight inside
// the blob and aligned, kernels known to this build, token ids below the
// vocabulary, the CPU features present. docs/FORMAT.md lists the checks.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/artifact/plan.h"
#include "runtime/core/result.h"

namespace lac::artifact {

struct ValidateOptions {
  // Check TargetInfo.cpu_features against the running CPU. The writer turns
  // it off: the machine that compiles need not be the one that runs.
  bool check_host_cpu = true;
};

// `name` (the file) prefixes every message. InvalidArtifact for an
// inconsistent plan; Unsupported for a kernel, dtype, target or CPU feature
// this build or this machine lacks.
VoidResult validatePlan(const plan::Plan& p, const std::string& name, const ValidateOptions& opts = {});

// Bytes of a row-major tensor of `shape` in `dtype` (GGML blocks along the
// last dimension); nullopt on overflow, an empty shape, or a last dimension
// that is not a whole number of blocks.
std::optional<uint64_t> denseBytes(DType dtype, const std::vector<uint64_t>& shape);

}  // namespace lac::artifact
