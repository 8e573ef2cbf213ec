#include "runtime/kernels/cpu/pack_x8.h"

#include <cstring>

namespace lac::kernels::cpu {

namespace {

// Moves block b of row `row` between the row-major form (GGML block at
// `blk`) and its superblock (at `super`): to_x8 picks the direction.
template <typename Block, typename Super>
void moveBlock(Block* blk, Super* super, int r, bool to_x8) {
  constexpr int kQ = static_cast<int>(sizeof(blk->qs));
  if (to_x8) {
    super->d[r] = blk->d;
    if constexpr (requires { blk->m; }) super->m[r] = blk->m;
    for (int j = 0; j < kQ; ++j) super->qs[x8QuantIndex(r, j)] = blk->qs[j];
  } else {
    blk->d = super->d[r];
    if constexpr (requires { blk->m; }) blk->m = super->m[r];
    for (int j = 0; j < kQ; ++j) blk->qs[j] = super->qs[x8QuantIndex(r, j)];
  }
}

// Converts rows [r0, r1) between the two layouts.
template <typename Block, typename Super>
void convertRows(const void* src, void* dst, int64_t in, int64_t r0, int64_t r1, bool to_x8,
                 bool dst_is_one_row) {
  const int64_t nb = in / kQBlock;
  for (int64_t o = r0; o < r1; ++o)
    for (int64_t b = 0; b < nb; ++b) {
      const int64_t s = (o / kX8Rows) * nb + b;
      const int r = static_cast<int>(o % kX8Rows);
      if (to_x8) {
        Block blk;
        std::memcpy(&blk, static_cast<const Block*>(src) + o * nb + b, sizeof blk);
        moveBlock(&blk, static_cast<Super*>(dst) + s, r, true);
      } else {
        Super super;
        std::memcpy(&super, static_cast<const Super*>(src) + s, sizeof super);
        Block* blk = static_cast<Block*>(dst) + (dst_is_one_row ? 0 : o * nb) + b;
        moveBlock(blk, &super, r, false);
      }
    }
}

void convert(DType t, const void* src, void* dst, int64_t in, int64_t r0, int64_t r1, bool to_x8,
             bool one_row) {
  switch (t) {
    case DType::Q8_0: return convertRows<BlockQ8_0, SuperQ8_0x8>(src, dst, in, r0, r1, to_x8, one_row);
    case DType::Q4_0: return convertRows<BlockQ4_0, SuperQ4_0x8>(src, dst, in, r0, r1, to_x8, one_row);
    case DType::Q4_1: return convertRows<BlockQ4_1, SuperQ4_1x8>(src, dst, in, r0, r1, to_x8, one_row);
    default: return;
  }
}

}  // namespace

bool hasX8Layout(DType t) { return t == DType::Q8_0 || t == DType::Q4_0 || t == DType::Q4_1; }

bool fitsX8(DType t, int64_t out, int64_t in) {
  return hasX8Layout(t) && out > 0 && out % kX8Rows == 0 && in > 0 && in % kQBlock == 0;
}

void packX8(DType t, const void* src, int64_t out, int64_t in, void* dst) {
  convert(t, src, dst, in, 0, out, true, false);
}

void unpackX8(DType t, const void* src, int64_t out, int64_t in, void* dst) {
  convert(t, src, dst, in, 0, out, false, false);
}

void unpackRowX8(DType t, const void* src, int64_t in, int64_t row, void* dst) {
  convert(t, src, dst, in, row, row + 1, false, true);
}

}  // namespace lac::kernels::cpu
