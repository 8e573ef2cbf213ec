#include "runtime/artifact/validate.h"

#include <algorithm>
#include <cmath>
#include <string_view>
#include <unordered_set>

#include "runtime/artifact/cpu_features.h"
#include "runtime/artifact/format.h"
#include "runtime/artifact/kernels.h"
#include "runtime/artifact/weight_layout.h"

namespace lac::artifact {

namespace {

using ull = unsigned long long;

bool positiveFinite(float v) { return std::isfinite(v) && v > 0.0f; }

std::string_view str(const flatbuffers::String* s) {
  return s == nullptr ? std::string_view() : std::string_view(s->c_str(), s->size());
}

std::vector<uint64_t> shapeOf(const flatbuffers::Vector<uint64_t>* v) {
  return v == nullptr ? std::vector<uint64_t>() : std::vector<uint64_t>(v->begin(), v->end());
}

std::string shapeText(const std::vector<uint64_t>& shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) s += ',';
    s += std::to_string(shape[i]);
  }
  s += ']';
  return s;
}

// ---------------------------------------------------------------------------
// Model config, target, limits

VoidResult checkConfig(const plan::Plan& p, const char* n) {
  const plan::ModelConfig& c = *p.config();
  struct { const char* field; uint32_t v; } dims[] = {
      {"dim", c.dim()},           {"n_layers", c.n_layers()},   {"n_heads", c.n_heads()},
      {"n_kv_heads", c.n_kv_heads()}, {"head_dim", c.head_dim()}, {"ffn_dim", c.ffn_dim()},
      {"vocab_size", c.vocab_size()},
  };
  for (auto& d : dims)
    LAC_CHECK_OR_RETURN(d.v > 0, Error::InvalidArtifact, "%s: model config: %s is 0", n, d.field);
  LAC_CHECK_OR_RETURN(c.n_heads() % c.n_kv_heads() == 0, Error::InvalidArtifact,
                      "%s: model config: n_heads %u is not a multiple of n_kv_heads %u", n, c.n_heads(),
                      c.n_kv_heads());
  const uint32_t tp = tensorParallelOf(p);
  LAC_CHECK_OR_RETURN(tp <= 64 && c.n_heads() % tp == 0 && c.n_kv_heads() % tp == 0 && c.ffn_dim() % tp == 0,
                      Error::InvalidArtifact,
                      "%s: tensor_parallel %u does not divide n_heads %u, n_kv_heads %u and ffn_dim %u", n, tp,
                      c.n_heads(), c.n_kv_heads(), c.ffn_dim());
  LAC_CHECK_OR_RETURN(positiveFinite(c.norm_eps()), Error::InvalidArtifact, "%s: model config: norm_eps %g", n,
                      c.norm_eps());
  LAC_CHECK_OR_RETURN(positiveFinite(c.rope_theta()), Error::InvalidArtifact, "%s: model config: rope_theta %g", n,
                      c.rope_theta());
  if (const plan::RopeScaling* s = c.rope_scaling()) {
    LAC_CHECK_OR_RETURN(positiveFinite(s->factor()) && positiveFinite(s->low_freq_factor()) &&
                            positiveFinite(s->high_freq_factor()) && s->original_max_position() > 0,
                        Error::InvalidArtifact, "%s: model config: rope_scaling has a non-positive field", n);
  }
  LAC_CHECK_OR_RETURN(p.max_batch() > 0 && p.max_seq_len() > 0, Error::InvalidArtifact,
                      "%s: max_batch %u and max_seq_len %u must be positive", n, p.max_batch(), p.max_seq_len());
  return {};
}

VoidResult checkTarget(const plan::TargetInfo& t, const char* n, const ValidateOptions& opts) {
  LAC_CHECK_OR_RETURN(t.target() >= plan::Target::MIN && t.target() <= plan::Target::MAX, Error::Unsupported,
                      "%s: target id %u is unknown to this runtime", n, unsigned(t.target()));
  if (!opts.check_host_cpu || t.cpu_features() == nullptr) return {};
  for (const flatbuffers::String* f : *t.cpu_features()) {
    std::string feature(str(f));
    switch (hostCpuFeature(feature)) {
      case CpuFeature::Present: break;
      case CpuFeature::Absent:
        LAC_FAIL(Error::Unsupported, "%s: compiled for CPU feature '%s', which this CPU lacks: recompile for it",
                 n, feature.c_str());
      case CpuFeature::Unknown:
        LAC_FAIL(Error::Unsupported, "%s: requires CPU feature '%s', unknown to this runtime (it knows %s)", n,
                 feature.c_str(), knownCpuFeatures().c_str());
    }
  }
  return {};
}

// ---------------------------------------------------------------------------
// Tokenizer, chat, stop tokens, generation defaults

VoidResult checkTokenId(uint32_t id, uint32_t limit, const char* n, const char* what) {
  LAC_CHECK_OR_RETURN(id < limit, Error::InvalidArtifact, "%s: %s %u is not below the vocabulary size %u", n, what,
                      id, limit);
  return {};
}

VoidResult checkTokenizer(const plan::Plan& p, const char* n) {
  const uint32_t vocab = p.config()->vocab_size();
  if (p.stop_token_ids() != nullptr)
    for (uint32_t id : *p.stop_token_ids()) LAC_RETURN_IF_ERROR(checkTokenId(id, vocab, n, "stop token id"));
  if (const plan::ChatFormat* chat = p.chat()) {
    LAC_CHECK_OR_RETURN(chat->kind() <= plan::ChatFormatKind::MAX, Error::Unsupported,
                        "%s: chat format id %u is unknown to this runtime", n, unsigned(chat->kind()));
    LAC_CHECK_OR_RETURN(chat->kind() != plan::ChatFormatKind::jinja ||
                            (chat->template_text() && chat->template_text()->size() > 0),
                        Error::InvalidArtifact, "%s: the chat format is a Jinja template, but the template is empty",
                        n);
  }

  const plan::Tokenizer* t = p.tokenizer();
  if (t == nullptr) return {};
  LAC_CHECK_OR_RETURN(t->kind() <= plan::TokenizerKind::MAX, Error::Unsupported,
                      "%s: tokenizer kind %u is unknown to this runtime", n, unsigned(t->kind()));
  const uint32_t n_tokens = t->tokens() == nullptr ? 0 : t->tokens()->size();
  LAC_CHECK_OR_RETURN(n_tokens <= vocab, Error::InvalidArtifact,
                      "%s: tokenizer has %u tokens, more than the vocabulary size %u", n, n_tokens, vocab);
  LAC_CHECK_OR_RETURN(t->kind() == plan::TokenizerKind::none || n_tokens > 0, Error::InvalidArtifact,
                      "%s: tokenizer of kind %s has no tokens", n, plan::EnumNameTokenizerKind(t->kind()));
  if (t->merges() != nullptr) {
    for (uint32_t i = 0; i < t->merges()->size(); ++i) {
      const plan::Merge* m = t->merges()->Get(i);
      LAC_CHECK_OR_RETURN(m->left() < n_tokens && m->right() < n_tokens, Error::InvalidArtifact,
                          "%s: tokenizer merge %u (%u, %u) names a token id not below %u", n, i, m->left(),
                          m->right(), n_tokens);
    }
  }
  if (t->special_tokens() != nullptr)
    for (const plan::SpecialToken* s : *t->special_tokens())
      LAC_RETURN_IF_ERROR(checkTokenId(s->id(), vocab, n, "special token id"));
  if (t->bos_id()) LAC_RETURN_IF_ERROR(checkTokenId(*t->bos_id(), vocab, n, "bos id"));
  if (t->eos_id()) LAC_RETURN_IF_ERROR(checkTokenId(*t->eos_id(), vocab, n, "eos id"));
  if (t->pad_id()) LAC_RETURN_IF_ERROR(checkTokenId(*t->pad_id(), vocab, n, "pad id"));
  return {};
}

VoidResult checkGeneration(const plan::Plan& p, const char* n) {
  const plan::GenerationDefaults* g = p.generation();
  if (g == nullptr) return {};
  LAC_CHECK_OR_RETURN(std::isfinite(g->temperature()) && g->temperature() >= 0.0f, Error::InvalidArtifact,
                      "%s: generation temperature %g must be >= 0", n, g->temperature());
  LAC_CHECK_OR_RETURN(std::isfinite(g->top_p()) && g->top_p() > 0.0f && g->top_p() <= 1.0f, Error::InvalidArtifact,
                      "%s: generation top_p %g must be in (0, 1]", n, g->top_p());
  return {};
}

// ---------------------------------------------------------------------------
// Weights

// A split weight's slices: one per rank, the first itself, all alike.
VoidResult checkShards(const plan::Plan& p, const plan::Weight& w, uint32_t i, const char* n) {
  const char* wn = w.name()->c_str();
  if (w.shards() == nullptr || w.shards()->size() == 0) {
    LAC_CHECK_OR_RETURN(w.shard_axis() == -1, Error::InvalidArtifact, "%s: weight '%s' has a shard axis but no shards",
                        n, wn);
    return {};
  }
  const uint32_t tp = tensorParallelOf(p);
  LAC_CHECK_OR_RETURN(tp > 1 && w.shards()->size() == tp && w.shards()->Get(0) == i &&
                          (w.shard_axis() == 0 || w.shard_axis() == 1),
                      Error::InvalidArtifact,
                      "%s: weight '%s': %u shards along axis %d for tensor_parallel %u (want one per rank, the first "
                      "itself, axis 0 or 1)",
                      n, wn, w.shards()->size(), int(w.shard_axis()), tp);
  for (uint32_t r = 1; r < tp; ++r) {
    const uint32_t k = w.shards()->Get(r);
    LAC_CHECK_OR_RETURN(k < p.weights()->size() && k != i, Error::InvalidArtifact,
                        "%s: weight '%s': shard %u names weight %u", n, wn, r, k);
    const plan::Weight& s = *p.weights()->Get(k);
    LAC_CHECK_OR_RETURN(s.dtype() == w.dtype() && shapeOf(s.shape()) == shapeOf(w.shape()) &&
                            str(s.layout()) == str(w.layout()) && s.blob()->bytes() == w.blob()->bytes(),
                        Error::InvalidArtifact, "%s: weight '%s': rank %u's shard '%s' differs in dtype, shape or layout",
                        n, wn, r, s.name()->c_str());
  }
  return {};
}

VoidResult checkWeights(const plan::Plan& p, const char* n) {
  LAC_CHECK_OR_RETURN(!(p.random_weights() && p.weights_file() != nullptr), Error::InvalidArtifact,
                      "%s: plan has both random weights and a weights file '%s'", n, p.weights_file()->c_str());
  if (const flatbuffers::String* wf = p.weights_file()) {
    std::string_view f = str(wf);
    LAC_CHECK_OR_RETURN(!f.empty() && f.find('/') == f.npos && f != "." && f != "..", Error::InvalidArtifact,
                        "%s: weights file '%s' must be a plain file name (it sits beside the artifact)", n, wf->c_str());
  }
  LAC_CHECK_OR_RETURN(!p.random_weights() || p.weight_blob()->checksum() == 0, Error::InvalidArtifact,
                      "%s: plan asks for random weights but records a blob checksum", n);
  if (p.weights() == nullptr) return {};
  const uint64_t blob_bytes = p.weight_blob()->bytes();
  std::unordered_set<std::string_view> names;
  std::vector<std::pair<uint64_t, uint32_t>> by_offset;  // (offset, weight index)
  for (uint32_t i = 0; i < p.weights()->size(); ++i) {
    const plan::Weight& w = *p.weights()->Get(i);
    const char* wn = w.name()->c_str();
    LAC_CHECK_OR_RETURN(w.name()->size() > 0, Error::InvalidArtifact, "%s: weight %u has an empty name", n, i);
    LAC_CHECK_OR_RETURN(names.insert(str(w.name())).second, Error::InvalidArtifact,
                        "%s: weight '%s' appears twice in the weight table", n, wn);
    LAC_CHECK_OR_RETURN(isKnown(w.dtype()), Error::Unsupported, "%s: weight '%s': dtype id %u is unknown to this runtime",
                        n, wn, unsigned(w.dtype()));
    const plan::BlobSlice& s = *w.blob();
    LAC_CHECK_OR_RETURN(s.offset() % kWeightAlignment == 0, Error::InvalidArtifact,
                        "%s: weight '%s': blob offset %llu is misaligned (not a multiple of %llu)", n, wn,
                        (ull)s.offset(), (ull)kWeightAlignment);
    LAC_CHECK_OR_RETURN(s.offset() <= blob_bytes && s.bytes() <= blob_bytes - s.offset(), Error::InvalidArtifact,
                        "%s: weight '%s': %llu bytes at blob offset %llu lie outside the weight blob (%llu bytes)", n,
                        wn, (ull)s.bytes(), (ull)s.offset(), (ull)blob_bytes);
    std::vector<uint64_t> shape = shapeOf(w.shape());
    std::optional<uint64_t> dense = denseBytes(toDType(w.dtype()), shape);
    LAC_CHECK_OR_RETURN(dense.has_value(), Error::InvalidArtifact, "%s: weight '%s': shape %s is invalid for %s", n,
                        wn, shapeText(shape).c_str(), plan::EnumNameDType(w.dtype()));
    // Row-major and x8 weights are exactly their dense size (x8 only
    // reorders, for its own dtype and rows % 8 == 0); other packed layouts,
    // unknown to this runtime (the engine refuses them), may pad.
    std::string_view layout = str(w.layout());
    const bool known = parseWeightLayout(layout, toDType(w.dtype()), shape).has_value();
    const bool x8_like = layout.size() > 2 && layout.substr(layout.size() - 2) == "x8";
    LAC_CHECK_OR_RETURN(known || !x8_like, Error::InvalidArtifact,
                        "%s: weight '%s': layout %s does not fit its dtype %s and shape %s (x8 needs its own "
                        "dtype, a matrix and rows %% 8 == 0)", n, wn, std::string(layout).c_str(),
                        plan::EnumNameDType(w.dtype()), shapeText(shape).c_str());
    LAC_CHECK_OR_RETURN(known ? s.bytes() == *dense : s.bytes() >= *dense, Error::InvalidArtifact,
                        "%s: weight '%s': %llu bytes for shape %s in %s (layout %s) which needs %llu", n, wn,
                        (ull)s.bytes(), shapeText(shape).c_str(), plan::EnumNameDType(w.dtype()),
                        layout.empty() ? "row_major" : std::string(layout).c_str(), (ull)*dense);
    by_offset.emplace_back(s.offset(), i);
    LAC_RETURN_IF_ERROR(checkShards(p, w, i, n));
  }
  std::sort(by_offset.begin(), by_offset.end());
  for (size_t k = 1; k < by_offset.size(); ++k) {
    const plan::Weight& a = *p.weights()->Get(by_offset[k - 1].second);
    const plan::Weight& b = *p.weights()->Get(by_offset[k].second);
    LAC_CHECK_OR_RETURN(a.blob()->offset() + a.blob()->bytes() <= b.blob()->offset(), Error::InvalidArtifact,
                        "%s: weights '%s' and '%s' overlap in the weight blob", n, a.name()->c_str(),
                        b.name()->c_str());
  }
  return {};
}

// ---------------------------------------------------------------------------
// KV cache

VoidResult checkKvCache(const plan::Plan& p, const char* n) {
  const plan::KvCacheLayout& kv = *p.kv_cache();
  const plan::ModelConfig& c = *p.config();
  LAC_CHECK_OR_RETURN(isKnown(kv.dtype()), Error::Unsupported, "%s: kv cache dtype id %u is unknown to this runtime",
                      n, unsigned(kv.dtype()));
  LAC_CHECK_OR_RETURN(kv.max_batch() >= p.max_batch() && kv.max_seq_len() >= p.max_seq_len(), Error::InvalidArtifact,
                      "%s: kv cache holds %u x %u tokens, less than the plan's max_batch %u x max_seq_len %u", n,
                      kv.max_batch(), kv.max_seq_len(), p.max_batch(), p.max_seq_len());
  // K and V of every token of every sequence: 2 x [B, S, KV, D] (a
  // tensor-parallel rank's KV / tensor_parallel heads).
  std::optional<uint64_t> need = denseBytes(
      toDType(kv.dtype()), {2, kv.max_batch(), kv.max_seq_len(), c.n_kv_heads() / tensorParallelOf(p), c.head_dim()});
  LAC_CHECK_OR_RETURN(need.has_value() && kv.bytes_per_layer() >= *need, Error::InvalidArtifact,
                      "%s: kv cache bytes_per_layer %llu is less than the %llu its shape needs", n,
                      (ull)kv.bytes_per_layer(), (ull)need.value_or(0));
  return {};
}

// ---------------------------------------------------------------------------
// Entry points: buffers and steps

VoidResult checkBuffers(const plan::EntryPoint& e, const char* n, const char* en) {
  if (e.buffers() == nullptr) return {};
  for (uint32_t i = 0; i < e.buffers()->size(); ++i) {
    const plan::Buffer& b = *e.buffers()->Get(i);
    LAC_CHECK_OR_RETURN(b.id() == i, Error::InvalidArtifact, "%s: entry point '%s': buffer %u has id %u (ids are indices)",
                        n, en, i, b.id());
    LAC_CHECK_OR_RETURN(b.offset() % kBufferAlignment == 0, Error::InvalidArtifact,
                        "%s: entry point '%s': buffer %u offset %llu is not a multiple of %llu", n, en, i,
                        (ull)b.offset(), (ull)kBufferAlignment);
    LAC_CHECK_OR_RETURN(b.offset() <= e.arena_bytes() && b.bytes() <= e.arena_bytes() - b.offset(),
                        Error::InvalidArtifact,
                        "%s: entry point '%s': buffer %u (%llu bytes at offset %llu) lies outside the arena (%llu bytes)",
                        n, en, i, (ull)b.bytes(), (ull)b.offset(), (ull)e.arena_bytes());
    LAC_CHECK_OR_RETURN(isKnown(b.dtype()), Error::Unsupported, "%s: entry point '%s': buffer %u: dtype id %u unknown",
                        n, en, i, unsigned(b.dtype()));
    LAC_CHECK_OR_RETURN(b.role() <= plan::BufferRole::MAX, Error::Unsupported,
                        "%s: entry point '%s': buffer %u: role id %u unknown", n, en, i, unsigned(b.role()));
    std::vector<uint64_t> shape = shapeOf(b.shape());
    std::optional<uint64_t> dense = denseBytes(toDType(b.dtype()), shape);
    LAC_CHECK_OR_RETURN(dense.has_value() && *dense <= b.bytes(), Error::InvalidArtifact,
                        "%s: entry point '%s': buffer %u: shape %s in %s does not fit its %llu bytes", n, en, i,
                        shapeText(shape).c_str(), plan::EnumNameDType(b.dtype()), (ull)b.bytes());
  }
  return {};
}

VoidResult checkIds(const flatbuffers::Vector<uint32_t>* ids, uint32_t limit, const std::string& where,
                    const char* what, const char* of) {
  if (ids == nullptr) return {};
  for (uint32_t k = 0; k < ids->size(); ++k)
    LAC_CHECK_OR_RETURN(ids->Get(k) < limit, Error::InvalidArtifact, "%s: %s %u is id %u, but there are %u %s",
                        where.c_str(), what, k, ids->Get(k), limit, of);
  return {};
}

VoidResult checkParams(const plan::Step& s, const KernelSignature& sig, const std::string& where) {
  const plan::StepParams* q = s.params();
  const char* w = where.c_str();
  bool any = sig.needs_eps || sig.needs_matrix || sig.needs_width || sig.needs_attention;
  LAC_CHECK_OR_RETURN(!any || q != nullptr, Error::InvalidArtifact, "%s: has no params", w);
  if (sig.needs_eps) LAC_CHECK_OR_RETURN(positiveFinite(q->eps()), Error::InvalidArtifact, "%s: params.eps %g", w, q->eps());
  if (sig.needs_matrix)
    LAC_CHECK_OR_RETURN(q->rows() > 0 && q->cols() > 0, Error::InvalidArtifact, "%s: params rows %llu x cols %llu", w,
                        (ull)q->rows(), (ull)q->cols());
  if (sig.needs_width) LAC_CHECK_OR_RETURN(q->cols() > 0, Error::InvalidArtifact, "%s: params.cols is 0", w);
  if (sig.needs_attention) {
    LAC_CHECK_OR_RETURN(q->n_heads() > 0 && q->n_kv_heads() > 0 && q->head_dim() > 0 &&
                            q->n_heads() % q->n_kv_heads() == 0,
                        Error::InvalidArtifact, "%s: params n_heads %u, n_kv_heads %u, head_dim %u", w, q->n_heads(),
                        q->n_kv_heads(), q->head_dim());
    LAC_CHECK_OR_RETURN(positiveFinite(q->rope_theta()) && std::isfinite(q->attn_scale()) && q->attn_scale() >= 0,
                        Error::InvalidArtifact, "%s: params rope_theta %g, attn_scale %g", w, q->rope_theta(),
                        q->attn_scale());
  }
  return {};
}

VoidResult checkSteps(const plan::Plan& p, const plan::EntryPoint& e, const char* n, const char* en) {
  if (e.steps() == nullptr) return {};
  const uint32_t n_buffers = e.buffers() == nullptr ? 0 : e.buffers()->size();
  const uint32_t n_weights = p.weights() == nullptr ? 0 : p.weights()->size();
  const int32_t n_layers = static_cast<int32_t>(p.config()->n_layers());
  for (uint32_t i = 0; i < e.steps()->size(); ++i) {
    const plan::Step& s = *e.steps()->Get(i);
    std::string where = formatMessage("%s: entry point '%s': step %u (%s)", n, en, i, kernelLabel(s.kernel()).c_str());
    std::optional<KernelSignature> sig = kernelSignature(s.kernel());
    LAC_CHECK_OR_RETURN(sig.has_value(), Error::Unsupported,
                        "%s: unknown kernel id %u (this runtime knows 0..%u): recompile with a matching lac-compile",
                        where.c_str(), unsigned(s.kernel()), unsigned(plan::Kernel::MAX));
    auto count = [](const flatbuffers::Vector<uint32_t>* v) { return v == nullptr ? 0u : v->size(); };
    uint32_t ni = count(s.inputs()), no = count(s.outputs()), nw = count(s.weights());
    LAC_CHECK_OR_RETURN(ni >= sig->min_inputs && ni <= sig->max_inputs && no == sig->outputs &&
                            nw >= sig->min_weights && nw <= sig->max_weights,
                        Error::InvalidArtifact,
                        "%s: has %u inputs, %u outputs, %u weights; the kernel takes %u..%u, %u, %u..%u",
                        where.c_str(), ni, no, nw, sig->min_inputs, sig->max_inputs, sig->outputs, sig->min_weights,
                        sig->max_weights);
    LAC_RETURN_IF_ERROR(checkIds(s.inputs(), n_buffers, where, "input", "buffers (missing buffer)"));
    LAC_RETURN_IF_ERROR(checkIds(s.outputs(), n_buffers, where, "output", "buffers (missing buffer)"));
    LAC_RETURN_IF_ERROR(checkIds(s.weights(), n_weights, where, "weight", "weights (missing weight)"));
    if (sig->needs_layer)
      LAC_CHECK_OR_RETURN(s.layer() >= 0 && s.layer() < n_layers, Error::InvalidArtifact,
                          "%s: layer %d is not a decoder layer (n_layers %d)", where.c_str(), s.layer(), n_layers);
    else
      LAC_CHECK_OR_RETURN(s.layer() >= -1 && s.layer() < n_layers, Error::InvalidArtifact,
                          "%s: layer %d out of range (n_layers %d)", where.c_str(), s.layer(), n_layers);
    LAC_RETURN_IF_ERROR(checkParams(s, *sig, where));
  }
  return {};
}

VoidResult checkEntryPoints(const plan::Plan& p, const char* n) {
  if (p.entry_points() == nullptr) return {};
  std::unordered_set<std::string_view> names;
  for (const plan::EntryPoint* e : *p.entry_points()) {
    const char* en = e->name()->c_str();
    LAC_CHECK_OR_RETURN(e->name()->size() > 0, Error::InvalidArtifact, "%s: an entry point has an empty name", n);
    LAC_CHECK_OR_RETURN(names.insert(str(e->name())).second, Error::InvalidArtifact,
                        "%s: entry point '%s' appears twice", n, en);
    LAC_CHECK_OR_RETURN(e->max_tokens() > 0, Error::InvalidArtifact, "%s: entry point '%s': max_tokens is 0", n, en);
    LAC_RETURN_IF_ERROR(checkBuffers(*e, n, en));
    LAC_RETURN_IF_ERROR(checkSteps(p, *e, n, en));
  }
  return {};
}

}  // namespace

std::optional<uint64_t> denseBytes(DType dtype, const std::vector<uint64_t>& shape) {
  if (shape.empty()) return std::nullopt;
  for (uint64_t d : shape)
    if (d == 0) return std::nullopt;
  if (shape.back() > (UINT64_MAX >> 8)) return std::nullopt;  // rowBytes would overflow
  std::optional<uint64_t> bytes = rowBytes(dtype, shape.back());
  if (!bytes) return std::nullopt;
  uint64_t total = *bytes;
  for (size_t i = 0; i + 1 < shape.size(); ++i)
    if (__builtin_mul_overflow(total, shape[i], &total)) return std::nullopt;
  return total;
}

VoidResult validatePlan(const plan::Plan& p, const std::string& name, const ValidateOptions& opts) {
  const char* n = name.c_str();
  LAC_CHECK_OR_RETURN(p.format_version() == kFormatVersion, Error::InvalidArtifact,
                      "%s: plan says format version %u but the header says %u", n, p.format_version(), kFormatVersion);
  LAC_RETURN_IF_ERROR(checkConfig(p, n));
  LAC_RETURN_IF_ERROR(checkTarget(*p.target(), n, opts));
  LAC_RETURN_IF_ERROR(checkTokenizer(p, n));
  LAC_RETURN_IF_ERROR(checkGeneration(p, n));
  LAC_RETURN_IF_ERROR(checkWeights(p, n));
  LAC_RETURN_IF_ERROR(checkKvCache(p, n));
  LAC_RETURN_IF_ERROR(checkEntryPoints(p, n));
  return {};
}

}  // namespace lac::artifact
