#include "runtime/kernels/cpu/embedding.h"

#include <algorithm>
#include <vector>

#include "runtime/kernels/cpu/dequant.h"
#include "runtime/kernels/cpu/pack_x8.h"
#include "runtime/kernels/cpu/parallel.h"

namespace lac::kernels::cpu {

namespace {

void lookupRows(Isa isa, const EmbeddingArgs& a, int64_t t0, int64_t t1) {
  const int64_t row_bytes = static_cast<int64_t>(*rowBytes(a.table_type, a.dim));
  const bool x8 = a.table_layout == WeightLayout::X8;
  std::vector<uint8_t> unpacked(x8 ? row_bytes : 0);  // an x8 row back in GGML blocks
  for (int64_t t = t0; t < t1; ++t) {
    float* out = a.out + t * a.out_stride;
    int32_t id = a.ids[t];
    bool ok = id >= 0 && id < a.vocab && (!x8 || hasX8Layout(a.table_type));
    if (ok) {
      const void* row = static_cast<const uint8_t*>(a.table) + id * row_bytes;
      if (x8) {
        unpackRowX8(a.table_type, a.table, a.dim, id, unpacked.data());
        row = unpacked.data();
      }
      ok = isa == Isa::Scalar ? dequantizeRowRef(a.table_type, row, out, a.dim)
                              : dequantizeRow(isa, a.table_type, row, out, a.dim);
    }
    if (!ok) std::fill(out, out + a.dim, 0.0f);
  }
}

}  // namespace

void embedding(const CpuContext& ctx, const EmbeddingArgs& a) {
  if (a.n_tokens <= 0 || !rowBytes(a.table_type, a.dim)) return;
  // A row is a few KiB: threads only pay off for a prompt's worth of tokens.
  parallelRows(ctx, a.n_tokens, std::max<int64_t>(1, 65536 / (a.dim + 1)),
               [&](int64_t t0, int64_t t1) { lookupRows(ctx.isa, a, t0, t1); });
}

void embeddingRef(const EmbeddingArgs& a) {
  if (a.n_tokens <= 0 || !rowBytes(a.table_type, a.dim)) return;
  lookupRows(Isa::Scalar, a, 0, a.n_tokens);
}

}  // namespace lac::kernels::cpu
