#include "runtime/kernels/cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/core/half.h"
#include "runtime/core/thread_pool.h"

#include "runtime/kernels/cpu/test_backend.h"
#include "runtime/kernels/cpu/test_util.h"

namespace lac::kernels::test {
namespace {

struct Heads {
  int64_t n_heads, n_kv, head_dim;
};
// GQA 4/2, SmolLM2's 9/3, plain multi-head, and a head_dim that is not a
// multiple of 8 (the fast path falls back to the reference there).
const Heads kHeads[] = {{4, 2, 64}, {9, 3, 64}, {2, 2, 32}, {4, 2, 12}, {8, 1, 16}};

constexpr int64_t kMaxBatch = 3, kMaxSeq = 200;

// A host-side cache, [max_batch][n_kv][max_seq][head_dim] for K and for V.
struct HostCache {
  Heads h;
  std::vector<float> k, v;
  HostCache(const Heads& heads, Rng& rng) : h(heads) {
    k = rng.uniform(kMaxBatch * h.n_kv * kMaxSeq * h.head_dim, -1.5f, 1.5f);
    v = rng.uniform(k.size());
  }
  const float* kRow(int64_t slot, int64_t head, int64_t pos) const {
    return &k[((slot * h.n_kv + head) * kMaxSeq + pos) * h.head_dim];
  }
  const float* vRow(int64_t slot, int64_t head, int64_t pos) const {
    return &v[((slot * h.n_kv + head) * kMaxSeq + pos) * h.head_dim];
  }
};

// The naive O(len) attention of one query head in f64.
std::vector<double> naive(const HostCache& c, const float* q, int64_t slot, int64_t head,
                          int64_t len) {
  const int64_t hd = c.h.head_dim, kvh = head / (c.h.n_heads / c.h.n_kv);
  std::vector<double> s(len);
  double mx = -1e300;
  for (int64_t j = 0; j < len; ++j) {
    const float* k = c.kRow(slot, kvh, j);
    double d = 0;
    for (int64_t i = 0; i < hd; ++i) d += double(q[i]) * k[i];
    s[j] = d / std::sqrt(double(hd));
    mx = std::max(mx, s[j]);
  }
  double sum = 0;
  for (double& x : s) sum += (x = std::exp(x - mx));
  std::vector<double> o(hd, 0.0);
  for (int64_t j = 0; j < len; ++j)
    for (int64_t i = 0; i < hd; ++i) o[i] += s[j] / sum * c.vRow(slot, kvh, j)[i];
  return o;
}

class Attention : public KernelTest {};

// Prefill of n tokens at p0 into slot 1: kvAppend writes the new rows, then
// every query attends causally to [0, p0 + t].
TEST_P(Attention, PrefillMatchesNaive) {
  Rng rng(21);
  for (const Heads& h : kHeads) {
    for (auto [p0, n] : {std::pair<int64_t, int64_t>{0, 1}, {0, 75}, {70, 75}, {130, 3}}) {
      SCOPED_TRACE(::testing::Message() << "heads=" << h.n_heads << "/" << h.n_kv
                                        << " hd=" << h.head_dim << " p0=" << p0 << " n=" << n);
      HostCache cache(h, rng);
      const int64_t slot = 1, row = h.n_heads * h.head_dim, kvrow = h.n_kv * h.head_dim;
      std::vector<float> q = rng.uniform(n * row, -1.5f, 1.5f);
      std::vector<float> knew = rng.uniform(n * kvrow, -1.5f, 1.5f), vnew = rng.uniform(n * kvrow);
      std::vector<int32_t> slots(n, slot), pos(n);
      for (int64_t t = 0; t < n; ++t) pos[t] = p0 + t;

      DeviceBuffer<float> dk(backend(), cache.k), dv(backend(), cache.v);
      DeviceBuffer<float> dq(backend(), q), dkn(backend(), knew), dvn(backend(), vnew);
      DeviceBuffer<float> dout(backend(), n * row);
      DeviceBuffer<int32_t> dslots(backend(), slots), dpos(backend(), pos);
      KvCacheView view = KvCacheView::dense(dk.get(), dv.get(), h.n_kv, kMaxSeq, h.head_dim);
      backend().kvAppend(backend(), KvAppendArgs{view, dkn.get(), kvrow, dvn.get(), kvrow, n,
                                                 dslots.get(), dpos.get()});
      // The same rows written on the host.
      for (int64_t t = 0; t < n; ++t)
        for (int64_t kh = 0; kh < h.n_kv; ++kh) {
          std::copy_n(&knew[t * kvrow + kh * h.head_dim], h.head_dim,
                      const_cast<float*>(cache.kRow(slot, kh, p0 + t)));
          std::copy_n(&vnew[t * kvrow + kh * h.head_dim], h.head_dim,
                      const_cast<float*>(cache.vRow(slot, kh, p0 + t)));
        }
      ASSERT_EQ(dk.download(), cache.k);
      ASSERT_EQ(dv.download(), cache.v);

      AttentionPrefillArgs a;
      a.cache = view;
      a.q = dq.get(); a.q_stride = row;
      a.out = dout.get(); a.out_stride = row;
      a.n_tokens = n; a.n_heads = h.n_heads; a.slot = slot; a.p0 = p0;
      a.scale = 1.0f / std::sqrt(float(h.head_dim));
      backend().attentionPrefill(backend(), a);
      std::vector<float> got = dout.download();
      for (int64_t t = 0; t < n; ++t)
        for (int64_t hh = 0; hh < h.n_heads; ++hh) {
          std::vector<double> want = naive(cache, &q[t * row + hh * h.head_dim], slot, hh, p0 + t + 1);
          for (int64_t i = 0; i < h.head_dim; ++i)
            ASSERT_NEAR(got[t * row + hh * h.head_dim + i], want[i], 2e-5)
                << "token " << t << " head " << hh << " i " << i;
        }
    }
  }
}

// A decode batch of sequences with different lengths in shuffled slots.
TEST_P(Attention, DecodeMatchesNaive) {
  Rng rng(22);
  for (const Heads& h : kHeads) {
    SCOPED_TRACE(::testing::Message() << "heads=" << h.n_heads << "/" << h.n_kv
                                      << " hd=" << h.head_dim);
    HostCache cache(h, rng);
    const int64_t batch = 3, row = h.n_heads * h.head_dim, qs = row + 8;
    std::vector<int32_t> slots = {2, 0, 1}, lengths = {1, 130, 65};
    std::vector<float> q = rng.uniform(batch * qs, -1.5f, 1.5f);
    DeviceBuffer<float> dk(backend(), cache.k), dv(backend(), cache.v), dq(backend(), q);
    DeviceBuffer<float> dout(backend(), batch * row);
    DeviceBuffer<int32_t> dslots(backend(), slots), dlen(backend(), lengths);
    AttentionDecodeArgs a;
    a.cache = KvCacheView::dense(dk.get(), dv.get(), h.n_kv, kMaxSeq, h.head_dim);
    a.q = dq.get(); a.q_stride = qs;
    a.out = dout.get(); a.out_stride = row;
    a.batch = batch; a.n_heads = h.n_heads;
    a.slots = dslots.get(); a.lengths = dlen.get();
    a.scale = 1.0f / std::sqrt(float(h.head_dim));
    backend().attentionDecode(backend(), a);
    std::vector<float> got = dout.download();
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t hh = 0; hh < h.n_heads; ++hh) {
        std::vector<double> want = naive(cache, &q[b * qs + hh * h.head_dim], slots[b], hh, lengths[b]);
        for (int64_t i = 0; i < h.head_dim; ++i)
          ASSERT_NEAR(got[b * row + hh * h.head_dim + i], want[i], 2e-5)
              << "entry " << b << " head " << hh << " i " << i;
      }
  }
}

// Large scores (a sharp softmax): the max subtraction keeps exp finite.
TEST_P(Attention, LargeScoresStayFinite) {
  const Heads h{2, 1, 16};
  Rng rng(23);
  HostCache cache(h, rng);
  for (float& x : cache.k) x *= 40.0f;
  std::vector<float> q = rng.uniform(h.n_heads * h.head_dim, -40.0f, 40.0f);
  std::vector<int32_t> lengths = {150};
  DeviceBuffer<float> dk(backend(), cache.k), dv(backend(), cache.v), dq(backend(), q);
  DeviceBuffer<float> dout(backend(), q.size());
  DeviceBuffer<int32_t> dlen(backend(), lengths);
  AttentionDecodeArgs a;
  a.cache = KvCacheView::dense(dk.get(), dv.get(), h.n_kv, kMaxSeq, h.head_dim);
  a.q = dq.get(); a.q_stride = 32;
  a.out = dout.get(); a.out_stride = 32;
  a.batch = 1; a.n_heads = 2; a.lengths = dlen.get();
  a.scale = 0.25f;
  backend().attentionDecode(backend(), a);
  std::vector<float> got = dout.download();
  for (int64_t hh = 0; hh < 2; ++hh) {
    std::vector<double> want = naive(cache, &q[hh * 16], 0, hh, 150);
    for (int i = 0; i < 16; ++i) ASSERT_NEAR(got[hh * 16 + i], want[i], 1e-4) << hh << "," << i;
  }
}

LAC_INSTANTIATE_KERNEL_TEST(Attention);

// Decode splits each sequence's positions into chunks across threads
// (flash-decoding): every thread count from 1 to 8, with lengths around the
// chunk and block sizes and a batch whose lengths differ (some chunks of the
// shorter sequences are empty), on each instruction set this CPU has.
TEST(AttentionDecodeSplit, ManyThreadsAndLengthsMatchNaive) {
  Rng rng(24);
  const std::vector<std::vector<int32_t>> length_sets = {
      {1}, {63}, {64}, {65}, {128}, {129}, {200}, {200, 1, 64}, {3, 199, 130}};
  for (cpu::Isa isa : {cpu::Isa::Scalar, cpu::Isa::Avx2}) {
    if (isa > cpu::detectIsa()) continue;
    for (int threads = 1; threads <= 8; ++threads) {
      ThreadPool pool(threads);
      cpu::CpuContext ctx{&pool, isa};
      for (const Heads& h : {Heads{9, 3, 64}, Heads{32, 8, 64}, Heads{4, 2, 12}}) {
        HostCache cache(h, rng);
        const int64_t row = h.n_heads * h.head_dim;
        for (const std::vector<int32_t>& lengths : length_sets) {
          SCOPED_TRACE(::testing::Message() << cpu::isaName(isa) << " threads=" << threads << " heads="
                                            << h.n_heads << "/" << h.n_kv << " hd=" << h.head_dim
                                            << " lengths[0]=" << lengths[0] << " batch=" << lengths.size());
          const int64_t batch = int64_t(lengths.size());
          std::vector<float> q = rng.uniform(batch * row, -1.5f, 1.5f), out(batch * row, -7.0f);
          std::vector<int32_t> slots(batch);
          for (int64_t b = 0; b < batch; ++b) slots[b] = int32_t((b + 1) % kMaxBatch);
          AttentionDecodeArgs a;
          a.cache = KvCacheView::dense(cache.k.data(), cache.v.data(), h.n_kv, kMaxSeq, h.head_dim);
          a.q = q.data(); a.q_stride = row;
          a.out = out.data(); a.out_stride = row;
          a.batch = batch; a.n_heads = h.n_heads;
          a.slots = slots.data(); a.lengths = lengths.data();
          a.scale = 1.0f / std::sqrt(float(h.head_dim));
          cpu::attentionDecode(ctx, a);
          for (int64_t b = 0; b < batch; ++b)
            for (int64_t hh = 0; hh < h.n_heads; ++hh) {
              std::vector<double> want = naive(cache, &q[b * row + hh * h.head_dim], slots[b], hh, lengths[b]);
              for (int64_t i = 0; i < h.head_dim; ++i)
                ASSERT_NEAR(out[b * row + hh * h.head_dim + i], want[i], 2e-5)
                    << "entry " << b << " head " << hh << " i " << i;
            }
        }
      }
    }
  }
}

// Batch invariance: each row of a decode batch is bit-identical to the same
// row decoded alone, whatever the batch, the row's place in it and the
// thread count (the KV split depends on the row's own length only).
TEST(AttentionDecodeSplit, RowsAreBitIdenticalAloneOrBatched) {
  Rng rng(77);
  const Heads h{9, 3, 64};
  HostCache cache(h, rng);
  const int64_t row = h.n_heads * h.head_dim;
  const std::vector<int32_t> lengths = {1, 127, 128, 129, 200, 64, 190};  // <= kMaxSeq
  const int64_t batch = int64_t(lengths.size());
  const std::vector<float> q = rng.uniform(batch * row, -1.5f, 1.5f);
  std::vector<int32_t> slots(batch);
  for (int64_t b = 0; b < batch; ++b) slots[b] = int32_t((b + 1) % kMaxBatch);
  auto run = [&](cpu::Isa isa, int threads, const std::vector<int64_t>& rows) {
    ThreadPool pool(threads);
    cpu::CpuContext ctx{&pool, isa};
    std::vector<float> qq, out(rows.size() * row);
    std::vector<int32_t> ss, ll;
    for (int64_t r : rows) {
      qq.insert(qq.end(), q.begin() + r * row, q.begin() + (r + 1) * row);
      ss.push_back(slots[r]);
      ll.push_back(lengths[r]);
    }
    AttentionDecodeArgs a;
    a.cache = KvCacheView::dense(cache.k.data(), cache.v.data(), h.n_kv, kMaxSeq, h.head_dim);
    a.q = qq.data(); a.q_stride = row;
    a.out = out.data(); a.out_stride = row;
    a.batch = int64_t(rows.size()); a.n_heads = h.n_heads;
    a.slots = ss.data(); a.lengths = ll.data();
    a.scale = 0.125f;
    cpu::attentionDecode(ctx, a);
    return out;
  };
  for (cpu::Isa isa : {cpu::Isa::Scalar, cpu::Isa::Avx2}) {
    if (isa > cpu::detectIsa()) continue;
    std::vector<int64_t> all(static_cast<size_t>(batch), 0), reversed;
    for (int64_t b = 0; b < batch; ++b) all[size_t(b)] = b;
    reversed.assign(all.rbegin(), all.rend());
    const std::vector<float> together = run(isa, 2, all), backwards = run(isa, 3, reversed);
    for (int64_t b = 0; b < batch; ++b) {
      SCOPED_TRACE(::testing::Message() << cpu::isaName(isa) << " row " << b << " length " << lengths[b]);
      for (int threads : {1, 2, 5}) {
        const std::vector<float> alone = run(isa, threads, {b});
        EXPECT_EQ(0, std::memcmp(alone.data(), together.data() + b * row, row * sizeof(float))) << threads;
      }
      EXPECT_EQ(0, std::memcmp(together.data() + b * row, backwards.data() + (batch - 1 - b) * row,
                               row * sizeof(float)));
    }
  }
}

// An f16 cache: kvAppend stores each value rounded to nearest even (the same
// bits on every ISA), and attention over it equals the naive attention over
// those rounded values.
TEST(AttentionF16Cache, AppendRoundsAndAttentionReadsF16) {
  Rng rng(91);
  for (const Heads& h : {Heads{9, 3, 64}, Heads{4, 2, 12}}) {
    HostCache exact(h, rng);
    HostCache rounded = exact;  // what the f16 cache holds, as f32
    for (float& x : rounded.k) x = f16ToFloat(floatToF16(x));
    for (float& x : rounded.v) x = f16ToFloat(floatToF16(x));
    const int64_t row = h.n_heads * h.head_dim, kv_row = h.n_kv * h.head_dim, n = 150;
    for (cpu::Isa isa : {cpu::Isa::Scalar, cpu::Isa::Avx2}) {
      if (isa > cpu::detectIsa()) continue;
      SCOPED_TRACE(::testing::Message() << cpu::isaName(isa) << " hd=" << h.head_dim);
      ThreadPool pool(2);
      cpu::CpuContext ctx{&pool, isa};
      std::vector<uint16_t> k16(exact.k.size(), 0), v16(exact.v.size(), 0);
      const KvCacheView view = KvCacheView::dense(k16.data(), v16.data(), h.n_kv, kMaxSeq, h.head_dim, DType::F16);
      // Slot 2, positions 0..n-1, from the exact rows.
      std::vector<float> k(n * kv_row), v(n * kv_row);
      std::vector<int32_t> slots(n, 2), pos(n);
      for (int64_t t = 0; t < n; ++t) {
        pos[t] = int32_t(t);
        for (int64_t hh = 0; hh < h.n_kv; ++hh)
          for (int64_t i = 0; i < h.head_dim; ++i) {
            k[t * kv_row + hh * h.head_dim + i] = exact.kRow(2, hh, t)[i];
            v[t * kv_row + hh * h.head_dim + i] = exact.vRow(2, hh, t)[i];
          }
      }
      cpu::kvAppend(ctx, KvAppendArgs{view, k.data(), kv_row, v.data(), kv_row, n, slots.data(), pos.data()});
      for (int64_t t = 0; t < n; ++t)
        for (int64_t hh = 0; hh < h.n_kv; ++hh)
          for (int64_t i = 0; i < h.head_dim; ++i) {
            const int64_t at = ((2 * h.n_kv + hh) * kMaxSeq + t) * h.head_dim + i;
            ASSERT_EQ(k16[at], floatToF16(exact.kRow(2, hh, t)[i]));
            ASSERT_EQ(v16[at], floatToF16(exact.vRow(2, hh, t)[i]));
          }
      // Decode of one query at length n (two KV chunks).
      const std::vector<float> q = rng.uniform(row, -1.5f, 1.5f);
      std::vector<float> out(row);
      const int32_t slot = 2, len = int32_t(n);
      AttentionDecodeArgs a;
      a.cache = view;
      a.q = q.data(); a.q_stride = row;
      a.out = out.data(); a.out_stride = row;
      a.batch = 1; a.n_heads = h.n_heads;
      a.slots = &slot; a.lengths = &len;
      a.scale = 1.0f / std::sqrt(float(h.head_dim));
      cpu::attentionDecode(ctx, a);
      for (int64_t hh = 0; hh < h.n_heads; ++hh) {
        const std::vector<double> want = naive(rounded, &q[hh * h.head_dim], 2, hh, n);
        for (int64_t i = 0; i < h.head_dim; ++i) ASSERT_NEAR(out[hh * h.head_dim + i], want[i], 2e-5);
      }
    }
  }
}

}  // namespace
}  // namespace lac::kernels::test
