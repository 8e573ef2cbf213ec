// matmul dispatch: GEMV for decode (n <= 8), cuBLASLt for f16/bf16 weights
// with n >= kLtMinTokens (matmul_lt.cu), the f32 tiled GEMM otherwise; and
// rmsnormMatmul, the same with the norm fused into each path (xnorm.cuh).
#include "runtime/kernels/cuda/gemm.cuh"
#include "runtime/kernels/cuda/gemv.cuh"
#include "runtime/kernels/cuda/launch.h"
#include "runtime/kernels/cuda/matmul_lt.h"
#include "runtime/kernels/cuda/workspace.h"

namespace lac::kernels::cuda {

namespace {

constexpr int64_t kGemvMaxTokens = 8;
// cuBLASLt rounds x to the weight's 16-bit type (the tensor cores take both
// operands alike); below this many tokens the exact f32 GEMM is used.
constexpr int64_t kLtMinTokens = 64;

template <typename Dec, int kMaxN>
void launchGemv(const CudaContext& ctx, const MatmulArgs& a, int64_t row_bytes, const XNorm& norm) {
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
      a.residual_stride, static_cast<int>(a.n), a.in, a.out, per_split, part, norm);
  if (part)
    gemvCombineKernel<<<ceilDiv(a.n * a.out, 256), 256, 0, ctx.stream>>>(
        part, static_cast<int>(splits), static_cast<int>(a.n), a.out, a.y, a.y_stride,
        a.residual, a.residual_stride);
}

template <typename Dec>
void gemv(const CudaContext& ctx, const MatmulArgs& a, int64_t row_bytes, const XNorm& norm) {
  if (a.n == 1) launchGemv<Dec, 1>(ctx, a, row_bytes, norm);
  else if (a.n == 2) launchGemv<Dec, 2>(ctx, a, row_bytes, norm);
  else if (a.n <= 4) launchGemv<Dec, 4>(ctx, a, row_bytes, norm);
  else launchGemv<Dec, 8>(ctx, a, row_bytes, norm);
}

// x: a.x as given, or (norm.w) the norm's input rows normalized on the fly.
cudaError_t dispatch(const CudaContext& ctx, const MatmulArgs& a, const XNorm& norm) {
  if (a.n == 0 || a.out == 0) return cudaSuccess;
  if (a.w_layout != WeightLayout::RowMajor) return cudaErrorNotSupported;  // x8 is the CPU's layout
  const auto row_bytes_opt = rowBytes(a.w_type, static_cast<uint64_t>(a.in));
  if (!row_bytes_opt) return cudaErrorInvalidValue;
  const int64_t row_bytes = static_cast<int64_t>(*row_bytes_opt);
  const bool vec = vectorRows(a.w_type, a.w, a.in);
  if (a.n <= kGemvMaxTokens) {
    const bool ok = withDecoder(a.w_type, vec, [&](auto dec) { gemv<decltype(dec)>(ctx, a, row_bytes, norm); });
    return ok ? launchError() : cudaErrorInvalidValue;
  }
  MatmulArgs g = a;
  XNorm gn = norm;
  if (a.n >= kLtMinTokens && (a.w_type == DType::BF16 || a.w_type == DType::F16)) {
    const cudaError_t e = ltMatmul(ctx, a, norm);
    if (e == cudaSuccess) return launchError();
    // No cuBLASLt algorithm: the f32 GEMM, on the rows the conversion
    // already normalized into norm.y (it runs unless the workspace is short).
    (void)cudaGetLastError();
    if (norm.w && e != cudaErrorMemoryAllocation) {
      g.x = norm.y;
      g.x_stride = norm.y_stride;
      gn = XNorm{};
    }
  }
  const dim3 grid(ceilDiv(g.out, kTileO), ceilDiv(g.n, kTileT));
  const bool ok = withDecoder(g.w_type, vec, [&](auto dec) {
    gemmKernel<decltype(dec)><<<grid, 256, 0, ctx.stream>>>(
        g.x, g.x_stride, static_cast<const uint8_t*>(g.w), row_bytes, g.y, g.y_stride,
        g.residual, g.residual_stride, g.n, g.in, g.out, gn);
  });
  return ok ? launchError() : cudaErrorInvalidValue;
}

}  // namespace

cudaError_t matmul(const CudaContext& ctx, const MatmulArgs& a) { return dispatch(ctx, a, XNorm{}); }

// One launch where the norm is fused (its input rows read by the matmul);
// two when the shapes do not line up (then norm.y is the matmul's x).
cudaError_t rmsnormMatmul(const CudaContext& ctx, const RmsNormArgs& norm, const MatmulArgs& mm) {
  if (norm.n != mm.n || norm.dim != mm.in || !norm.y) {
    if (cudaError_t e = rmsnorm(ctx, norm); e != cudaSuccess) return e;
    return matmul(ctx, mm);
  }
  if (norm.n == 0) return cudaSuccess;
  MatmulArgs a = mm;
  a.x = norm.x;
  a.x_stride = norm.x_stride;
  return dispatch(ctx, a, XNorm{norm.w, norm.y, norm.y_stride, norm.eps});
}

}  // namespace lac::kernels::cuda
