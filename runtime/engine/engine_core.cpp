#include "runtime/engine/engine_core.h"

#include <algorithm>

#include "runtime/dist/communicator.h"

namespace lac::engine {

Result<ModelLimits> checkPlan(const artifact::Artifact& a, plan::Target target, const char* engine,
                              const EngineOptions& opts) {
  const plan::Plan& p = a.plan();
  const char* name = a.name().c_str();
  LAC_CHECK_OR_RETURN(p.target()->target() == target, Error::Unsupported,
                      "%s: compiled for target '%s'; this is the %s engine", name,
                      plan::EnumNameTarget(p.target()->target()), engine);
  // The caches the engine's kernels read and write.
  const plan::DType kv = p.kv_cache()->dtype();
  LAC_CHECK_OR_RETURN(kv == plan::DType::f32 || kv == plan::DType::f16, Error::Unsupported,
                      "%s: its KV cache is planned as %s; the %s engine implements an f32 or f16 KV cache "
                      "(recompile with lac-compile --kv-dtype f16 or f32)",
                      name, plan::EnumNameDType(kv), engine);
  const uint32_t batch = std::min(p.max_batch(), p.kv_cache()->max_batch());
  const uint32_t seq = std::min(p.max_seq_len(), p.kv_cache()->max_seq_len());
  LAC_CHECK_OR_RETURN(opts.max_batch <= batch, Error::InvalidArgument,
                      "max batch %u is above the %u sequences %s was compiled for", opts.max_batch, batch, name);
  LAC_CHECK_OR_RETURN(opts.max_seq_len <= seq, Error::InvalidArgument,
                      "max sequence length %u is above the %u positions %s was compiled for", opts.max_seq_len, seq,
                      name);
  // Tensor parallel: the plan's rank count is the run's.
  const uint32_t tp = artifact::tensorParallelOf(p);
  const int ranks = opts.comm ? opts.comm->size() : 1;
  LAC_CHECK_OR_RETURN(tp != 1 || ranks == 1, Error::InvalidArgument,
                      "%s was compiled for one process, but %d ranks were started: compile it with lac-compile "
                      "--tensor-parallel %d, or run it without mpirun", name, ranks, ranks);
  LAC_CHECK_OR_RETURN(tp == 1 || uint32_t(ranks) == tp, Error::InvalidArgument,
                      "%s was compiled for %u tensor-parallel ranks (lac-compile --tensor-parallel %u), but %d %s "
                      "running: start it with mpirun -np %u", name, tp, tp, ranks, ranks == 1 ? "process is" : "ranks are",
                      tp);
  LAC_CHECK_OR_RETURN(opts.threads >= 0, Error::InvalidArgument, "thread count %d is negative", opts.threads);
  return ModelLimits{p.config()->vocab_size(), opts.max_batch ? opts.max_batch : batch,
                     opts.max_seq_len ? opts.max_seq_len : seq};
}

namespace {
uint64_t perHalf(const plan::ModelConfig& c, const ModelLimits& l, uint32_t ranks) {
  return uint64_t(l.max_batch) * (c.n_kv_heads() / ranks) * l.max_seq_len * c.head_dim();
}
}  // namespace

DType kvDType(const plan::Plan& p) {
  return p.kv_cache()->dtype() == plan::DType::f16 ? DType::F16 : DType::F32;
}

uint64_t kvCacheBytes(const plan::ModelConfig& c, const ModelLimits& limits, DType dtype, uint32_t ranks) {
  return 2 * perHalf(c, limits, ranks) * c.n_layers() * dtypeInfo(dtype).blockBytes;
}

std::vector<kernels::KvCacheView> kvCacheLayers(void* base, const plan::ModelConfig& c, const ModelLimits& limits,
                                                DType dtype, uint32_t ranks) {
  const uint64_t per = perHalf(c, limits, ranks) * dtypeInfo(dtype).blockBytes;  // bytes of one K (or V)
  uint8_t* b = static_cast<uint8_t*>(base);
  std::vector<kernels::KvCacheView> out;
  for (uint32_t l = 0; l < c.n_layers(); ++l)
    out.push_back(kernels::KvCacheView::dense(b + 2 * l * per, b + (2 * l + 1) * per, c.n_kv_heads() / ranks,
                                              limits.max_seq_len, c.head_dim(), dtype));
  return out;
}

}  // namespace lac::engine
