// CpuEngine: load (limits, KV cache, random weights, binding) and the Model
// calls (argument checks, then the bound entry points).
#include "runtime/engine/cpu_engine.h"

#include <algorithm>
#include <cstring>

#include "runtime/dist/communicator.h"
#include "runtime/engine/bound_step.h"
#include "runtime/engine/step_loop.h"

namespace lac::engine {

using ull = unsigned long long;

CpuEngine::CpuEngine(artifact::Artifact a) : EngineBase(std::move(a)) {}
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
  LAC_ASSIGN_OR_RETURN(limits_, checkPlan(artifact_, plan::Target::cpu, "CPU", opts));

  state_ = std::make_unique<EngineState>();
  state_->comm = opts.comm;
  const uint32_t ranks = artifact::tensorParallelOf(p);
  BindTarget target;
  target.rank = opts.comm ? uint32_t(opts.comm->rank()) : 0;
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

  // KV cache (engine_core.h's layout); pages are touched lazily.
  const DType kv_dtype = kvDType(p);
  const uint64_t kv_bytes = kvCacheBytes(c, limits_, kv_dtype, ranks);
  state_->kv = allocAligned(kv_bytes);
  LAC_CHECK_OR_RETURN(state_->kv, Error::IoError, "%s: cannot allocate the %llu-byte KV cache", name, (ull)kv_bytes);
  state_->kv_layers = kvCacheLayers(state_->kv.get(), c, limits_, kv_dtype, ranks);

  LAC_RETURN_IF_ERROR(bindEntryPoints(
      artifact_, state_->prefill, state_->decode,
      [&](const plan::EntryPoint& ep) { return bindEntryPoint(artifact_, ep, weights, target); },
      [](const BoundEntryPoint& b) { return b.max_tokens; }));

  slots_.reset(limits_);
  decode_logits_.assign(size_t(limits_.max_batch) * limits_.vocab_size, 0.0f);
  return {};
}

// ---------------------------------------------------------------------------
// Calls

Result<const float*> CpuEngine::runPrefill(BoundEntryPoint& ep, uint32_t slot, std::span<const int32_t> tokens,
                                   uint32_t start, bool precise) {
  const int64_t t = int64_t(tokens.size());
  std::memcpy(ep.tokens, tokens.data(), tokens.size() * sizeof(int32_t));
  for (int64_t i = 0; i < t; ++i) {
    ep.positions[i] = int32_t(start + i);
    ep.slot_ids[size_t(i)] = int32_t(slot);
  }
  StepCall call{t, false, ep.positions, ep.slot_ids.data(), nullptr, int32_t(slot), int64_t(start)};
  LAC_RETURN_IF_ERROR(execute(*state_, ep, call, precise));
  return ep.logits.last(t, 1);
}

Result<std::span<const float>> CpuEngine::prefill(uint32_t slot, std::span<const int32_t> tokens,
                                                  uint32_t start_pos) {
  LAC_RETURN_IF_ERROR(slots_.checkPrefill(slot, tokens, start_pos));
  BoundEntryPoint& ep = *state_->prefill;
  const float* logits = nullptr;
  for (size_t off = 0; off < tokens.size(); off += ep.max_tokens) {
    const size_t n = std::min<size_t>(ep.max_tokens, tokens.size() - off);
    LAC_ASSIGN_OR_RETURN(logits, runPrefill(ep, slot, tokens.subspan(off, n), start_pos + uint32_t(off), precise_prefill_));
  }
  slots_.filled(slot, start_pos + uint32_t(tokens.size()));
  return std::span<const float>(logits, limits_.vocab_size);
}

// One decode step over every listed sequence: the decode entry point runs
// its matmuls once over up to max_tokens rows (one row per sequence, each
// at its own slot and position). A plan without one decodes each sequence
// as a one-token call of prefill.
Result<std::span<const float>> CpuEngine::decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                 std::span<const uint32_t> positions) {
  LAC_RETURN_IF_ERROR(slots_.checkDecode(slots, tokens, positions));
  BoundEntryPoint& ep = state_->decode ? *state_->decode : *state_->prefill;
  const size_t rows = state_->decode ? ep.max_tokens : 1;
  const size_t v = limits_.vocab_size;
  for (size_t off = 0; off < slots.size(); off += rows) {
    const size_t n = std::min(rows, slots.size() - off);
    // The plan's slots buffer (decode), or the engine's own row of slot ids
    // (an artifact from before the slots buffer, or prefill run per sequence).
    int32_t* row_slots = ep.slots ? ep.slots : ep.slot_ids.data();
    for (size_t i = 0; i < n; ++i) {
      ep.tokens[i] = tokens[off + i];
      ep.positions[i] = int32_t(positions[off + i]);
      row_slots[i] = int32_t(slots[off + i]);
      ep.lengths[i] = int32_t(positions[off + i] + 1);
    }
    StepCall call{int64_t(n), true, ep.positions, row_slots, ep.lengths.data()};
    LAC_RETURN_IF_ERROR(execute(*state_, ep, call, false));
    const float* l = ep.logits.last(int64_t(n), int64_t(n));
    for (size_t i = 0; i < n; ++i)
      std::memcpy(decode_logits_.data() + (off + i) * v, l + i * ep.logits.stride, v * sizeof(float));
  }
  for (size_t i = 0; i < slots.size(); ++i) slots_.filled(slots[i], positions[i] + 1);
  return std::span<const float>(decode_logits_.data(), slots.size() * v);
}

}  // namespace lac::engine
