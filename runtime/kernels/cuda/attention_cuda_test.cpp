// CUDA-only attention tests: flash-decoding over long caches (several
// splits, GQA groups wider than a block's head chunk) and tiled prefill with
// the larger head dims, against the CPU references. Skipped without a GPU.
#include <cmath>

#include "runtime/kernels/cpu/attention.h"
#include "runtime/kernels/cuda/cuda_test_util.h"
#include "runtime/kernels/cuda/launch.h"

namespace lac::kernels::test {
namespace {

struct Heads {
  int64_t n_heads, n_kv, head_dim;
};
// GQA 4 (Llama 3 8B), 16 query heads on one kv head (two head chunks per
// block), plain multi-head at head_dim 256, SmolLM2's 9/3 at 64.
const Heads kHeads[] = {{32, 8, 128}, {16, 1, 64}, {4, 4, 256}, {9, 3, 64}};

class CudaAttention : public CudaTest {};

TEST_F(CudaAttention, FlashDecodeLongKvGqa) {
  const int64_t max_seq = 2048, max_batch = 4;
  Rng rng(5);
  for (const Heads& h : kHeads) {
    SCOPED_TRACE(::testing::Message() << "heads=" << h.n_heads << "/" << h.n_kv << " hd=" << h.head_dim);
    const int64_t cache_elems = max_batch * h.n_kv * max_seq * h.head_dim;
    std::vector<float> k = rng.uniform(cache_elems, -1.5f, 1.5f), v = rng.uniform(cache_elems);
    const int64_t batch = 4, row = h.n_heads * h.head_dim;
    const std::vector<int32_t> slots = {3, 1, 0, 2}, lengths = {2048, 1000, 257, 1};
    const std::vector<float> q = rng.uniform(batch * row, -1.5f, 1.5f);
    DeviceBuffer<float> dk(backend(), k), dv(backend(), v), dq(backend(), q), dout(backend(), batch * row);
    DeviceBuffer<int32_t> ds(backend(), slots), dl(backend(), lengths);
    AttentionDecodeArgs a;
    a.cache = KvCacheView::dense(dk.get(), dv.get(), h.n_kv, max_seq, h.head_dim);
    a.q = dq.get(); a.q_stride = row;
    a.out = dout.get(); a.out_stride = row;
    a.batch = batch; a.n_heads = h.n_heads;
    a.slots = ds.get(); a.lengths = dl.get();
    a.scale = 1.0f / std::sqrt(float(h.head_dim));
    cudaCheck(cuda::attentionDecode(*cudaTestContext(), a), "attentionDecode");
    const std::vector<float> got = dout.download();

    std::vector<float> want(batch * row);
    AttentionDecodeArgs r = a;
    r.cache = KvCacheView::dense(k.data(), v.data(), h.n_kv, max_seq, h.head_dim);
    r.q = q.data(); r.out = want.data(); r.slots = slots.data(); r.lengths = lengths.data();
    cpu::attentionDecodeRef(r);
    expectNear(got, want, 3e-5f, 1e-4f, "decode");
  }
}

TEST_F(CudaAttention, PrefillLongAndWideHeads) {
  const int64_t max_seq = 512;
  Rng rng(6);
  for (const Heads& h : kHeads) {
    for (auto [p0, n] : {std::pair<int64_t, int64_t>{0, 200}, {100, 150}, {300, 1}}) {
      SCOPED_TRACE(::testing::Message() << "heads=" << h.n_heads << "/" << h.n_kv << " hd="
                                        << h.head_dim << " p0=" << p0 << " n=" << n);
      const int64_t cache_elems = 2 * h.n_kv * max_seq * h.head_dim;
      std::vector<float> k = rng.uniform(cache_elems, -1.5f, 1.5f), v = rng.uniform(cache_elems);
      const int64_t row = h.n_heads * h.head_dim, qs = row + 4;
      const std::vector<float> q = rng.uniform(n * qs, -1.5f, 1.5f);
      DeviceBuffer<float> dk(backend(), k), dv(backend(), v), dq(backend(), q), dout(backend(), n * row);
      AttentionPrefillArgs a;
      a.cache = KvCacheView::dense(dk.get(), dv.get(), h.n_kv, max_seq, h.head_dim);
      a.q = dq.get(); a.q_stride = qs;
      a.out = dout.get(); a.out_stride = row;
      a.n_tokens = n; a.n_heads = h.n_heads; a.slot = 1; a.p0 = p0;
      a.scale = 1.0f / std::sqrt(float(h.head_dim));
      cudaCheck(cuda::attentionPrefill(*cudaTestContext(), a), "attentionPrefill");
      const std::vector<float> got = dout.download();

      std::vector<float> want(n * row);
      AttentionPrefillArgs r = a;
      r.cache = KvCacheView::dense(k.data(), v.data(), h.n_kv, max_seq, h.head_dim);
      r.q = q.data(); r.out = want.data();
      cpu::attentionPrefillRef(r);
      expectNear(got, want, 3e-5f, 1e-4f, "prefill");
    }
  }
}

// An f16 cache: kvAppend rounds on the device as the CPU does (the same
// bits), and decode and prefill over it match the CPU references over the
// same f16 cache.
TEST_F(CudaAttention, F16CacheMatchesTheCpu) {
  const Heads h{9, 3, 64};
  const int64_t max_seq = 512, max_batch = 2, row = h.n_heads * h.head_dim, kv_row = h.n_kv * h.head_dim;
  const int64_t cache_elems = max_batch * h.n_kv * max_seq * h.head_dim, n = 300;
  Rng rng(8);
  const std::vector<float> k = rng.uniform(n * kv_row, -1.5f, 1.5f), v = rng.uniform(n * kv_row);
  std::vector<int32_t> slots(n, 1), pos(n);
  for (int64_t t = 0; t < n; ++t) pos[t] = int32_t(t);
  DeviceBuffer<uint16_t> dk(backend(), std::vector<uint16_t>(cache_elems, 0)),
      dv(backend(), std::vector<uint16_t>(cache_elems, 0));
  DeviceBuffer<float> dkin(backend(), k), dvin(backend(), v);
  DeviceBuffer<int32_t> dslots(backend(), slots), dpos(backend(), pos);
  const KvCacheView dview = KvCacheView::dense(dk.get(), dv.get(), h.n_kv, max_seq, h.head_dim, DType::F16);
  cudaCheck(cuda::kvAppend(*cudaTestContext(),
                           KvAppendArgs{dview, dkin.get(), kv_row, dvin.get(), kv_row, n, dslots.get(), dpos.get()}),
            "kvAppend");
  std::vector<uint16_t> hk(cache_elems, 0), hv(cache_elems, 0);
  const KvCacheView hview = KvCacheView::dense(hk.data(), hv.data(), h.n_kv, max_seq, h.head_dim, DType::F16);
  cpu::kvAppend(cpu::CpuContext{nullptr, cpu::Isa::Scalar},
                KvAppendArgs{hview, k.data(), kv_row, v.data(), kv_row, n, slots.data(), pos.data()});
  ASSERT_EQ(dk.download(), hk);
  ASSERT_EQ(dv.download(), hv);

  const std::vector<float> q = rng.uniform(row, -1.5f, 1.5f);
  const int32_t slot = 1, len = int32_t(n);
  DeviceBuffer<float> dq(backend(), q), dout(backend(), row);
  DeviceBuffer<int32_t> ds(backend(), std::vector<int32_t>{slot}), dl(backend(), std::vector<int32_t>{len});
  AttentionDecodeArgs a;
  a.cache = dview;
  a.q = dq.get(); a.q_stride = row;
  a.out = dout.get(); a.out_stride = row;
  a.batch = 1; a.n_heads = h.n_heads;
  a.slots = ds.get(); a.lengths = dl.get();
  a.scale = 0.125f;
  cudaCheck(cuda::attentionDecode(*cudaTestContext(), a), "attentionDecode f16");
  std::vector<float> want(row);
  AttentionDecodeArgs r = a;
  r.cache = hview;
  r.q = q.data(); r.out = want.data(); r.slots = &slot; r.lengths = &len;
  cpu::attentionDecodeRef(r);
  expectNear(dout.download(), want, 3e-5f, 1e-4f, "decode f16");
}

}  // namespace
}  // namespace lac::kernels::test
