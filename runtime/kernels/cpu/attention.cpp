#include "runtime/kernels/cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "runtime/core/half.h"
#include "runtime/kernels/cpu/parallel.h"
#include "runtime/kernels/cpu/simd_avx2.h"

namespace lac::kernels::cpu {

// ---- kv append ----------------------------------------------------------------

namespace {

// n f32 values -> f16, rounded to nearest even (F16C where the ISA has it;
// both give the same bits).
void toF16(Isa isa, const float* x, uint16_t* y, int64_t n) {
  int64_t i = 0;
#if LAC_KERNELS_X86
  if (isa >= Isa::Avx2) i = avx2::toF16(x, y, n);
#else
  (void)isa;
#endif
  for (; i < n; ++i) y[i] = floatToF16(x[i]);
}

}  // namespace

void kvAppend(const CpuContext& ctx, const KvAppendArgs& a) {
  const KvCacheView& c = a.cache;
  const int64_t hd = c.head_dim;
  for (int64_t t = 0; t < a.n_tokens; ++t) {
    const int64_t base = a.slots[t] * c.seq_stride + a.positions[t] * c.pos_stride;
    for (int64_t h = 0; h < c.n_kv_heads; ++h) {
      const int64_t at = base + h * c.head_stride;
      const float* k = a.k + t * a.k_stride + h * hd;
      const float* v = a.v + t * a.v_stride + h * hd;
      if (c.dtype == DType::F16) {
        toF16(ctx.isa, k, static_cast<uint16_t*>(c.k) + at, hd);
        toF16(ctx.isa, v, static_cast<uint16_t*>(c.v) + at, hd);
      } else {
        std::memcpy(static_cast<float*>(c.k) + at, k, size_t(hd) * sizeof(float));
        std::memcpy(static_cast<float*>(c.v) + at, v, size_t(hd) * sizeof(float));
      }
    }
  }
}

namespace {

// A set of query vectors sharing one (sequence, kv head) K/V stream; query m
// attends to positions [0, len[m]).
constexpr int kMaxQueries = 64;
constexpr int64_t kMaxHeadDim = 256;
constexpr int64_t kBlock = 64;  // positions per K/V block

// With part[m] set, query m's result is left unnormalized for a later merge
// (a split-KV decode): part[m] = [acc[head_dim] = sum_j e_j v_j, max, sum]
// with e_j = exp(s_j - max); an empty range (len <= 0) gives max = -inf,
// sum = 0, acc = 0.
struct QuerySet {
  int count = 0;
  const float* q[kMaxQueries];
  float* out[kMaxQueries];
  float* part[kMaxQueries] = {};
  int64_t len[kMaxQueries];
};

// One (sequence, kv head)'s K and V rows: [max_seq, head_dim] of E (float,
// or uint16_t f16 bits), position stride pos_stride.
template <typename E>
struct KvStream {
  const E* k;
  const E* v;
  int64_t pos_stride, head_dim;
};

inline float toFloat(float x) { return x; }
inline float toFloat(uint16_t h) { return f16ToFloat(h); }

// ---- scalar reference: two-pass softmax, one query at a time -----------------

template <typename E>
void attendRef(const KvStream<E>& kv, float scale, const QuerySet& qs) {
  std::vector<float> p;
  for (int m = 0; m < qs.count; ++m) {
    const int64_t len = qs.len[m], hd = kv.head_dim;
    p.assign(size_t(std::max<int64_t>(len, 0)), 0.0f);
    float mx = -std::numeric_limits<float>::infinity();
    for (int64_t j = 0; j < len; ++j) {
      const E* k = kv.k + j * kv.pos_stride;
      float s = 0.0f;
      for (int64_t i = 0; i < hd; ++i) s += qs.q[m][i] * toFloat(k[i]);
      p[j] = s * scale;
      mx = std::max(mx, p[j]);
    }
    float sum = 0.0f;
    for (int64_t j = 0; j < len; ++j) {
      p[j] = std::exp(p[j] - mx);
      sum += p[j];
    }
    float* o = qs.part[m] ? qs.part[m] : qs.out[m];
    std::fill(o, o + hd, 0.0f);
    for (int64_t j = 0; j < len; ++j) {
      const E* v = kv.v + j * kv.pos_stride;
      for (int64_t i = 0; i < hd; ++i) o[i] += p[j] * toFloat(v[i]);
    }
    if (float* part = qs.part[m]) {  // o is part
      part[hd] = mx;
      part[hd + 1] = sum;
    } else {
      for (int64_t i = 0; i < hd; ++i) o[i] /= sum;
    }
  }
}

// ---- AVX2: blocked online softmax over all queries of the set ----------------

#if LAC_KERNELS_X86
// 8 cache elements as f32.
LAC_TARGET_AVX2 inline __m256 load8(const float* p) { return _mm256_loadu_ps(p); }
LAC_TARGET_AVX2 inline __m256 load8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}

template <typename E>
LAC_TARGET_AVX2 float dotAvx2(const float* a, const E* b, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load8(b + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), load8(b + i + 8), acc1);
  }
  if (i < n) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), load8(b + i), acc0);
  return avx2::hsum(_mm256_add_ps(acc0, acc1));
}

// [a.b0, a.b1, a.b2, a.b3] for rows b_r = b + r * stride; n % 8 == 0. One
// reduction for four scores instead of a horizontal sum each.
template <typename E>
LAC_TARGET_AVX2 __m128 dot4Avx2(const float* a, const E* b, int64_t stride, int64_t n) {
  __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
  for (int64_t i = 0; i < n; i += 8) {
    const __m256 va = _mm256_loadu_ps(a + i);
    s0 = _mm256_fmadd_ps(va, load8(b + i), s0);
    s1 = _mm256_fmadd_ps(va, load8(b + stride + i), s1);
    s2 = _mm256_fmadd_ps(va, load8(b + 2 * stride + i), s2);
    s3 = _mm256_fmadd_ps(va, load8(b + 3 * stride + i), s3);
  }
  // Per 128-bit lane: hadd(hadd(s0, s1), hadd(s2, s3)) = [s0, s1, s2, s3] partial sums.
  const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(s0, s1), _mm256_hadd_ps(s2, s3));
  return _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1));
}

// acc[0, hd) = acc * corr + sum_j p[j] * v_j over n rows v_j = v + j * stride,
// with the accumulator in registers 32 floats at a time.
template <typename E>
LAC_TARGET_AVX2 void accumulatePv(float* acc, float corr, const float* p, const E* v, int64_t stride, int64_t n,
                                  int64_t hd) {
  const __m256 vc = _mm256_set1_ps(corr);
  int64_t i0 = 0;
  for (; i0 + 32 <= hd; i0 += 32) {
    __m256 a0 = _mm256_mul_ps(_mm256_load_ps(acc + i0), vc);
    __m256 a1 = _mm256_mul_ps(_mm256_load_ps(acc + i0 + 8), vc);
    __m256 a2 = _mm256_mul_ps(_mm256_load_ps(acc + i0 + 16), vc);
    __m256 a3 = _mm256_mul_ps(_mm256_load_ps(acc + i0 + 24), vc);
    for (int64_t j = 0; j < n; ++j) {
      const E* vj = v + j * stride + i0;
      const __m256 pj = _mm256_set1_ps(p[j]);
      a0 = _mm256_fmadd_ps(pj, load8(vj), a0);
      a1 = _mm256_fmadd_ps(pj, load8(vj + 8), a1);
      a2 = _mm256_fmadd_ps(pj, load8(vj + 16), a2);
      a3 = _mm256_fmadd_ps(pj, load8(vj + 24), a3);
    }
    _mm256_store_ps(acc + i0, a0);
    _mm256_store_ps(acc + i0 + 8, a1);
    _mm256_store_ps(acc + i0 + 16, a2);
    _mm256_store_ps(acc + i0 + 24, a3);
  }
  for (; i0 < hd; i0 += 8) {
    __m256 a0 = _mm256_mul_ps(_mm256_load_ps(acc + i0), vc);
    for (int64_t j = 0; j < n; ++j)
      a0 = _mm256_fmadd_ps(_mm256_set1_ps(p[j]), load8(v + j * stride + i0), a0);
    _mm256_store_ps(acc + i0, a0);
  }
}

// Requires head_dim % 8 == 0 and head_dim <= kMaxHeadDim.
template <typename E>
LAC_TARGET_AVX2 void attendAvx2(const KvStream<E>& kv, float scale, const QuerySet& qs) {
  const int64_t hd = kv.head_dim;
  const float kNegInf = -std::numeric_limits<float>::infinity();
  alignas(32) float acc[kMaxQueries][kMaxHeadDim];
  alignas(32) float p[kMaxQueries][kBlock];
  float run_max[kMaxQueries], run_sum[kMaxQueries];
  int64_t max_len = 0;
  for (int m = 0; m < qs.count; ++m) {
    std::fill(acc[m], acc[m] + hd, 0.0f);
    run_max[m] = kNegInf;
    run_sum[m] = 0.0f;
    max_len = std::max(max_len, qs.len[m]);
  }
  for (int64_t j0 = 0; j0 < max_len; j0 += kBlock) {
    const int64_t j1 = std::min(j0 + kBlock, max_len);
    for (int m = 0; m < qs.count; ++m) {
      const int64_t end = std::min(j1, qs.len[m]);
      if (end <= j0) continue;
      // Scores of this block (masked ones stay out of the loops below).
      const __m128 vscale = _mm_set1_ps(scale);
      int64_t jj = j0;
      for (; jj + 4 <= end; jj += 4)
        _mm_storeu_ps(p[m] + (jj - j0),
                      _mm_mul_ps(dot4Avx2(qs.q[m], kv.k + jj * kv.pos_stride, kv.pos_stride, hd), vscale));
      for (; jj < end; ++jj) p[m][jj - j0] = dotAvx2(qs.q[m], kv.k + jj * kv.pos_stride, hd) * scale;
      float bmax = kNegInf;
      for (int64_t j = 0; j < end - j0; ++j) bmax = std::max(bmax, p[m][j]);
      // Online softmax: rescale what was accumulated under the old max.
      const float new_max = std::max(run_max[m], bmax);
      const float corr = std::exp(run_max[m] - new_max);  // 0 on the first block
      const __m256 vmax = _mm256_set1_ps(new_max);
      const int64_t n = end - j0;
      __m256 vsum = _mm256_setzero_ps();
      int64_t j = 0;
      for (; j + 8 <= n; j += 8) {
        __m256 e = avx2::exp(_mm256_sub_ps(_mm256_loadu_ps(p[m] + j), vmax));
        _mm256_storeu_ps(p[m] + j, e);
        vsum = _mm256_add_ps(vsum, e);
      }
      float bsum = avx2::hsum(vsum);
      for (; j < n; ++j) {
        p[m][j] = std::exp(p[m][j] - new_max);
        bsum += p[m][j];
      }
      run_sum[m] = run_sum[m] * corr + bsum;
      run_max[m] = new_max;
      // acc = acc * corr + P . V_block
      accumulatePv(acc[m], corr, p[m], kv.v + j0 * kv.pos_stride, kv.pos_stride, n, hd);
    }
  }
  for (int m = 0; m < qs.count; ++m) {
    if (float* part = qs.part[m]) {
      std::copy(acc[m], acc[m] + hd, part);
      part[hd] = run_max[m];
      part[hd + 1] = run_sum[m];
      continue;
    }
    __m256 inv = _mm256_set1_ps(1.0f / run_sum[m]);
    for (int64_t i = 0; i < hd; i += 8)
      _mm256_storeu_ps(qs.out[m] + i, _mm256_mul_ps(_mm256_load_ps(acc[m] + i), inv));
  }
}
#endif

template <typename E>
void attendAs(Isa isa, const KvCacheView& c, int64_t slot, int64_t kv_head, int64_t j0, float scale,
              const QuerySet& qs) {
  const int64_t off = slot * c.seq_stride + kv_head * c.head_stride + j0 * c.pos_stride;
  const KvStream<E> kv{static_cast<const E*>(c.k) + off, static_cast<const E*>(c.v) + off, c.pos_stride,
                       c.head_dim};
#if LAC_KERNELS_X86
  if (isa >= Isa::Avx2 && kv.head_dim % 8 == 0 && kv.head_dim <= kMaxHeadDim) return attendAvx2(kv, scale, qs);
#endif
  attendRef(kv, scale, qs);
}

// The queries `qs` over positions j0.. of one (sequence slot, kv head).
void attend(Isa isa, const KvCacheView& c, int64_t slot, int64_t kv_head, int64_t j0, float scale,
            const QuerySet& qs) {
  if (c.dtype == DType::F16) attendAs<uint16_t>(isa, c, slot, kv_head, j0, scale, qs);
  else attendAs<float>(isa, c, slot, kv_head, j0, scale, qs);
}

// ---- prefill --------------------------------------------------------------------

// Tokens per tile: the whole group of each token goes into one query set.
int64_t prefillTile(int64_t group) { return std::max<int64_t>(1, kMaxQueries / group); }

// Work item i -> (tile, kv head). Tiles alternate from both ends (0, last, 1,
// last - 1, ...) so contiguous ranges of items carry similar causal work.
void prefillItem(Isa isa, const AttentionPrefillArgs& a, int64_t item, int64_t n_tiles,
                 int64_t tile_tokens) {
  const KvCacheView& c = a.cache;
  const int64_t group = a.n_heads / c.n_kv_heads;
  const int64_t kv_head = item % c.n_kv_heads;
  const int64_t i = item / c.n_kv_heads;
  const int64_t tile = i % 2 == 0 ? i / 2 : n_tiles - 1 - i / 2;
  const int64_t t0 = tile * tile_tokens, t1 = std::min(a.n_tokens, t0 + tile_tokens);
  QuerySet qs;
  for (int64_t t = t0; t < t1; ++t)
    for (int64_t g = 0; g < group; ++g) {
      const int64_t h = kv_head * group + g;
      qs.q[qs.count] = a.q + t * a.q_stride + h * c.head_dim;
      qs.out[qs.count] = a.out + t * a.out_stride + h * c.head_dim;
      qs.len[qs.count] = a.p0 + t + 1;
      ++qs.count;
    }
  attend(isa, c, a.slot, kv_head, 0, a.scale, qs);
}

void prefill(const CpuContext& ctx, Isa isa, const AttentionPrefillArgs& a) {
  if (a.n_tokens <= 0 || a.cache.n_kv_heads <= 0) return;
  const int64_t group = a.n_heads / a.cache.n_kv_heads;
  const int64_t tile_tokens = prefillTile(group);
  const int64_t n_tiles = (a.n_tokens + tile_tokens - 1) / tile_tokens;
  const int64_t items = n_tiles * a.cache.n_kv_heads;
  auto run = [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) prefillItem(isa, a, i, n_tiles, tile_tokens);
  };
  parallelRows(ctx, items, 1, run);
}

// ---- decode ---------------------------------------------------------------------
//
// Work items are (sequence, kv head, KV chunk): with few kv heads (SmolLM2
// has 3) and a small batch there are fewer (sequence, kv head) pairs than
// threads, so a sequence's positions are also split into chunks
// (flash-decoding). Each item streams its chunk of K/V once for all query
// heads of the group and leaves an unnormalized partial; the calling thread
// merges the chunks' partials in chunk order.
//
// Batch invariance: the chunks of a sequence depend on its own length only
// (kDecodeChunk positions each, one chunk when it is no longer), never on the
// batch size or the thread count, so a row's arithmetic is the same alone or
// beside any other rows.

constexpr int64_t kDecodeChunk = 128;  // positions per chunk (a multiple of kBlock)

int64_t chunksOf(int64_t len) { return len <= kDecodeChunk ? 1 : (len + kDecodeChunk - 1) / kDecodeChunk; }

struct DecodeSplit {
  int64_t max_chunks = 1;
  std::vector<int64_t> first;  // [batch + 1]: item index of each row's first (row, kv head 0, chunk 0)
  float* parts = nullptr;      // [batch, n_heads, max_chunks, head_dim + 2]
};

void decodeItem(Isa isa, const AttentionDecodeArgs& a, const DecodeSplit& sp, int64_t item) {
  const KvCacheView& c = a.cache;
  const int64_t group = a.n_heads / c.n_kv_heads, hd = c.head_dim;
  // item -> row b (first[b] <= item < first[b + 1]), then kv head and chunk.
  const int64_t b = std::upper_bound(sp.first.begin(), sp.first.end(), item) - sp.first.begin() - 1;
  const int64_t len = a.lengths[b], chunks = chunksOf(len);
  const int64_t local = item - sp.first[size_t(b)];
  const int64_t kv_head = local / chunks, chunk = local % chunks;
  const int64_t j0 = chunk * kDecodeChunk;
  QuerySet qs;
  for (int64_t g = 0; g < group; ++g) {
    const int64_t h = kv_head * group + g;
    qs.q[qs.count] = a.q + b * a.q_stride + h * hd;
    qs.out[qs.count] = a.out + b * a.out_stride + h * hd;
    if (chunks > 1) {
      qs.part[qs.count] = sp.parts + ((b * a.n_heads + h) * sp.max_chunks + chunk) * (hd + 2);
      qs.len[qs.count] = std::min<int64_t>(len - j0, kDecodeChunk);
    } else {
      qs.len[qs.count] = len;
    }
    ++qs.count;
  }
  attend(isa, c, a.slots ? a.slots[b] : b, kv_head, j0, a.scale, qs);
}

// For each split row: out[b, h] = sum_c e^(max_c - M) acc_c / sum_c e^(max_c - M) sum_c, M = max_c max_c.
void mergeChunks(const AttentionDecodeArgs& a, const DecodeSplit& sp) {
  const int64_t hd = a.cache.head_dim;
  for (int64_t b = 0; b < a.batch; ++b) {
    const int64_t chunks = chunksOf(a.lengths[b]);
    if (chunks == 1) continue;
    for (int64_t h = 0; h < a.n_heads; ++h) {
      const float* part = sp.parts + (b * a.n_heads + h) * sp.max_chunks * (hd + 2);
      float mx = -std::numeric_limits<float>::infinity();
      for (int64_t c = 0; c < chunks; ++c) mx = std::max(mx, part[c * (hd + 2) + hd]);
      float* o = a.out + b * a.out_stride + h * hd;
      std::fill(o, o + hd, 0.0f);
      float sum = 0.0f;
      for (int64_t c = 0; c < chunks; ++c) {
        const float* pc = part + c * (hd + 2);
        const float w = std::exp(pc[hd] - mx);
        sum += w * pc[hd + 1];
        for (int64_t i = 0; i < hd; ++i) o[i] += w * pc[i];
      }
      const float inv = 1.0f / sum;
      for (int64_t i = 0; i < hd; ++i) o[i] *= inv;
    }
  }
}

void decode(const CpuContext& ctx, Isa isa, const AttentionDecodeArgs& a) {
  if (a.batch <= 0 || a.cache.n_kv_heads <= 0) return;
  // The calling thread's scratch: grows to the largest step seen, then stays
  // (no allocation per decode step once warm).
  thread_local DecodeSplit sp;
  sp.first.resize(size_t(a.batch) + 1);
  sp.first[0] = 0;
  sp.max_chunks = 1;
  for (int64_t b = 0; b < a.batch; ++b) {
    const int64_t chunks = chunksOf(a.lengths[b]);
    sp.max_chunks = std::max(sp.max_chunks, chunks);
    sp.first[size_t(b) + 1] = sp.first[size_t(b)] + chunks * a.cache.n_kv_heads;
  }
  if (sp.max_chunks > 1) {
    thread_local std::vector<float> parts;
    const size_t need = size_t(a.batch * a.n_heads * sp.max_chunks * (a.cache.head_dim + 2));
    if (parts.size() < need) parts.resize(need);
    sp.parts = parts.data();
  }
  // Workers must see THIS thread's split (a thread_local named in the lambda
  // would be each worker's own).
  const DecodeSplit& split = sp;
  parallelRows(ctx, split.first.back(), 1, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) decodeItem(isa, a, split, i);
  });
  if (sp.max_chunks > 1) mergeChunks(a, sp);
}

// A group must fit one query set (n_heads / n_kv_heads <= 64).
bool groupFits(int64_t n_heads, int64_t n_kv) {
  return n_kv > 0 && n_heads % n_kv == 0 && n_heads / n_kv <= kMaxQueries;
}

}  // namespace

void attentionPrefill(const CpuContext& ctx, const AttentionPrefillArgs& a) {
  if (!groupFits(a.n_heads, a.cache.n_kv_heads)) return;
  prefill(ctx, ctx.isa, a);
}

void attentionPrefillRef(const AttentionPrefillArgs& a) {
  if (!groupFits(a.n_heads, a.cache.n_kv_heads)) return;
  prefill(CpuContext{nullptr, Isa::Scalar}, Isa::Scalar, a);
}

void attentionDecode(const CpuContext& ctx, const AttentionDecodeArgs& a) {
  if (!groupFits(a.n_heads, a.cache.n_kv_heads)) return;
  decode(ctx, ctx.isa, a);
}

void attentionDecodeRef(const AttentionDecodeArgs& a) {
  if (!groupFits(a.n_heads, a.cache.n_kv_heads)) return;
  decode(CpuContext{nullptr, Isa::Scalar}, Isa::Scalar, a);
}

}  // namespace lac::kernels::cpu
