// How the launchers use CudaContext::workspace. Launchers run one after
// another on one stream and none keeps scratch across calls, so each lays
// its own regions out from offset 0 and workspaceBytes() is their maximum.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lac::kernels::cuda {

constexpr size_t kWorkspaceAlign = 256;
inline size_t alignUp(size_t n) { return (n + kWorkspaceAlign - 1) / kWorkspaceAlign * kWorkspaceAlign; }

// matmul: GEMV split-K partials [splits][n][out] f32; cuBLASLt's path:
// x rounded to 16 bits [n, in], then cuBLASLt's own scratch.
constexpr int64_t kGemvMaxSplits = 8;
constexpr size_t kLtWorkspaceBytes = size_t{32} << 20;

// attentionDecode: positions per flash-decoding split; partials per
// (batch, head, split): max, sum, then head_dim outputs (f32).
constexpr int64_t kDecodeChunk = 256;
inline int64_t decodeSplits(int64_t max_seq) { return (max_seq + kDecodeChunk - 1) / kDecodeChunk; }

// sample: per row, probs [vocab] f32, then candidate keys [pow2 >= vocab] u64.
inline int64_t samplePow2(int64_t vocab) {
  int64_t p = 1;
  while (p < vocab) p *= 2;
  return p;
}
inline size_t sampleRowBytes(int64_t vocab) {
  return alignUp(static_cast<size_t>(vocab) * 4) + static_cast<size_t>(samplePow2(vocab)) * 8;
}

}  // namespace lac::kernels::cuda
