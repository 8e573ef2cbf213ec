// CpuEngine: load (limits, KV cache, random weights, binding) and the Model
// calls (argument checks, then the bound entry points).
#include "runtime/engine/cpu_engine.h"

#include <algorithm>
#include <cstring>

#include "runtime/engine/bound_step.h"

namespace lac::engine {

using ull = unsigned long long;

CpuEngine::CpuEngine(artifact::Artifact a) : artifact_(std::move(a)) {}
CpuEngine::~CpuEngine() = default;

int CpuEngine::threads() const { return state_->ctx.threads(); }

// ---------------------------------------------------------------------------
// Load

Result<std::unique_ptr<CpuEngine>> CpuEngine::load(const std::string& path, const EngineOptions& opts) {
  LAC_ASSIGN_OR_RETURN(artifact::Artifact a, artifact::Artifact::open(path, opts.open));
  return fromArtifact(std::move(a), opts);
}

Result<std::unique_ptr<CpuEngine>> CpuEngine::fromArtifact(artifact::Artifact a, const EngineOptions& opts) {
  std::unique_ptr<CpuEngine> e(new CpuEngine(std::move(a)));
  LAC_RETURN_IF_ERROR(e->init(opts));
  return e;
}

VoidResult CpuEngine::init(const EngineOptions& opts) {
  const plan::Plan& p = artifact_.plan();
  const plan::ModelConfig& c = *p.config();
  const char* name = artifact_.name().c_str();
  precise_prefill_ = opts.precise_prefill;
  LAC_CHECK_OR_RETURN(p.target()->target() == plan::Target::cpu, Error::Unsupported,
                      "%s: compiled for target '%s'; this is the CPU engine", name,
                      plan::EnumNameTarget(p.target()->target()));
  // The CPU kernels read and write an f32 cache; a plan that budgeted
  // another dtype (e.g. f16 for a GPU) was not compiled for this engine.
  LAC_CHECK_OR_RETURN(p.kv_cache()->dtype() == plan::DType::f32, Error::Unsupported,
                      "%s: its KV cache is planned as %s; the CPU engine implements an f32 KV cache only "
                      "(recompile for target cpu)",
                      name, plan::EnumNameDType(p.kv_cache()->dtype()));
  const uint32_t batch = std::min(p.max_batch(), p.kv_cache()->max_batch());
  const uint32_t seq = std::min(p.max_seq_len(), p.kv_cache()->max_seq_len());
  LAC_CHECK_OR_RETURN(opts.max_batch <= batch, Error::InvalidArgument,
                      "max batch %u is above the %u sequences %s was compiled for", opts.max_batch, batch, name);
  LAC_CHECK_OR_RETURN(opts.max_seq_len <= seq, Error::InvalidArgument,
                      "max sequence length %u is above the %u positions %s was compiled for", opts.max_seq_len, seq,
                      name);
  LAC_CHECK_OR_RETURN(opts.threads >= 0, Error::InvalidArgument, "thread count %d is negative", opts.threads);
  limits_ = {c.vocab_size(), opts.max_batch ? opts.max_batch : batch, opts.max_seq_len ? opts.max_seq_len : seq};

  state_ = std::make_unique<EngineState>();
  state_->pool = std::make_unique<ThreadPool>(opts.threads);
  state_->ctx.pool = state_->pool.get();

  // Weights: in place in the mapped file, or random.
  const uint8_t* weights = artifact_.weightBlob().data();
  if (artifact_.randomWeights() || opts.random_weights) {
    state_->random_weights = allocAligned(p.weight_blob()->bytes());
    LAC_CHECK_OR_RETURN(state_->random_weights, Error::IoError, "%s: cannot allocate %llu bytes of random weights",
                        name, (ull)p.weight_blob()->bytes());
    fillRandomWeights(p, state_->random_weights.get(), opts.random_weights_seed);
    weights = state_->random_weights.get();
  }

  // KV cache: f32 (checked above), per layer K then V, each
  // [batch][kv_heads][seq][head_dim] (the kernels' dense view). Pages are
  // touched lazily.
  const uint64_t per = uint64_t(limits_.max_batch) * c.n_kv_heads() * limits_.max_seq_len * c.head_dim();
  state_->kv = allocAligned(2 * per * c.n_layers() * sizeof(float));
  LAC_CHECK_OR_RETURN(state_->kv, Error::IoError, "%s: cannot allocate the %llu-byte KV cache", name,
                      (ull)(2 * per * c.n_layers() * sizeof(float)));
  float* kv = reinterpret_cast<float*>(state_->kv.get());
  for (uint32_t l = 0; l < c.n_layers(); ++l)
    state_->kv_layers.push_back(kernels::KvCacheView::dense(kv + 2 * l * per, kv + (2 * l + 1) * per,
                                                            c.n_kv_heads(), limits_.max_seq_len, c.head_dim()));

  // Entry points.
  if (p.entry_points())
    for (const plan::EntryPoint* ep : *p.entry_points()) {
      std::unique_ptr<BoundEntryPoint>* slot = ep->name()->str() == "prefill"  ? &state_->prefill
                                               : ep->name()->str() == "decode" ? &state_->decode
                                                                               : nullptr;
      LAC_CHECK_OR_RETURN(slot, Error::Unsupported, "%s: unknown entry point '%s'", name, ep->name()->c_str());
      LAC_ASSIGN_OR_RETURN(*slot, bindEntryPoint(artifact_, *ep, weights));
    }
  LAC_CHECK_OR_RETURN(state_->prefill, Error::InvalidArtifact, "%s: has no 'prefill' entry point", name);
  if (state_->decode)
    LAC_CHECK_OR_RETURN(state_->decode->max_tokens >= 1, Error::InvalidArtifact, "%s: decode max_tokens 0", name);

  slots_.reset(limits_);
  decode_logits_.assign(size_t(limits_.max_batch) * limits_.vocab_size, 0.0f);
  return {};
}

// ---------------------------------------------------------------------------
// Calls

const float* CpuEngine::run(BoundEntryPoint& ep, uint32_t slot, std::span<const int32_t> tokens, uint32_t start,
                            bool precise) {
  const int64_t t = int64_t(tokens.size());
  std::memcpy(ep.tokens, tokens.data(), tokens.size() * sizeof(int32_t));
  for (int64_t i = 0; i < t; ++i) ep.positions[i] = int32_t(start + i);
  execute(*state_, ep, t, int32_t(slot), precise);
  return ep.logits.last(t, 1);
}

Result<std::span<const float>> CpuEngine::prefill(uint32_t slot, std::span<const int32_t> tokens,
                                                  uint32_t start_pos) {
  LAC_RETURN_IF_ERROR(slots_.checkPrefill(slot, tokens, start_pos));
  BoundEntryPoint& ep = *state_->prefill;
  const float* logits = nullptr;
  for (size_t off = 0; off < tokens.size(); off += ep.max_tokens) {
    const size_t n = std::min<size_t>(ep.max_tokens, tokens.size() - off);
    logits = run(ep, slot, tokens.subspan(off, n), start_pos + uint32_t(off), precise_prefill_);
  }
  slots_.filled(slot, start_pos + uint32_t(tokens.size()));
  return std::span<const float>(logits, limits_.vocab_size);
}

Result<std::span<const float>> CpuEngine::decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                 std::span<const uint32_t> positions) {
  LAC_RETURN_IF_ERROR(slots_.checkDecode(slots, tokens, positions));
  BoundEntryPoint& ep = state_->decode ? *state_->decode : *state_->prefill;
  const size_t v = limits_.vocab_size;
  for (size_t i = 0; i < slots.size(); ++i) {
    const float* l = run(ep, slots[i], tokens.subspan(i, 1), positions[i], false);
    std::memcpy(decode_logits_.data() + i * v, l, v * sizeof(float));
    slots_.filled(slots[i], positions[i] + 1);
  }
  return std::span<const float>(decode_logits_.data(), slots.size() * v);
}

}  // namespace lac::engine
