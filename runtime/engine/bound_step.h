// The engine's load-time product: every plan step bound to raw pointers.
//
// Binding (bind.cpp) resolves each step's buffers to arena pointers, its
// weights to mapped (or random) weight bytes and its params to plain fields,
// and checks every shape once. Running (step_loop.h, over a backend's
// kernels: execute.cpp, cuda/cuda_execute.cpp) is then a loop over a flat
// array of BoundStep with a switch on the kernel: no lookup, no allocation,
// no validation per token.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/core/dtype.h"
#include "runtime/core/thread_pool.h"
#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::dist {
class Communicator;
}

namespace lac::engine {

// 64-byte aligned heap memory (arena, KV cache, random weights).
struct AlignedFree {
  void operator()(void* p) const { std::free(p); }
};
using AlignedBytes = std::unique_ptr<uint8_t[], AlignedFree>;
AlignedBytes allocAligned(uint64_t bytes);  // null when the allocation fails

// An activation operand: rows of `stride` floats. A per-token buffer has T
// rows in a call of T tokens; otherwise it has one row (a `last_token_only`
// result, e.g. prefill's [1, vocab] logits): steps producing one row read
// the last row of their per-token inputs.
struct Act {
  float* p = nullptr;
  int64_t stride = 0;
  bool per_token = true;
  uint32_t buffer = 0;  // plan buffer id (binding only)

  int64_t rows(int64_t t) const { return per_token ? t : 1; }
  // The last n of this operand's rows in a call of t tokens.
  float* last(int64_t t, int64_t n) const { return p + (rows(t) - n) * stride; }
};

struct BoundWeight {
  const void* p = nullptr;
  DType type = DType::F32;
  kernels::WeightLayout layout = kernels::WeightLayout::RowMajor;
};

struct BoundStep {
  plan::Kernel kernel{};
  Act in[3];
  int n_in = 0;
  Act out;
  BoundWeight w[3];
  int n_w = 0;
  const int32_t* ids = nullptr;  // embed: the tokens buffer
  int64_t rows = 0, cols = 0;    // matrix [rows, cols] / normalized width
  float eps = 0;
  bool reuse_norm = false;       // the scratch already holds this step's normalized input
  // rope_kv_attention
  int layer = -1;
  int64_t n_heads = 0, n_kv_heads = 0, head_dim = 0;
  float scale = 0;
  std::vector<float> freqs;      // [head_dim / 2]
};

// The q, k and v rows an attention step reads: one fused [T, (H+2KV)*D]
// buffer (q | k | v columns) or three buffers. The same for every engine.
struct QkvRows {
  float *q, *k, *v;
  int64_t qs, ks, vs;  // row strides, floats
};
inline QkvRows qkvRows(const BoundStep& b) {
  if (b.n_in == 1) {
    float* q = b.in[0].p;
    const int64_t st = b.in[0].stride;
    return {q, q + b.n_heads * b.head_dim, q + (b.n_heads + b.n_kv_heads) * b.head_dim, st, st, st};
  }
  return {b.in[0].p, b.in[1].p, b.in[2].p, b.in[0].stride, b.in[1].stride, b.in[2].stride};
}

// y[n, rows] = x[n, cols] . W^T (+ residual): the kernels' arguments, for
// every engine.
inline kernels::MatmulArgs matmulArgs(const float* x, int64_t xs, const BoundWeight& w, float* y, int64_t ys,
                                      int64_t n, int64_t rows, int64_t cols, const float* res = nullptr,
                                      int64_t rs = 0) {
  kernels::MatmulArgs a;
  a.x = x;
  a.x_stride = xs;
  a.w = w.p;
  a.w_type = w.type;
  a.w_layout = w.layout;
  a.y = y;
  a.y_stride = ys;
  a.residual = res;
  a.residual_stride = rs;
  a.n = n;
  a.in = cols;
  a.out = rows;
  return a;
}

struct BoundEntryPoint {
  std::string name;
  uint32_t max_tokens = 0;
  AlignedBytes arena;
  std::vector<BoundStep> steps;
  int32_t* tokens = nullptr;     // [max_tokens] i32, in the arena
  int32_t* positions = nullptr;  // [max_tokens] i32, in the arena
  // [max_tokens] i32 in the arena: each row's KV slot, for an entry point
  // whose rows are sequences (decode; plan BufferRole::slots). Null: the
  // rows are one sequence's tokens, and slot_ids holds its slot per row.
  int32_t* slots = nullptr;
  Act logits;
  // Scratch memory, allocated untouched (a prefill plan sizes it for
  // max_seq_len x max_batch tokens; pages are only paid for when used).
  AlignedBytes norm_scratch;  // [max_tokens, widest normalized row] f32
  AlignedBytes mm_scratch;    // [max_tokens, 2 * widest ffn] f32: gate | up
  AlignedBytes act_scratch;   // [max_tokens, widest matmul input] f32 (act_precision.h)
  int64_t mm_half = 0;              // offset of `up` in mm_scratch (separate gate/up)
  std::vector<int32_t> slot_ids;    // [max_tokens]: each row's slot
  std::vector<int32_t> lengths;     // [max_tokens]: decode, each row's length after the step
};

// Everything the engine owns besides the artifact.
struct EngineState {
  dist::Communicator* comm = nullptr;     // tensor parallel; null: one process
  std::vector<float> gathered;            // all_gather's [ranks][T][cols] before its reorder
  std::unique_ptr<ThreadPool> pool;
  kernels::cpu::CpuContext ctx;
  AlignedBytes random_weights;            // --no-weights plans
  AlignedBytes kv;                        // per layer: K then V, each [batch][kv_heads][seq][head_dim] f32
  std::vector<kernels::KvCacheView> kv_layers;
  std::unique_ptr<BoundEntryPoint> prefill;
  std::unique_ptr<BoundEntryPoint> decode;  // null: decode runs prefill with one token
};

// The engine a binding is for: the matrix formats its kernels read. The
// binder never dereferences weights, so `weights_base` may be a device
// pointer (the CUDA engine binds on the host, then moves the arena pointers
// to the device: runtime/engine/cuda/).
// Which engine binds: its name for messages, and the plan target whose
// matrix formats (runtime/schema/kernels.def) its kernels take.
struct BindTarget {
  const char* engine = "CPU";
  plan::Target target = plan::Target::cpu;
  uint32_t rank = 0;  // tensor parallel: the rank whose weight slices (Weight.shards) bind
};

// Binds entry point `ep` of `a` (weights from `weights_base`: the blob or
// the random weights, indexed by Weight.blob.offset). Unsupported for a
// kernel, weight format or layout this engine lacks; InvalidArtifact for
// operands that do not fit together.
Result<std::unique_ptr<BoundEntryPoint>> bindEntryPoint(const artifact::Artifact& a,
                                                        const plan::EntryPoint& ep,
                                                        const uint8_t* weights_base,
                                                        const BindTarget& target = {});

// Runs the bound steps for one call (step_loop.h; tokens and positions
// already in the arena). precise: quantized matmuls take a second pass over
// their activations' quantization error (act_precision.h).
// Fails only in a collective (tensor parallel: another rank stopped).
struct StepCall;
VoidResult execute(EngineState& s, BoundEntryPoint& ep, const StepCall& call, bool precise);

// Fills each weight of the plan at base + blob.offset with deterministic
// random values of its format (quantized blocks with sane scales).
void fillRandomWeights(const plan::Plan& p, uint8_t* base, uint64_t seed);

}  // namespace lac::engine
