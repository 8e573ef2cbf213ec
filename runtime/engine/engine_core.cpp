#include "runtime/engine/engine_core.h"

#include <algorithm>

namespace lac::engine {

Result<ModelLimits> checkPlan(const artifact::Artifact& a, plan::Target target, const char* engine,
                              const EngineOptions& opts) {
  const plan::Plan& p = a.plan();
  const char* name = a.name().c_str();
  LAC_CHECK_OR_RETURN(p.target()->target() == target, Error::Unsupported,
                      "%s: compiled for target '%s'; this is the %s engine", name,
                      plan::EnumNameTarget(p.target()->target()), engine);
  // The kernels read and write an f32 cache; a plan that budgeted another
  // dtype was not compiled for these engines.
  LAC_CHECK_OR_RETURN(p.kv_cache()->dtype() == plan::DType::f32, Error::Unsupported,
                      "%s: its KV cache is planned as %s; the %s engine implements an f32 KV cache only "
                      "(recompile with lac-compile)",
                      name, plan::EnumNameDType(p.kv_cache()->dtype()), engine);
  const uint32_t batch = std::min(p.max_batch(), p.kv_cache()->max_batch());
  const uint32_t seq = std::min(p.max_seq_len(), p.kv_cache()->max_seq_len());
  LAC_CHECK_OR_RETURN(opts.max_batch <= batch, Error::InvalidArgument,
                      "max batch %u is above the %u sequences %s was compiled for", opts.max_batch, batch, name);
  LAC_CHECK_OR_RETURN(opts.max_seq_len <= seq, Error::InvalidArgument,
                      "max sequence length %u is above the %u positions %s was compiled for", opts.max_seq_len, seq,
                      name);
  LAC_CHECK_OR_RETURN(opts.threads >= 0, Error::InvalidArgument, "thread count %d is negative", opts.threads);
  return ModelLimits{p.config()->vocab_size(), opts.max_batch ? opts.max_batch : batch,
                     opts.max_seq_len ? opts.max_seq_len : seq};
}

namespace {
uint64_t perHalf(const plan::ModelConfig& c, const ModelLimits& l) {
  return uint64_t(l.max_batch) * c.n_kv_heads() * l.max_seq_len * c.head_dim();
}
}  // namespace

uint64_t kvCacheBytes(const plan::ModelConfig& c, const ModelLimits& limits) {
  return 2 * perHalf(c, limits) * c.n_layers() * sizeof(float);
}

std::vector<kernels::KvCacheView> kvCacheLayers(float* base, const plan::ModelConfig& c,
                                                const ModelLimits& limits) {
  const uint64_t per = perHalf(c, limits);
  std::vector<kernels::KvCacheView> out;
  for (uint32_t l = 0; l < c.n_layers(); ++l)
    out.push_back(kernels::KvCacheView::dense(base + 2 * l * per, base + (2 * l + 1) * per, c.n_kv_heads(),
                                              limits.max_seq_len, c.head_dim()));
  return out;
}

}  // namespace lac::engine
