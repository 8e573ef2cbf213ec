#include "runtime/kernels/cpu/embedding.h"

#include "runtime/kernels/cpu/pack_x8.h"

#include "runtime/kernels/cpu/test_backend.h"
#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

class Embedding : public KernelTest {};

// Every table type: rows gathered and dequantized like the reference
// dequantizer; out-of-range ids give zero rows; output stride respected.
TEST_P(Embedding, GathersRows) {
  Rng rng(11);
  const int64_t vocab = 50;
  for (DType t : {DType::F32, DType::F16, DType::BF16, DType::Q8_0, DType::Q4_0, DType::Q4_1}) {
    for (int64_t dim : {64, 576}) {
      SCOPED_TRACE(::testing::Message() << dtypeName(t) << " dim=" << dim);
      std::vector<uint8_t> table = rng.weights(t, vocab, dim);
      std::vector<float> rows = dequantized(t, table, vocab, dim);
      std::vector<int32_t> ids = {3, 0, 49, 3, -1, 50, 17};
      for (int i = 0; i < 200; ++i) ids.push_back(rng.integer(0, vocab - 1));
      const int64_t n = ids.size(), stride = dim + 5;

      DeviceBuffer<uint8_t> dt(backend(), table);
      DeviceBuffer<int32_t> di(backend(), ids);
      DeviceBuffer<float> dout(backend(), std::vector<float>(n * stride, 7.0f));
      EmbeddingArgs a{dt.get(), t, vocab, dim, di.get(), n, dout.get(), stride};
      backend().embedding(backend(), a);
      std::vector<float> got = dout.download();
      for (int64_t i = 0; i < n; ++i) {
        bool valid = ids[i] >= 0 && ids[i] < vocab;
        for (int64_t j = 0; j < stride; ++j) {
          float want = j >= dim ? 7.0f : valid ? rows[ids[i] * dim + j] : 0.0f;
          // q4_1's fast path fuses d * n + m: one rounding apart.
          ASSERT_NEAR(got[i * stride + j], want, 1e-6f * (1 + std::fabs(want))) << i << "," << j;
        }
      }
    }
  }
}

// An x8 table (the tied embedding / lm_head of a compiled model) gives the
// rows of its row-major form.
TEST_P(Embedding, ReadsX8Tables) {
  LAC_SKIP_WITHOUT_X8();
  Rng rng(12);
  const int64_t vocab = 48, dim = 96;
  for (DType t : {DType::Q8_0, DType::Q4_0, DType::Q4_1}) {
    SCOPED_TRACE(dtypeName(t));
    std::vector<uint8_t> table = rng.weights(t, vocab, dim), packed(table.size());
    cpu::packX8(t, table.data(), vocab, dim, packed.data());
    std::vector<int32_t> ids = {0, 7, 8, 47, 13, -1, 48};
    const int64_t n = ids.size();
    auto run = [&](const std::vector<uint8_t>& bytes, WeightLayout layout) {
      DeviceBuffer<uint8_t> dt(backend(), bytes);
      DeviceBuffer<int32_t> di(backend(), ids);
      DeviceBuffer<float> dout(backend(), std::vector<float>(n * dim, 7.0f));
      EmbeddingArgs a{dt.get(), t, vocab, dim, di.get(), n, dout.get(), dim, layout};
      backend().embedding(backend(), a);
      return dout.download();
    };
    std::vector<float> want = run(table, WeightLayout::RowMajor);
    std::vector<float> got = run(packed, WeightLayout::X8);
    EXPECT_EQ(got, want);
    EXPECT_EQ(got[5 * dim], 0.0f);  // out-of-range ids still give zero rows
  }
}

LAC_INSTANTIATE_KERNEL_TEST(Embedding);

}  // namespace
}  // namespace lac::kernels::test
