#include "runtime/kernels/cuda/embedding.cuh"
#include "runtime/kernels/cuda/launch.h"

namespace lac::kernels::cuda {

cudaError_t embedding(const CudaContext& ctx, const EmbeddingArgs& a) {
  if (a.n_tokens == 0) return cudaSuccess;
  if (a.table_layout != WeightLayout::RowMajor) return cudaErrorNotSupported;  // x8 is the CPU's layout
  const auto row_bytes = rowBytes(a.table_type, static_cast<uint64_t>(a.dim));
  if (!row_bytes) return cudaErrorInvalidValue;
  // 128-bit loads need every row 16-byte aligned, not just the first.
  const bool vec = vectorRows(a.table_type, a.table, a.dim) && *row_bytes % 16 == 0;
  const bool ok = withDecoder(a.table_type, vec, [&](auto dec) {
    embeddingKernel<decltype(dec)><<<static_cast<unsigned>(a.n_tokens), 256, 0, ctx.stream>>>(
        static_cast<const uint8_t*>(a.table), static_cast<int64_t>(*row_bytes), a.vocab, a.dim,
        a.ids, a.out, a.out_stride);
  });
  return ok ? launchError() : cudaErrorInvalidValue;
}

}  // namespace lac::kernels::cuda
