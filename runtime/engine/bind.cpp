// Binding a plan entry point: buffers -> arena pointers, weights -> bytes,
// params -> fields, each operand's shape checked once (bound_step.h).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "runtime/artifact/format.h"
#include "runtime/artifact/kernels.h"
#include "runtime/artifact/weight_layout.h"
#include "runtime/engine/bound_step.h"
#include "runtime/kernels/cpu/rope.h"

namespace lac::engine {

using K = plan::Kernel;
using ull = unsigned long long;

AlignedBytes allocAligned(uint64_t bytes) {
  uint64_t n = artifact::alignUp(std::max<uint64_t>(bytes, 64), 64);
  return AlignedBytes(static_cast<uint8_t*>(std::aligned_alloc(64, n)));
}

namespace {

class Binder {
 public:
  Binder(const artifact::Artifact& a, const plan::EntryPoint& ep, const uint8_t* weights, BoundEntryPoint& out,
         const BindTarget& target)
      : a_(a), p_(a.plan()), ep_(ep), weights_(weights), out_(out), target_(target) {}

  VoidResult bind() {
    out_.name = ep_.name()->str();
    out_.max_tokens = ep_.max_tokens();
    out_.arena = allocAligned(ep_.arena_bytes());
    LAC_CHECK_OR_RETURN(out_.arena, Error::IoError, "%s: cannot allocate the %llu-byte arena of '%s'",
                        a_.name().c_str(), (ull)ep_.arena_bytes(), out_.name.c_str());
    // Not cleared: every buffer is written by its step before it is read, and
    // touching a prefill arena sized for max_seq_len x max_batch tokens would
    // cost most of the load time (the pages stay untouched until used).
    LAC_RETURN_IF_ERROR(roles());
    if (ep_.steps())
      for (uint32_t i = 0; i < ep_.steps()->size(); ++i) {
        step_index_ = i;
        LAC_RETURN_IF_ERROR(step(*ep_.steps()->Get(i)));
      }
    LAC_CHECK_OR_RETURN(!out_.steps.empty(), Error::InvalidArtifact, "%s: entry point '%s' has no steps",
                        a_.name().c_str(), out_.name.c_str());
    out_.norm_scratch = allocAligned(uint64_t(out_.max_tokens) * max_norm_ * sizeof(float));
    out_.mm_half = int64_t(out_.max_tokens) * max_ffn_;
    out_.mm_scratch = allocAligned(uint64_t(2 * out_.mm_half) * sizeof(float));
    out_.act_scratch = allocAligned(uint64_t(out_.max_tokens) * max_mm_in_ * sizeof(float));
    LAC_CHECK_OR_RETURN(out_.norm_scratch && out_.mm_scratch && out_.act_scratch, Error::IoError,
                        "%s: cannot allocate the scratch memory of '%s'", a_.name().c_str(), out_.name.c_str());
    out_.slot_ids.assign(out_.max_tokens, 0);
    out_.lengths.assign(out_.max_tokens, 0);
    return {};
  }

 private:
  // ---- messages -------------------------------------------------------------
  std::string where() const {
    const plan::Step& s = *ep_.steps()->Get(step_index_);
    return a_.name() + ": entry point '" + out_.name + "' step " + std::to_string(step_index_) + " (" +
           artifact::kernelLabel(s.kernel()) + ")";
  }
#define BIND_CHECK(cond, kind, fmt, ...) \
  LAC_CHECK_OR_RETURN(cond, kind, "%s: " fmt, where().c_str() __VA_OPT__(, ) __VA_ARGS__)

  // ---- buffers --------------------------------------------------------------
  const plan::Buffer& buffer(uint32_t id) const { return *ep_.buffers()->Get(id); }
  uint8_t* at(const plan::Buffer& b) const { return out_.arena.get() + b.offset(); }

  VoidResult roles() {
    LAC_CHECK_OR_RETURN(ep_.buffers() && ep_.buffers()->size() > 0, Error::InvalidArtifact,
                        "%s: entry point '%s' has no buffers", a_.name().c_str(), out_.name.c_str());
    // The tokens a call may carry: the tokens buffer's length (the decode
    // entry point's buffers are [1, ...] even where max_tokens says more).
    for (const plan::Buffer* b : *ep_.buffers())
      if (b->role() == plan::BufferRole::tokens && b->shape() && b->shape()->size() == 1)
        out_.max_tokens = uint32_t(std::min<uint64_t>(out_.max_tokens, b->shape()->Get(0)));
    LAC_CHECK_OR_RETURN(out_.max_tokens > 0, Error::InvalidArtifact, "%s: entry point '%s' takes no tokens",
                        a_.name().c_str(), out_.name.c_str());
    bool logits = false;
    for (const plan::Buffer* b : *ep_.buffers()) {
      const uint64_t n = b->shape() && b->shape()->size() ? b->shape()->Get(0) : 0;
      switch (b->role()) {
        case plan::BufferRole::tokens:
        case plan::BufferRole::positions:
        case plan::BufferRole::slots: {
          LAC_CHECK_OR_RETURN(b->dtype() == plan::DType::i32 && n >= out_.max_tokens, Error::InvalidArtifact,
                              "%s: entry point '%s': the %s buffer must be i32 [%u]", a_.name().c_str(),
                              out_.name.c_str(), plan::EnumNameBufferRole(b->role()), out_.max_tokens);
          int32_t* p = reinterpret_cast<int32_t*>(at(*b));
          (b->role() == plan::BufferRole::tokens      ? out_.tokens
           : b->role() == plan::BufferRole::positions ? out_.positions
                                                      : out_.slots) = p;
          break;
        }
        case plan::BufferRole::logits: {
          auto r = act(b->id(), p_.config()->vocab_size());
          LAC_CHECK_OR_RETURN(r.ok(), Error::InvalidArtifact, "%s: entry point '%s': logits buffer: %s",
                              a_.name().c_str(), out_.name.c_str(), r.message().c_str());
          out_.logits = *r;
          logits = true;
          break;
        }
        default: break;
      }
    }
    LAC_CHECK_OR_RETURN(out_.tokens && out_.positions && logits, Error::InvalidArtifact,
                        "%s: entry point '%s' needs tokens, positions and logits buffers", a_.name().c_str(),
                        out_.name.c_str());
    return {};
  }

  // Buffer `id` as an f32 activation of `width` floats per row.
  Result<Act> act(uint32_t id, uint64_t width) const {
    const plan::Buffer& b = buffer(id);
    LAC_CHECK_OR_RETURN(b.dtype() == plan::DType::f32, Error::Unsupported,
                        "buffer %u is %s; the %s engine's activations are f32", id,
                        plan::EnumNameDType(b.dtype()), target_.engine);
    LAC_CHECK_OR_RETURN(b.shape() && b.shape()->size() >= 2, Error::InvalidArtifact,
                        "buffer %u is not [tokens, features]", id);
    uint64_t w = 1;
    for (uint32_t i = 1; i < b.shape()->size(); ++i) w *= b.shape()->Get(i);
    LAC_CHECK_OR_RETURN(w == width, Error::InvalidArtifact, "buffer %u rows hold %llu values, expected %llu", id,
                        (ull)w, (ull)width);
    const uint64_t rows = b.shape()->Get(0);
    Act r;
    r.p = reinterpret_cast<float*>(at(b));
    r.stride = int64_t(width);
    r.buffer = id;
    if (rows == out_.max_tokens) {
      r.per_token = true;
    } else {
      LAC_CHECK_OR_RETURN(rows == 1, Error::InvalidArtifact, "buffer %u has %llu rows; expected %u or 1", id,
                          (ull)rows, out_.max_tokens);
      r.per_token = false;
    }
    return r;
  }

  VoidResult actInto(Act& dst, uint32_t id, uint64_t width) const {
    Result<Act> r = act(id, width);
    BIND_CHECK(r.ok(), r.error(), "%s", r.message().c_str());
    dst = *r;
    return {};
  }

  // ---- weights --------------------------------------------------------------
  // Weight `idx` of shape `shape`; its format must be in `types` (norm: f32).
  VoidResult weight(BoundWeight& dst, uint32_t idx, std::vector<uint64_t> shape, bool norm) const {
    // A weight the tensor-parallel ranks split: this rank's slice (validated: one per rank).
    if (const plan::Weight& whole = *p_.weights()->Get(idx); whole.shards() && whole.shards()->size() > target_.rank)
      idx = whole.shards()->Get(target_.rank);
    const plan::Weight& w = *p_.weights()->Get(idx);
    const char* name = w.name()->c_str();
    const DType t = artifact::toDType(w.dtype());
    const bool matrix_ok = artifact::targetTakesMatrix(target_.target, t);
    BIND_CHECK(norm ? t == DType::F32 : matrix_ok, Error::Unsupported,
               "weight '%s' is %s, which the %s kernels do not take here", name, plan::EnumNameDType(w.dtype()),
               target_.engine);
    // Interleaved layouts are CPU-only; another engine takes row_major.
    BIND_CHECK(target_.target == plan::Target::cpu || !w.layout() || w.layout()->str().empty() ||
                   w.layout()->str() == "row_major",
               Error::Unsupported, "weight '%s' has layout '%s'; the %s engine takes row_major", name,
               w.layout()->c_str(), target_.engine);
    std::vector<uint64_t> got;
    if (w.shape()) got.assign(w.shape()->begin(), w.shape()->end());
    const std::string_view layout_name = w.layout() ? w.layout()->string_view() : "";
    const std::optional<kernels::WeightLayout> layout = artifact::parseWeightLayout(layout_name, t, got);
    BIND_CHECK(layout.has_value() && (!norm || layout == kernels::WeightLayout::RowMajor), Error::Unsupported,
               "weight '%s' has layout '%s'; the %s engine takes row_major, or q8_0x8/q4_0x8/q4_1x8 for "
               "matrices of that dtype with rows %% 8 == 0", name, std::string(layout_name).c_str(), target_.engine);
    BIND_CHECK(got == shape, Error::InvalidArtifact, "weight '%s' has the wrong shape for this step", name);
    if (!norm && t != DType::F32 && t != DType::F16 && t != DType::BF16)
      BIND_CHECK(shape.back() % 32 == 0, Error::InvalidArtifact, "weight '%s': %llu columns, not whole blocks",
                 name, (ull)shape.back());
    dst.p = weights_ + w.blob()->offset();
    dst.type = t;
    dst.layout = *layout;
    return {};
  }

  // ---- steps ----------------------------------------------------------------
  VoidResult step(const plan::Step& s) {
    BoundStep b;
    b.kernel = s.kernel();
    BIND_CHECK(artifact::kernelSignature(s.kernel()).has_value(), Error::Unsupported,
               "this engine has no such kernel");
    auto ins = [&](uint32_t i) { return s.inputs()->Get(i); };
    auto ws = [&](uint32_t i) { return s.weights()->Get(i); };
    const uint32_t n_in = s.inputs() ? s.inputs()->size() : 0;
    const uint32_t n_w = s.weights() ? s.weights()->size() : 0;
    const uint32_t out = s.outputs()->Get(0);
    const plan::StepParams* q = s.params();
    BIND_CHECK(q != nullptr, Error::InvalidArtifact, "step has no params");
    b.rows = int64_t(q->rows());
    b.cols = int64_t(q->cols());
    b.eps = q->eps();
    b.n_in = int(n_in);
    b.n_w = int(n_w);
    const uint64_t R = q->rows(), C = q->cols();
    switch (s.kernel()) {
      case K::embed: {
        const plan::Buffer& tb = buffer(ins(0));
        BIND_CHECK(tb.role() == plan::BufferRole::tokens, Error::InvalidArtifact, "input is not the tokens buffer");
        b.ids = reinterpret_cast<const int32_t*>(at(tb));
        LAC_RETURN_IF_ERROR(weight(b.w[0], ws(0), {R, C}, false));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, C));
        BIND_CHECK(b.out.per_token, Error::InvalidArtifact, "embed output must have a row per token");
        break;
      }
      case K::rmsnorm:
        LAC_RETURN_IF_ERROR(weight(b.w[0], ws(0), {C}, true));
        LAC_RETURN_IF_ERROR(actInto(b.in[0], ins(0), C));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, C));
        max_norm_ = std::max(max_norm_, C);
        break;
      case K::matmul:
        LAC_RETURN_IF_ERROR(weight(b.w[0], ws(0), {R, C}, false));
        LAC_RETURN_IF_ERROR(actInto(b.in[0], ins(0), C));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, R));
        BIND_CHECK(b.in[0].buffer != out, Error::InvalidArtifact, "matmul cannot run in place");
        break;
      case K::rmsnorm_matmul:
      case K::final_norm_lm_head:
        LAC_RETURN_IF_ERROR(weight(b.w[0], ws(0), {C}, true));
        LAC_RETURN_IF_ERROR(weight(b.w[1], ws(1), {R, C}, false));
        LAC_RETURN_IF_ERROR(actInto(b.in[0], ins(0), C));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, R));
        max_norm_ = std::max(max_norm_, C);
        b.reuse_norm = sameNorm(b);
        break;
      case K::matmul_residual:
        LAC_RETURN_IF_ERROR(weight(b.w[0], ws(0), {R, C}, false));
        LAC_RETURN_IF_ERROR(actInto(b.in[0], ins(0), C));
        LAC_RETURN_IF_ERROR(actInto(b.in[1], ins(1), R));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, R));
        BIND_CHECK(b.in[0].buffer != out, Error::InvalidArtifact, "the matmul input cannot be the output");
        break;
      case K::rmsnorm_gate_up_silu:
        LAC_RETURN_IF_ERROR(weight(b.w[0], ws(0), {C}, true));
        if (n_w == 2) {
          LAC_RETURN_IF_ERROR(weight(b.w[1], ws(1), {2 * R, C}, false));
        } else {
          LAC_RETURN_IF_ERROR(weight(b.w[1], ws(1), {R, C}, false));
          LAC_RETURN_IF_ERROR(weight(b.w[2], ws(2), {R, C}, false));
        }
        LAC_RETURN_IF_ERROR(actInto(b.in[0], ins(0), C));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, R));
        max_norm_ = std::max(max_norm_, C);
        max_ffn_ = std::max(max_ffn_, 2 * R);
        break;
      case K::rope_kv_attention: LAC_RETURN_IF_ERROR(attention(s, b)); break;
      case K::add:
        LAC_RETURN_IF_ERROR(actInto(b.in[0], ins(0), C));
        LAC_RETURN_IF_ERROR(actInto(b.in[1], ins(1), C));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, C));
        break;
      case K::all_reduce:
      case K::all_gather: {
        const uint32_t ranks = artifact::tensorParallelOf(p_);
        BIND_CHECK(ranks > 1, Error::InvalidArtifact, "a collective in a plan for one rank");
        LAC_RETURN_IF_ERROR(actInto(b.in[0], ins(0), C));
        LAC_RETURN_IF_ERROR(actInto(b.out, out, s.kernel() == K::all_gather ? C * ranks : C));
        BIND_CHECK(b.in[0].per_token == b.out.per_token && b.in[0].stride == int64_t(C), Error::InvalidArtifact,
                   "a collective's rows must be dense and as many as its output's");
        BIND_CHECK(s.kernel() == K::all_reduce || b.in[0].buffer != out, Error::InvalidArtifact,
                   "all_gather cannot run in place");
        break;
      }
    }
    if (s.kernel() == K::matmul || s.kernel() == K::rmsnorm_matmul || s.kernel() == K::final_norm_lm_head ||
        s.kernel() == K::matmul_residual || s.kernel() == K::rmsnorm_gate_up_silu)
      max_mm_in_ = std::max(max_mm_in_, C);
    for (int i = 0; i < b.n_in; ++i)
      BIND_CHECK(b.in[i].per_token || !b.out.per_token || out_.max_tokens == 1, Error::InvalidArtifact,
                 "a one-row input feeds a per-token output");
    out_.steps.push_back(std::move(b));
    return {};
  }

  // The previous step normalized the same rows of the same buffer with the
  // same weight (the emitter splits rmsnorm_matmul with N weights into N
  // steps) and wrote elsewhere: its normalized rows are still in the scratch.
  bool sameNorm(const BoundStep& b) const {
    if (out_.steps.empty()) return false;
    const BoundStep& prev = out_.steps.back();
    return prev.kernel == K::rmsnorm_matmul && prev.in[0].buffer == b.in[0].buffer &&
           prev.w[0].p == b.w[0].p && prev.eps == b.eps && prev.cols == b.cols &&
           prev.out.per_token == b.out.per_token && prev.out.buffer != b.in[0].buffer;
  }

  VoidResult attention(const plan::Step& s, BoundStep& b) {
    const plan::StepParams& q = *s.params();
    const plan::ModelConfig& c = *p_.config();
    b.layer = s.layer();
    b.n_heads = q.n_heads();
    b.n_kv_heads = q.n_kv_heads();
    b.head_dim = q.head_dim();
    BIND_CHECK(b.layer >= 0 && uint32_t(b.layer) < c.n_layers(), Error::InvalidArtifact, "layer %d", b.layer);
    const uint32_t kv_heads = c.n_kv_heads() / artifact::tensorParallelOf(p_);  // this rank's share
    BIND_CHECK(q.n_kv_heads() == kv_heads && q.head_dim() == c.head_dim(), Error::InvalidArtifact,
               "n_kv_heads %u / head_dim %u differ from the model's KV cache (%u / %u)", q.n_kv_heads(),
               q.head_dim(), kv_heads, c.head_dim());
    BIND_CHECK(b.head_dim % 2 == 0 && b.head_dim <= 1024 && b.n_heads % b.n_kv_heads == 0, Error::Unsupported,
               "head_dim %lld / heads %lld:%lld", (long long)b.head_dim, (long long)b.n_heads,
               (long long)b.n_kv_heads);
    const uint64_t hd = uint64_t(b.n_heads * b.head_dim), kvd = uint64_t(b.n_kv_heads * b.head_dim);
    const uint32_t n_in = s.inputs()->size();
    BIND_CHECK(n_in == 1 || n_in == 3, Error::InvalidArtifact, "takes qkv or q, k, v; got %u inputs", n_in);
    if (n_in == 1) {
      LAC_RETURN_IF_ERROR(actInto(b.in[0], s.inputs()->Get(0), hd + 2 * kvd));
    } else {
      LAC_RETURN_IF_ERROR(actInto(b.in[0], s.inputs()->Get(0), hd));
      LAC_RETURN_IF_ERROR(actInto(b.in[1], s.inputs()->Get(1), kvd));
      LAC_RETURN_IF_ERROR(actInto(b.in[2], s.inputs()->Get(2), kvd));
    }
    LAC_RETURN_IF_ERROR(actInto(b.out, s.outputs()->Get(0), hd));
    for (uint32_t i = 0; i < n_in; ++i)
      BIND_CHECK(b.in[i].per_token && b.in[i].buffer != b.out.buffer, Error::InvalidArtifact,
                 "attention inputs need a row per token and cannot be the output");
    BIND_CHECK(b.out.per_token, Error::InvalidArtifact, "attention output needs a row per token");
    b.scale = q.attn_scale() > 0 ? q.attn_scale() : 1.0f / std::sqrt(float(b.head_dim));
    kernels::RopeScaling rs;
    if (const plan::RopeScaling* r = q.rope_scaling())
      rs = {r->factor(), r->low_freq_factor(), r->high_freq_factor(), float(r->original_max_position())};
    b.freqs.assign(size_t(b.head_dim / 2), 0.0f);
    kernels::cpu::ropeFrequencies(b.head_dim, q.rope_theta(), rs, b.freqs.data());
    return {};
  }
#undef BIND_CHECK

  const artifact::Artifact& a_;
  const plan::Plan& p_;
  const plan::EntryPoint& ep_;
  const uint8_t* weights_;
  BoundEntryPoint& out_;
  const BindTarget& target_;
  uint32_t step_index_ = 0;
  uint64_t max_norm_ = 0, max_ffn_ = 0, max_mm_in_ = 0;
};

}  // namespace

Result<std::unique_ptr<BoundEntryPoint>> bindEntryPoint(const artifact::Artifact& a, const plan::EntryPoint& ep,
                                                        const uint8_t* weights_base, const BindTarget& target) {
  auto out = std::make_unique<BoundEntryPoint>();
  LAC_RETURN_IF_ERROR(Binder(a, ep, weights_base, *out, target).bind());
  return out;
}

}  // namespace lac::engine
