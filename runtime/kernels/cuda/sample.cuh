// Sampling on the GPU, one block of kSampleThreads per batch row, matching
// the CPU Sampler (runtime/sampling) token for token given the same uniform:
//
//   1. max and argmax of the raw logits (first index on ties) and the
//      log-sum-exp for the logprob; temperature 0 returns the argmax;
//   2. probs = exp((x - max) / T) / sum as the CPU computes them: the
//      argument in f32, exp in double rounded to f32 (a correctly rounded
//      expf in effect), the sum in double (parallel order), probs[i] =
//      f32(e[i] / sum);
//   3. candidates without sorting the vocabulary:
//      top-k: radix select (12 + 12 + 8 bits of the f32 pattern, counts per
//        digit in shared memory) finds the k-th largest prob, candidates are
//        the probs >= it;
//      top-p alone: the mass per bucket of (exponent + 4 mantissa bits);
//        walking from the top, the cut is the first non-empty bucket below
//        a mass > p + 1e-3 (as runtime/sampling/top_p.h: every token below
//        it has cum - prob > p, so the nucleus ends among the candidates);
//   4. the candidates as 64-bit keys (prob bits << 32 | ~id: descending key
//      = prob descending, id ascending, the CPU's order) are bitonic-sorted,
//      in shared memory up to kSortSmem keys, else in the workspace;
//   5. one thread finishes exactly as the CPU: top-k renormalization (double
//      sum in sorted order), Meta's scan (float cumsum, first token with
//      cum - prob > p is dropped, at least one kept), then the draw
//      r = u * mass (double), first candidate whose double cdf exceeds r.
//      If rounding leaves the top-p scan unfinished among the candidates, the
//      block redoes 3-5 with every token a candidate.
//   With neither top-k nor top-p the draw runs over all tokens in id order
//   with a parallel double prefix sum.
#pragma once

#include "runtime/kernels/cuda/common.cuh"

namespace lac::kernels::cuda {

constexpr int kSampleThreads = 1024;
constexpr int kBins = 4096;
constexpr int kSortSmem = 4096;
constexpr int kMassShift = 19;  // bucket = f32 bits >> 19 (exponent + 4 mantissa bits)

struct SampleShared {
  union {
    struct {
      uint32_t count[kBins];
      float mass[kBins];
    } hist;
    uint64_t keys[kSortSmem];
  } u;
  double dscratch[32];
  float fscratch[32];
  int iscratch[32];
  uint32_t prefix, remaining, ncand, cut;
  int found, token, retry;
};

__device__ __forceinline__ uint32_t probBits(float p) { return __float_as_uint(p); }
__device__ __forceinline__ float keyProb(uint64_t k) { return __uint_as_float(static_cast<uint32_t>(k >> 32)); }
__device__ __forceinline__ int keyId(uint64_t k) { return static_cast<int>(0xffffffffu - static_cast<uint32_t>(k)); }

// Exclusive prefix (in thread order) of v over the block, and the total.
template <typename T>
__device__ T blockExclusiveScan(T v, T* scratch, T* total) {
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5, warps = blockDim.x >> 5;
  T inc = v;
  for (int o = 1; o < 32; o <<= 1) {
    const T n = __shfl_up_sync(0xffffffffu, inc, o);
    if (lane >= o) inc += n;
  }
  __syncthreads();
  if (lane == 31) scratch[warp] = inc;
  __syncthreads();
  T before = T(0), all = T(0);
  for (int w = 0; w < warps; ++w) {
    if (w < warp) before += scratch[w];
    all += scratch[w];
  }
  *total = all;
  return before + inc - v;
}

// For bins owned 4 per thread in descending bin order (thread 0: bins 4095..
// 4092), the sum of the bins above each owned bin: above[i] for bin
// 4095 - 4 tid - i.
template <typename T>
__device__ void binsAbove(const T* bins, T* scratch, T (&own)[4], T (&above)[4]) {
  T sum = T(0);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    own[i] = bins[kBins - 1 - 4 * static_cast<int>(threadIdx.x) - i];
    sum += own[i];
  }
  T total;
  T run = blockExclusiveScan(sum, scratch, &total);
#pragma unroll
  for (int i = 0; i < 4; ++i) {
    above[i] = run;
    run += own[i];
  }
}

// Descending bitonic sort of keys[0, n), n a power of two (the whole block).
__device__ void bitonicSortDesc(uint64_t* keys, int n) {
  for (int k = 2; k <= n; k <<= 1) {
    for (int j = k >> 1; j > 0; j >>= 1) {
      for (int i = threadIdx.x; i < n; i += blockDim.x) {
        const int ixj = i ^ j;
        if (ixj > i) {
          const uint64_t a = keys[i], b = keys[ixj];
          const bool desc = (i & k) == 0;
          if (desc ? a < b : a > b) {
            keys[i] = b;
            keys[ixj] = a;
          }
        }
      }
      __syncthreads();
    }
  }
}

__global__ void __launch_bounds__(kSampleThreads)
sampleKernel(const float* logits, int64_t logits_stride, int vocab, float temperature,
             float top_p, int top_k, const float* uniforms, int32_t* tokens, float* logprobs,
             uint8_t* workspace, size_t row_bytes, size_t keys_offset) {
  __shared__ SampleShared sh;
  const int tid = threadIdx.x;
  const int row = blockIdx.x;
  const float* x = logits + row * logits_stride;
  float* probs = reinterpret_cast<float*>(workspace + row * row_bytes);
  uint64_t* gkeys = reinterpret_cast<uint64_t*>(workspace + row * row_bytes + keys_offset);

  // ---- 1. max, argmax (first on ties), log-sum-exp ----
  float best = -INFINITY;
  int best_i = 0x7fffffff;
  for (int i = tid; i < vocab; i += kSampleThreads) {
    if (x[i] > best) {  // ascending i per thread: keeps the first on ties
      best = x[i];
      best_i = i;
    }
  }
  for (int o = 16; o > 0; o >>= 1) {
    const float ob = __shfl_xor_sync(0xffffffffu, best, o);
    const int oi = __shfl_xor_sync(0xffffffffu, best_i, o);
    if (ob > best || (ob == best && oi < best_i)) {
      best = ob;
      best_i = oi;
    }
  }
  if ((tid & 31) == 0) {
    sh.fscratch[tid >> 5] = best;
    sh.iscratch[tid >> 5] = best_i;
  }
  __syncthreads();
  if (tid == 0) {
    for (int w = 1; w < kSampleThreads / 32; ++w) {
      if (sh.fscratch[w] > best || (sh.fscratch[w] == best && sh.iscratch[w] < best_i)) {
        best = sh.fscratch[w];
        best_i = sh.iscratch[w];
      }
    }
    sh.token = best_i;
    sh.fscratch[0] = best;
  }
  __syncthreads();
  const float max_x = sh.fscratch[0];
  const int argmax = sh.token;
  double z = 0.0;
  for (int i = tid; i < vocab; i += kSampleThreads) z += exp(static_cast<double>(x[i]) - max_x);
  z = blockReduce(z, sh.dscratch, SumOp{});
  const double lse = static_cast<double>(max_x) + log(z);

  auto finish = [&](int token) {
    if (tid == 0) {
      tokens[row] = token;
      if (logprobs) logprobs[row] = static_cast<float>(static_cast<double>(x[token]) - lse);
    }
  };
  if (temperature == 0.0f) {
    finish(argmax);
    return;
  }

  // ---- 2. probs ----
  double sum = 0.0;
  for (int i = tid; i < vocab; i += kSampleThreads) {
    const float e = static_cast<float>(exp(static_cast<double>((x[i] - max_x) / temperature)));
    probs[i] = e;
    sum += e;
  }
  sum = blockReduce(sum, sh.dscratch, SumOp{});
  for (int i = tid; i < vocab; i += kSampleThreads)
    probs[i] = static_cast<float>(static_cast<double>(probs[i]) / sum);
  __syncthreads();
  const float coin = uniforms[row];

  const bool use_k = top_k > 0 && top_k < vocab;
  const bool use_p = top_p < 1.0f;
  if (!use_k && !use_p) {
    // ---- all tokens in id order: parallel double prefix sum ----
    const int chunk = (vocab + kSampleThreads - 1) / kSampleThreads;
    const int lo = min(vocab, tid * chunk), hi = min(vocab, lo + chunk);
    double part = 0.0;
    for (int i = lo; i < hi; ++i) part += probs[i];
    double mass;
    double cdf = blockExclusiveScan(part, sh.dscratch, &mass);
    if (tid == 0) sh.found = vocab - 1;  // rounding left r at the end: the last token
    __syncthreads();
    const double r = static_cast<double>(coin) * mass;
    for (int i = lo; i < hi; ++i) {
      cdf += probs[i];
      if (r < cdf) {
        atomicMin(&sh.found, i);
        break;
      }
    }
    __syncthreads();
    finish(sh.found);
    return;
  }

  for (int attempt = 0; attempt < 2; ++attempt) {
    // ---- 3. the candidate threshold (f32 bit pattern; probs are >= +0) ----
    uint32_t thr = 0;
    if (attempt == 0 && use_k) {
      if (tid == 0) {
        sh.prefix = 0;
        sh.remaining = static_cast<uint32_t>(top_k);
      }
      uint32_t mask = 0;
      const int shifts[3] = {20, 8, 0}, widths[3] = {12, 12, 8};
      for (int pass = 0; pass < 3; ++pass) {
        const int shift = shifts[pass];
        const uint32_t dmask = (1u << widths[pass]) - 1;
        for (int b = tid; b < kBins; b += kSampleThreads) sh.u.hist.count[b] = 0;
        __syncthreads();
        const uint32_t prefix = sh.prefix;
        for (int i = tid; i < vocab; i += kSampleThreads) {
          const uint32_t bits = probBits(probs[i]);
          if ((bits & mask) == prefix) atomicAdd(&sh.u.hist.count[(bits >> shift) & dmask], 1u);
        }
        __syncthreads();
        uint32_t own[4], above[4];
        binsAbove(sh.u.hist.count, reinterpret_cast<uint32_t*>(sh.iscratch), own, above);
        const uint32_t remaining = sh.remaining;
        __syncthreads();
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          if (above[i] < remaining && above[i] + own[i] >= remaining) {
            const uint32_t digit = static_cast<uint32_t>(kBins - 1 - 4 * tid - i);
            sh.prefix = prefix | (digit << shift);
            sh.remaining = remaining - above[i];
          }
        }
        mask |= dmask << shift;
        __syncthreads();
      }
      thr = sh.prefix;  // the k-th largest prob's bits
    } else if (attempt == 0) {
      for (int b = tid; b < kBins; b += kSampleThreads) {
        sh.u.hist.count[b] = 0;
        sh.u.hist.mass[b] = 0.0f;
      }
      if (tid == 0) sh.cut = 0;
      __syncthreads();
      for (int i = tid; i < vocab; i += kSampleThreads) {
        const float p = probs[i];
        const uint32_t b = probBits(p) >> kMassShift;
        atomicAdd(&sh.u.hist.count[b], 1u);
        atomicAdd(&sh.u.hist.mass[b], p);
      }
      __syncthreads();
      float mown[4], mabove[4];
      binsAbove(sh.u.hist.mass, sh.fscratch, mown, mabove);
#pragma unroll
      for (int i = 0; i < 4; ++i) {
        const int b = kBins - 1 - 4 * tid - i;
        if (mabove[i] > top_p + 1e-3f && sh.u.hist.count[b] > 0) atomicMax(&sh.cut, static_cast<uint32_t>(b));
      }
      __syncthreads();
      thr = sh.cut << kMassShift;
    }

    // ---- 4. gather and sort the candidates ----
    if (tid == 0) sh.ncand = 0;
    __syncthreads();
    for (int i = tid; i < vocab; i += kSampleThreads) {
      const uint32_t bits = probBits(probs[i]);
      if (bits >= thr) {
        const uint32_t slot = atomicAdd(&sh.ncand, 1u);
        gkeys[slot] = (static_cast<uint64_t>(bits) << 32) | (0xffffffffu - static_cast<uint32_t>(i));
      }
    }
    __syncthreads();
    const int ncand = static_cast<int>(sh.ncand);
    int pow2 = 1;
    while (pow2 < ncand) pow2 <<= 1;
    uint64_t* keys = gkeys;
    if (pow2 <= kSortSmem) {
      keys = sh.u.keys;  // the histogram is no longer needed
      for (int i = tid; i < pow2; i += kSampleThreads) keys[i] = i < ncand ? gkeys[i] : 0;
    } else {
      for (int i = ncand + tid; i < pow2; i += kSampleThreads) keys[i] = 0;
    }
    __syncthreads();
    bitonicSortDesc(keys, pow2);

    // ---- 5. the CPU's sequential tail ----
    if (tid == 0) {
      sh.retry = 0;
      int m = ncand;
      double renorm = 1.0;  // top-k: the kept probs' sum
      if (use_k && attempt == 0) {
        m = min(top_k, ncand);
        double s = 0.0;
        for (int i = 0; i < m; ++i) s += keyProb(keys[i]);
        renorm = s;
      }
      auto probAt = [&](int i) {
        const float p = keyProb(keys[i]);
        return use_k ? static_cast<float>(p / renorm) : p;
      };
      if (use_p) {
        float cum = 0.0f;
        bool masked = false;
        for (int i = 0; i < m; ++i) {
          const float q = probAt(i);
          cum += q;
          if (cum - q > top_p) {
            m = max(i, 1);
            masked = true;
            break;
          }
        }
        // Top-p alone must stop on a masked candidate unless all are candidates.
        if (!use_k && !masked && ncand < vocab) sh.retry = 1;
      }
      if (!sh.retry) {
        double mass = 0.0;
        for (int i = 0; i < m; ++i) mass += probAt(i);
        const double r = static_cast<double>(coin) * mass;
        double cdf = 0.0;
        int token = keyId(keys[m - 1]);
        for (int i = 0; i < m; ++i) {
          cdf += probAt(i);
          if (r < cdf) {
            token = keyId(keys[i]);
            break;
          }
        }
        sh.token = token;
      }
    }
    __syncthreads();
    if (!sh.retry) break;
    __syncthreads();
  }
  finish(sh.token);
}

}  // namespace lac::kernels::cuda
