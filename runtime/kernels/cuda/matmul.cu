// matmul dispatch: GEMV for decode (n <= 8), cuBLASLt for f16/bf16 weights
// with n >= kLtMinTokens, the f32 tiled GEMM otherwise.
#include <cublasLt.h>

#include "runtime/kernels/cuda/gemm.cuh"
#include "runtime/kernels/cuda/gemv.cuh"
#include "runtime/kernels/cuda/launch.h"
#include "runtime/kernels/cuda/workspace.h"

namespace lac::kernels::cuda {

namespace {

constexpr int64_t kGemvMaxTokens = 8;
// cuBLASLt rounds x to the weight's 16-bit type (the tensor cores take both
// operands alike); below this many tokens the exact f32 GEMM is used.
constexpr int64_t kLtMinTokens = 64;

template <typename Dec, int kMaxN>
void launchGemv(const CudaContext& ctx, const MatmulArgs& a, int64_t row_bytes) {
  const int64_t groups = (a.in + Dec::kGroup - 1) / Dec::kGroup;
  const unsigned blocks = ceilDiv(a.out, kGemvWarps);
  // Split K when the rows alone leave SMs idle: aim at ~2 blocks per SM,
  // each lane keeping >= 2 groups, and the partials fitting the workspace.
  int64_t splits = 1;
  const int64_t want_blocks = 2 * static_cast<int64_t>(ctx.num_sms > 0 ? ctx.num_sms : 1);
  while (splits < kGemvMaxSplits && blocks * splits * 2 <= want_blocks &&
         groups / (splits * 2) >= 64 &&
         static_cast<size_t>(splits * 2 * a.n * a.out) * sizeof(float) <= ctx.workspace_bytes)
    splits *= 2;
  const int64_t per_split = (groups + splits - 1) / splits;
  float* part = splits > 1 ? static_cast<float*>(ctx.workspace) : nullptr;
  gemvKernel<Dec, kMaxN><<<dim3(blocks, static_cast<unsigned>(splits)), kGemvWarps * 32, 0, ctx.stream>>>(
      a.x, a.x_stride, static_cast<const uint8_t*>(a.w), row_bytes, a.y, a.y_stride, a.residual,
      a.residual_stride, static_cast<int>(a.n), a.in, a.out, per_split, part);
  if (part)
    gemvCombineKernel<<<ceilDiv(a.n * a.out, 256), 256, 0, ctx.stream>>>(
        part, static_cast<int>(splits), static_cast<int>(a.n), a.out, a.y, a.y_stride,
        a.residual, a.residual_stride);
}

template <typename Dec>
void gemv(const CudaContext& ctx, const MatmulArgs& a, int64_t row_bytes) {
  if (a.n == 1) launchGemv<Dec, 1>(ctx, a, row_bytes);
  else if (a.n == 2) launchGemv<Dec, 2>(ctx, a, row_bytes);
  else if (a.n <= 4) launchGemv<Dec, 4>(ctx, a, row_bytes);
  else launchGemv<Dec, 8>(ctx, a, row_bytes);
}

// The largest power of two <= 256 dividing both the address and the row pitch.
uint32_t alignmentOf(const void* p, int64_t pitch_bytes) {
  uint32_t a = 256;
  while (a > 1 && ((reinterpret_cast<uintptr_t>(p) % a) != 0 || pitch_bytes % a != 0)) a >>= 1;
  return a;
}

// D = W x^T in cuBLAS's column-major terms: W [out, in] row-major is a
// column-major [in, out] matrix (ld in), used transposed; x16 [n, in] is a
// column-major [in, n] (ld in); y [n, out] is a column-major [out, n] (ld
// y_stride); the residual enters as C with beta = 1.
cudaError_t ltMatmul(const CudaContext& ctx, const MatmulArgs& a) {
  const bool bf16 = a.w_type == DType::BF16;
  const size_t x_bytes = alignUp(static_cast<size_t>(a.n * a.in) * 2);
  if (!ctx.cublaslt || ctx.workspace_bytes < x_bytes + kLtWorkspaceBytes) return cudaErrorMemoryAllocation;
  auto* x16 = static_cast<uint16_t*>(ctx.workspace);
  void* lt_ws = static_cast<uint8_t*>(ctx.workspace) + x_bytes;
  const unsigned cvt_blocks = ceilDiv(a.n * a.in, 256);
  if (bf16) toHalfKernel<true><<<cvt_blocks, 256, 0, ctx.stream>>>(a.x, a.x_stride, x16, a.n, a.in);
  else toHalfKernel<false><<<cvt_blocks, 256, 0, ctx.stream>>>(a.x, a.x_stride, x16, a.n, a.in);
  if (cudaError_t e = launchError(); e != cudaSuccess) return e;

  auto handle = static_cast<cublasLtHandle_t>(ctx.cublaslt);
  const cudaDataType_t ab = bf16 ? CUDA_R_16BF : CUDA_R_16F;
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr, ld = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  cublasStatus_t st = cublasLtMatmulDescCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  const cublasOperation_t trans_a = CUBLAS_OP_T, trans_b = CUBLAS_OP_N;
  const uint64_t m = a.out, n = a.n, k = a.in;
  const int64_t res_ld = a.residual ? a.residual_stride : a.y_stride;
  if (st == CUBLAS_STATUS_SUCCESS)
    st = cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &trans_a, sizeof(trans_a));
  if (st == CUBLAS_STATUS_SUCCESS)
    st = cublasLtMatmulDescSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &trans_b, sizeof(trans_b));
  if (st == CUBLAS_STATUS_SUCCESS) st = cublasLtMatrixLayoutCreate(&la, ab, k, m, a.in);
  if (st == CUBLAS_STATUS_SUCCESS) st = cublasLtMatrixLayoutCreate(&lb, ab, k, n, a.in);
  if (st == CUBLAS_STATUS_SUCCESS) st = cublasLtMatrixLayoutCreate(&lc, CUDA_R_32F, m, n, res_ld);
  if (st == CUBLAS_STATUS_SUCCESS) st = cublasLtMatrixLayoutCreate(&ld, CUDA_R_32F, m, n, a.y_stride);
  if (st == CUBLAS_STATUS_SUCCESS) st = cublasLtMatmulPreferenceCreate(&pref);
  const size_t ws = kLtWorkspaceBytes;
  if (st == CUBLAS_STATUS_SUCCESS)
    st = cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws,
                                              sizeof(ws));
  // Tell the heuristic the real alignments (it assumes 256 bytes otherwise).
  const void* c_ptr = a.residual ? static_cast<const void*>(a.residual) : a.y;
  const uint32_t align[4] = {alignmentOf(a.w, a.in * 2), alignmentOf(x16, a.in * 2),
                             alignmentOf(c_ptr, res_ld * 4), alignmentOf(a.y, a.y_stride * 4)};
  const cublasLtMatmulPreferenceAttributes_t align_attr[4] = {
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
  for (int i = 0; i < 4 && st == CUBLAS_STATUS_SUCCESS; ++i)
    st = cublasLtMatmulPreferenceSetAttribute(pref, align_attr[i], &align[i], sizeof(align[i]));
  cublasLtMatmulHeuristicResult_t heur{};
  int found = 0;
  if (st == CUBLAS_STATUS_SUCCESS)
    st = cublasLtMatmulAlgoGetHeuristic(handle, op, la, lb, lc, ld, pref, 1, &heur, &found);
  if (st == CUBLAS_STATUS_SUCCESS && found == 0) st = CUBLAS_STATUS_NOT_SUPPORTED;
  if (st == CUBLAS_STATUS_SUCCESS) {
    const float alpha = 1.0f, beta = a.residual ? 1.0f : 0.0f;
    st = cublasLtMatmul(handle, op, &alpha, a.w, la, x16, lb, &beta, c_ptr, lc, a.y, ld, &heur.algo,
                        lt_ws, ws, ctx.stream);
  }
  if (pref) cublasLtMatmulPreferenceDestroy(pref);
  if (ld) cublasLtMatrixLayoutDestroy(ld);
  if (lc) cublasLtMatrixLayoutDestroy(lc);
  if (lb) cublasLtMatrixLayoutDestroy(lb);
  if (la) cublasLtMatrixLayoutDestroy(la);
  if (op) cublasLtMatmulDescDestroy(op);
  return st == CUBLAS_STATUS_SUCCESS ? cudaSuccess : cudaErrorNotSupported;
}

}  // namespace

cudaError_t matmul(const CudaContext& ctx, const MatmulArgs& a) {
  if (a.n == 0 || a.out == 0) return cudaSuccess;
  if (a.w_layout != WeightLayout::RowMajor) return cudaErrorNotSupported;  // x8 is the CPU's layout
  const auto row_bytes_opt = rowBytes(a.w_type, static_cast<uint64_t>(a.in));
  if (!row_bytes_opt) return cudaErrorInvalidValue;
  const int64_t row_bytes = static_cast<int64_t>(*row_bytes_opt);
  const bool vec = vectorRows(a.w_type, a.w, a.in);
  if (a.n <= kGemvMaxTokens) {
    const bool ok = withDecoder(a.w_type, vec, [&](auto dec) { gemv<decltype(dec)>(ctx, a, row_bytes); });
    return ok ? launchError() : cudaErrorInvalidValue;
  }
  if (a.n >= kLtMinTokens && (a.w_type == DType::BF16 || a.w_type == DType::F16)) {
    // Falls through to the f32 GEMM when cuBLASLt has no algorithm for it.
    if (ltMatmul(ctx, a) == cudaSuccess) return launchError();
    (void)cudaGetLastError();
  }
  const dim3 grid(ceilDiv(a.out, kTileO), ceilDiv(a.n, kTileT));
  const bool ok = withDecoder(a.w_type, vec, [&](auto dec) {
    gemmKernel<decltype(dec)><<<grid, 256, 0, ctx.stream>>>(
        a.x, a.x_stride, static_cast<const uint8_t*>(a.w), row_bytes, a.y, a.y_stride,
        a.residual, a.residual_stride, a.n, a.in, a.out);
  });
  return ok ? launchError() : cudaErrorInvalidValue;
}

}  // namespace lac::kernels::cuda
