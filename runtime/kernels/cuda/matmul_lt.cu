// matmul's cuBLASLt path (matmul_lt.h): x in 16 bits (normalized on the
// way for rmsnorm_matmul), then cublasLtMatmul with the algorithm the
// heuristic chose for this shape the first time it was seen.
#include <array>
#include <map>
#include <tuple>

#include "runtime/kernels/cuda/gemm.cuh"
#include "runtime/kernels/cuda/lt_api.h"
#include "runtime/kernels/cuda/matmul_lt.h"
#include "runtime/kernels/cuda/workspace.h"

namespace lac::kernels::cuda {

namespace {

// Everything the heuristic is given: sizes, leading dimensions, types,
// beta != 0, and the operands' alignments.
struct LtKey {
  uint64_t m, n, k;
  int64_t y_ld, c_ld;
  bool bf16, residual;
  std::array<uint32_t, 4> align;
  bool operator<(const LtKey& o) const {
    return std::tie(m, n, k, y_ld, c_ld, bf16, residual, align) <
           std::tie(o.m, o.n, o.k, o.y_ld, o.c_ld, o.bf16, o.residual, o.align);
  }
};
struct LtAlgo {
  bool found = false;  // false: cuBLASLt has none (the caller's GEMM runs)
  cublasLtMatmulAlgo_t algo{};
};
using LtAlgoCache = std::map<LtKey, LtAlgo>;

// The largest power of two <= 256 dividing both the address and the row pitch.
uint32_t alignmentOf(const void* p, int64_t pitch_bytes) {
  uint32_t a = 256;
  while (a > 1 && ((reinterpret_cast<uintptr_t>(p) % a) != 0 || pitch_bytes % a != 0)) a >>= 1;
  return a;
}

}  // namespace

// D = W x^T in cuBLAS's column-major terms: W [out, in] row-major is a
// column-major [in, out] matrix (ld in), used transposed; x16 [n, in] is a
// column-major [in, n] (ld in); y [n, out] is a column-major [out, n] (ld
// y_stride); the residual enters as C with beta = 1.
cudaError_t ltMatmul(const CudaContext& ctx, const MatmulArgs& a, const XNorm& norm) {
  const bool bf16 = a.w_type == DType::BF16;
  const size_t x_bytes = alignUp(static_cast<size_t>(a.n * a.in) * 2);
  if (!ctx.cublaslt || !ctx.lt_algos || ctx.workspace_bytes < x_bytes + kLtWorkspaceBytes) return cudaErrorMemoryAllocation;
  auto* x16 = static_cast<uint16_t*>(ctx.workspace);
  void* lt_ws = static_cast<uint8_t*>(ctx.workspace) + x_bytes;
  if (norm.w) {  // one block per row: the norm and the rounding in one pass
    const unsigned rows = static_cast<unsigned>(a.n);
    if (bf16) normToHalfKernel<true><<<rows, 256, 0, ctx.stream>>>(a.x, a.x_stride, x16, a.in, norm);
    else normToHalfKernel<false><<<rows, 256, 0, ctx.stream>>>(a.x, a.x_stride, x16, a.in, norm);
  } else {
    const unsigned cvt_blocks = ceilDiv(a.n * a.in, 256);
    if (bf16) toHalfKernel<true><<<cvt_blocks, 256, 0, ctx.stream>>>(a.x, a.x_stride, x16, a.n, a.in);
    else toHalfKernel<false><<<cvt_blocks, 256, 0, ctx.stream>>>(a.x, a.x_stride, x16, a.n, a.in);
  }
  if (cudaError_t e = launchError(); e != cudaSuccess) return e;

  const LtApi& lt = *ltApi();  // non-null: ctx.cublaslt was made with it
  auto handle = static_cast<cublasLtHandle_t>(ctx.cublaslt);
  const cudaDataType_t ab = bf16 ? CUDA_R_16BF : CUDA_R_16F;
  cublasLtMatmulDesc_t op = nullptr;
  cublasLtMatrixLayout_t la = nullptr, lb = nullptr, lc = nullptr, ld = nullptr;
  cublasLtMatmulPreference_t pref = nullptr;
  cublasStatus_t st = lt.descCreate(&op, CUBLAS_COMPUTE_32F, CUDA_R_32F);
  const cublasOperation_t trans_a = CUBLAS_OP_T, trans_b = CUBLAS_OP_N;
  const uint64_t m = a.out, n = a.n, k = a.in;
  const int64_t res_ld = a.residual ? a.residual_stride : a.y_stride;
  if (st == CUBLAS_STATUS_SUCCESS)
    st = lt.descSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSA, &trans_a, sizeof(trans_a));
  if (st == CUBLAS_STATUS_SUCCESS)
    st = lt.descSetAttribute(op, CUBLASLT_MATMUL_DESC_TRANSB, &trans_b, sizeof(trans_b));
  if (st == CUBLAS_STATUS_SUCCESS) st = lt.layoutCreate(&la, ab, k, m, a.in);
  if (st == CUBLAS_STATUS_SUCCESS) st = lt.layoutCreate(&lb, ab, k, n, a.in);
  if (st == CUBLAS_STATUS_SUCCESS) st = lt.layoutCreate(&lc, CUDA_R_32F, m, n, res_ld);
  if (st == CUBLAS_STATUS_SUCCESS) st = lt.layoutCreate(&ld, CUDA_R_32F, m, n, a.y_stride);
  if (st == CUBLAS_STATUS_SUCCESS) st = lt.prefCreate(&pref);
  const size_t ws = kLtWorkspaceBytes;
  if (st == CUBLAS_STATUS_SUCCESS)
    st = lt.prefSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws,
                                              sizeof(ws));
  // Tell the heuristic the real alignments (it assumes 256 bytes otherwise).
  const void* c_ptr = a.residual ? static_cast<const void*>(a.residual) : a.y;
  const uint32_t align[4] = {alignmentOf(a.w, a.in * 2), alignmentOf(x16, a.in * 2),
                             alignmentOf(c_ptr, res_ld * 4), alignmentOf(a.y, a.y_stride * 4)};
  const cublasLtMatmulPreferenceAttributes_t align_attr[4] = {
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_A_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_B_BYTES,
      CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_C_BYTES, CUBLASLT_MATMUL_PREF_MIN_ALIGNMENT_D_BYTES};
  for (int i = 0; i < 4 && st == CUBLAS_STATUS_SUCCESS; ++i)
    st = lt.prefSetAttribute(pref, align_attr[i], &align[i], sizeof(align[i]));
  // The heuristic once per shape: its answer depends only on the key.
  auto& cache = *static_cast<LtAlgoCache*>(ctx.lt_algos);
  const LtKey key{m, n, k, a.y_stride, res_ld, bf16, a.residual != nullptr, {align[0], align[1], align[2], align[3]}};
  auto it = cache.find(key);
  if (st == CUBLAS_STATUS_SUCCESS && it == cache.end()) {
    cublasLtMatmulHeuristicResult_t heur{};
    int found = 0;
    st = lt.algoGetHeuristic(handle, op, la, lb, lc, ld, pref, 1, &heur, &found);
    if (st == CUBLAS_STATUS_SUCCESS) it = cache.emplace(key, LtAlgo{found > 0, heur.algo}).first;
  }
  if (st == CUBLAS_STATUS_SUCCESS && !it->second.found) st = CUBLAS_STATUS_NOT_SUPPORTED;
  if (st == CUBLAS_STATUS_SUCCESS) {
    const float alpha = 1.0f, beta = a.residual ? 1.0f : 0.0f;
    st = lt.matmul(handle, op, &alpha, a.w, la, x16, lb, &beta, c_ptr, lc, a.y, ld, &it->second.algo,
                        lt_ws, ws, ctx.stream);
  }
  if (pref) lt.prefDestroy(pref);
  if (ld) lt.layoutDestroy(ld);
  if (lc) lt.layoutDestroy(lc);
  if (lb) lt.layoutDestroy(lb);
  if (la) lt.layoutDestroy(la);
  if (op) lt.descDestroy(op);
  return st == CUBLAS_STATUS_SUCCESS ? cudaSuccess : cudaErrorNotSupported;
}


void* createLtAlgoCache() { return new LtAlgoCache(); }
void destroyLtAlgoCache(void* cache) { delete static_cast<LtAlgoCache*>(cache); }

}  // namespace lac::kernels::cuda
