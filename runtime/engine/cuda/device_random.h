// Random weights on the device for --no-weights plans (random_weights.cu).
#pragma once

#include <cuda_runtime_api.h>

#include <cstdint>

#include "runtime/artifact/plan.h"

namespace lac::engine {

// Fills each weight of the plan at device_base + blob.offset with
// deterministic random values of its format, enqueued on `stream` (the CPU
// engine's distribution: norms ~1, matrices ~U(-1, 1)/sqrt(cols); not the
// same values).
cudaError_t fillRandomWeightsOnDevice(const plan::Plan& p, uint8_t* device_base, uint64_t seed, cudaStream_t stream);

}  // namespace lac::engine
