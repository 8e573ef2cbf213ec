// cudaError_t -> lac::Result inside the CUDA engine (never aborts).
#pragma once

#include <cuda_runtime_api.h>

#include "runtime/core/result.h"

// Returns Error::`kind` "WHAT: <cuda error name>: <description>" when `expr`
// is not cudaSuccess.
#define LAC_CUDA_OR_RETURN(expr, kind, what)                                                                 \
  do {                                                                                                       \
    const cudaError_t lac_cuda_err_ = (expr);                                                                \
    if (lac_cuda_err_ != cudaSuccess)                                                                        \
      return ::lac::makeError((kind), ::lac::formatMessage("%s: %s: %s", (what), cudaGetErrorName(lac_cuda_err_), \
                                                           cudaGetErrorString(lac_cuda_err_)));              \
  } while (0)
