// cuBLASLt, loaded at run time (dlopen of libcublasLt.so.<major>) instead of
// linked: the library is ~540 MB, too big to carry to a GPU machine with
// the binaries (scripts/gpu-check.sh), and a binary that links it does not
// even start where it is missing. Without it the kernels still run: the
// f16/bf16 prefill matmuls take the f32 GEMM (matmul.cu's fallback).
#pragma once

#include <cublasLt.h>

namespace lac::kernels::cuda {

// The entry points matmul_lt.cu and context.cu call.
struct LtApi {
  decltype(&cublasLtCreate) create;
  decltype(&cublasLtDestroy) destroy;
  decltype(&cublasLtMatmulDescCreate) descCreate;
  decltype(&cublasLtMatmulDescDestroy) descDestroy;
  decltype(&cublasLtMatmulDescSetAttribute) descSetAttribute;
  decltype(&cublasLtMatrixLayoutCreate) layoutCreate;
  decltype(&cublasLtMatrixLayoutDestroy) layoutDestroy;
  decltype(&cublasLtMatmulPreferenceCreate) prefCreate;
  decltype(&cublasLtMatmulPreferenceDestroy) prefDestroy;
  decltype(&cublasLtMatmulPreferenceSetAttribute) prefSetAttribute;
  decltype(&cublasLtMatmulAlgoGetHeuristic) algoGetHeuristic;
  decltype(&cublasLtMatmul) matmul;
};

// The loaded API (loaded once, on first use; thread-safe), or null when
// the library or one of its symbols is missing.
const LtApi* ltApi();

// Why ltApi() is null ("" when it is not): the dlopen/dlsym error.
const char* ltApiError();

}  // namespace lac::kernels::cuda
