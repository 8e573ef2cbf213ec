// The kernel interface shared by every backend (CPU and CUDA).
//
// Kernels take raw pointers, shapes and strides, and know nothing of the plan
// format (FlashInfer's style): the engine fills these structs from its memory
// plan. Strides are in elements unless named *_bytes. Pointers are device
// pointers on a GPU backend. Kernels do not validate: the engine checks shapes
// once when it loads a plan; preconditions are listed per struct.
#pragma once

#include <cstdint>

#include "runtime/core/dtype.h"

namespace lac::kernels {

// How a weight matrix's bytes are arranged (the plan's Weight.layout).
//   RowMajor: [out, in], rows contiguous, each rowBytes(type, in) bytes (GGML
//             blocks along the row for the quantized types).
//   X8:       q8_0/q4_0/q4_1 only, out % 8 == 0: rows interleaved in groups
//             of 8 (plan layouts "q8_0x8", "q4_0x8", "q4_1x8"; the byte
//             layout is in runtime/kernels/cpu/pack_x8.h and docs/FORMAT.md).
//             Same total size as RowMajor.
enum class WeightLayout : uint8_t { RowMajor, X8 };

// ---- embedding --------------------------------------------------------------
// out[t, :] = dequant(table[ids[t], :]).
// Preconditions: table type is f32/f16/bf16/q8_0/q4_0/q4_1; dim is a whole
// number of blocks; an X8 table has vocab % 8 == 0. An id outside [0, vocab)
// yields a zero row.
struct EmbeddingArgs {
  const void* table = nullptr;  // [vocab, dim] of `table_type` in `table_layout`
  DType table_type = DType::F32;
  int64_t vocab = 0, dim = 0;
  const int32_t* ids = nullptr;  // [n_tokens]
  int64_t n_tokens = 0;
  float* out = nullptr;  // [n_tokens, dim] f32, row stride out_stride
  int64_t out_stride = 0;
  WeightLayout table_layout = WeightLayout::RowMajor;
};

// ---- rmsnorm ----------------------------------------------------------------
// y[r, :] = x[r, :] * rsqrt(mean(x[r, :]^2) + eps) * w. y may alias x.
struct RmsNormArgs {
  const float* x = nullptr;  // [n, dim], row stride x_stride
  int64_t x_stride = 0;
  const float* w = nullptr;  // [dim]
  float* y = nullptr;        // [n, dim], row stride y_stride
  int64_t y_stride = 0;
  int64_t n = 0, dim = 0;
  float eps = 1e-5f;
};

// ---- matmul -----------------------------------------------------------------
// y[t, o] = sum_i x[t, i] * W[o, i]  (+ residual[t, o] when residual != null).
// W is [out, in] in `w_type`, arranged as `w_layout` (RowMajor: contiguous
// rows of rowBytes(w_type, in) bytes, GGML block layouts; X8: see
// WeightLayout). Preconditions: w_type is f32/f16/bf16/q8_0/q4_0/q4_1; for
// the quantized types `in` is a multiple of 32; X8 only for q8_0/q4_0/q4_1
// with out % 8 == 0. residual may alias y (in-place residual add); x must not
// alias y.
struct MatmulArgs {
  const float* x = nullptr;  // [n, in] f32, row stride x_stride
  int64_t x_stride = 0;
  const void* w = nullptr;  // [out, in]
  DType w_type = DType::F32;
  WeightLayout w_layout = WeightLayout::RowMajor;
  float* y = nullptr;  // [n, out] f32, row stride y_stride
  int64_t y_stride = 0;
  const float* residual = nullptr;  // [n, out] f32, row stride residual_stride, optional
  int64_t residual_stride = 0;
  int64_t n = 0, in = 0, out = 0;
};

// ---- rope -------------------------------------------------------------------
// Rotary embedding in Meta's interleaved layout: in each head, the pair
// (x[2i], x[2i+1]) is rotated by the angle pos * freqs[i]:
//   x'[2i]   = x[2i] cos - x[2i+1] sin
//   x'[2i+1] = x[2i] sin + x[2i+1] cos
// In place on x [n_tokens, n_heads, head_dim] (token stride x_stride, heads
// contiguous). freqs come from ropeFrequencies() (rope.h).
struct RopeArgs {
  float* x = nullptr;
  int64_t x_stride = 0;
  int64_t n_tokens = 0, n_heads = 0, head_dim = 0;
  const int32_t* positions = nullptr;  // [n_tokens]
  const float* freqs = nullptr;        // [head_dim / 2]
};

// Llama 3.1 rope scaling (Meta's apply_scaling); factor <= 0 disables it.
struct RopeScaling {
  float factor = 0.0f;  // 8 for Llama 3.1
  float low_freq_factor = 1.0f;
  float high_freq_factor = 4.0f;
  float original_max_position = 8192.0f;
};

// ---- KV cache ---------------------------------------------------------------
// One layer's cache: K and V are each [max_batch][n_kv_heads][max_seq][head_dim]
// of `dtype` (F32, or F16: half the memory and the attention reads; values
// are rounded to f16 when written, attention computes in f32). The engine
// keeps one such pair per layer, i.e. the whole cache is
// [n_layers][max_batch][n_kv_heads][max_seq][head_dim]. For one (sequence,
// kv head) the positions are contiguous, so attention streams K and V rows in
// order and a decode step reads each cached row exactly once per kv head.
struct KvCacheView {
  void* k = nullptr;
  void* v = nullptr;
  int64_t seq_stride = 0;   // elements between sequences (n_kv_heads * max_seq * head_dim)
  int64_t head_stride = 0;  // elements between kv heads (max_seq * head_dim)
  int64_t pos_stride = 0;   // elements between positions (head_dim)
  int64_t n_kv_heads = 0, head_dim = 0, max_seq = 0;
  DType dtype = DType::F32;

  // The dense layout described above.
  static KvCacheView dense(void* k, void* v, int64_t n_kv_heads, int64_t max_seq, int64_t head_dim,
                           DType dtype = DType::F32) {
    return {k, v, n_kv_heads * max_seq * head_dim, max_seq * head_dim, head_dim,
            n_kv_heads, head_dim, max_seq, dtype};
  }
  int64_t elementBytes() const { return dtype == DType::F16 ? 2 : 4; }
};

// Writes the K/V rows of new tokens: token t goes to sequence slots[t] at
// position positions[t]. Precondition: positions[t] < max_seq.
struct KvAppendArgs {
  KvCacheView cache;
  const float* k = nullptr;  // [n_tokens, n_kv_heads, head_dim], token stride k_stride
  int64_t k_stride = 0;
  const float* v = nullptr;  // [n_tokens, n_kv_heads, head_dim], token stride v_stride
  int64_t v_stride = 0;
  int64_t n_tokens = 0;
  const int32_t* slots = nullptr;      // [n_tokens]
  const int32_t* positions = nullptr;  // [n_tokens]
};

// ---- attention --------------------------------------------------------------
// Grouped-query causal attention: query head h reads kv head h / (n_heads /
// n_kv_heads). Softmax in f32 with max subtraction, scores scaled by `scale`
// (1/sqrt(head_dim)).

// Prefill: n_tokens queries of one sequence (cache slot `slot`) at positions
// p0 .. p0+n_tokens-1; query t attends to cache positions [0, p0 + t]. The K/V
// rows of these tokens must already be in the cache (kvAppend first).
struct AttentionPrefillArgs {
  KvCacheView cache;
  const float* q = nullptr;  // [n_tokens, n_heads, head_dim], token stride q_stride
  int64_t q_stride = 0;
  float* out = nullptr;  // [n_tokens, n_heads, head_dim], token stride out_stride
  int64_t out_stride = 0;
  int64_t n_tokens = 0, n_heads = 0;
  int32_t slot = 0;
  int64_t p0 = 0;
  float scale = 0.0f;
};

// Decode: one query per sequence; batch entry b uses cache slot slots[b] and
// attends to positions [0, lengths[b]) (its own token included).
struct AttentionDecodeArgs {
  KvCacheView cache;
  const float* q = nullptr;  // [batch, n_heads, head_dim], row stride q_stride
  int64_t q_stride = 0;
  float* out = nullptr;  // [batch, n_heads, head_dim], row stride out_stride
  int64_t out_stride = 0;
  int64_t batch = 0, n_heads = 0;
  const int32_t* slots = nullptr;    // [batch]; null means slot b for entry b
  const int32_t* lengths = nullptr;  // [batch], each >= 1
  float scale = 0.0f;
};

// ---- swiglu -----------------------------------------------------------------
// out[r, j] = silu(gate[r, j]) * up[r, j], silu(g) = g / (1 + exp(-g)).
// The fused "gate_up" form is gate = buf, up = buf + ffn, strides 2 * ffn,
// where one matmul produced [n, 2 * ffn] (gate half first). out may alias
// gate or up only with the same row stride (rows are split across threads).
struct SwigluArgs {
  const float* gate = nullptr;  // [n, ffn], row stride gate_stride
  int64_t gate_stride = 0;
  const float* up = nullptr;  // [n, ffn], row stride up_stride
  int64_t up_stride = 0;
  float* out = nullptr;  // [n, ffn], row stride out_stride
  int64_t out_stride = 0;
  int64_t n = 0, ffn = 0;

  static SwigluArgs fused(const float* gate_up, float* out, int64_t n, int64_t ffn) {
    return {gate_up, 2 * ffn, gate_up + ffn, 2 * ffn, out, ffn, n, ffn};
  }
};

}  // namespace lac::kernels
