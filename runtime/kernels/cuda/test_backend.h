// The kernel tests' CUDA backend (runtime/kernels/cpu/test_backend.h): the
// launchers of launch.h on one test context, each followed by a stream sync
// so results can be read back at once. Unavailable ("no CUDA device") where
// cudaGetDeviceCount fails or finds none, or this binary has no kernel image
// for the device.
#pragma once

#include "runtime/kernels/cpu/test_backend.h"
#include "runtime/kernels/cuda/context.h"

namespace lac::kernels::test {

Backend cudaBackend();

// The context behind cudaBackend() (null when unavailable).
const cuda::CudaContext* cudaTestContext();

// Fails the current test (not fatally) on an error; syncs the test stream.
void cudaCheck(cudaError_t e, const char* what);

}  // namespace lac::kernels::test
