// CudaEngine: load (device checks, weights, KV cache, binding, the decode
// graph) and the Model calls (argument checks, then the bound entry points).
#include "runtime/engine/cuda/cuda_engine.h"

#include <algorithm>
#include <cstring>

#include "runtime/engine/cuda/cuda_check.h"
#include "runtime/engine/cuda/cuda_state.h"
#include "runtime/engine/step_loop.h"
#include "runtime/kernels/cuda/launch.h"

namespace lac::engine {

namespace cu = kernels::cuda;
using ull = unsigned long long;

CudaEngine::CudaEngine(artifact::Artifact a) : EngineBase(std::move(a)) {}
CudaEngine::~CudaEngine() = default;

std::string CudaEngine::deviceName() const { return state_ ? state_->device_name : std::string(); }

// ---------------------------------------------------------------------------
// Device

VoidResult CudaEngine::checkDevice(uint32_t min_cuda_arch) {
  const uint32_t need = std::max<uint32_t>(min_cuda_arch, 80);  // the kernels are built for sm_80 and up
  int count = 0;
  const cudaError_t e = cudaGetDeviceCount(&count);
  LAC_CHECK_OR_RETURN(e == cudaSuccess, Error::Unsupported,
                      "this artifact targets CUDA sm_%u+, but no CUDA device is present (%s)", need,
                      cudaGetErrorString(e));
  LAC_CHECK_OR_RETURN(count > 0, Error::Unsupported, "this artifact targets CUDA sm_%u+, but no CUDA device is present",
                      need);
  int dev = 0;
  LAC_CUDA_OR_RETURN(cudaGetDevice(&dev), Error::Unsupported, "cannot select a CUDA device");
  cudaDeviceProp prop{};
  LAC_CUDA_OR_RETURN(cudaGetDeviceProperties(&prop, dev), Error::Unsupported, "cannot query the CUDA device");
  const uint32_t sm = uint32_t(prop.major * 10 + prop.minor);
  LAC_CHECK_OR_RETURN(sm >= need, Error::Unsupported, "GPU sm_%u (%s) is not supported: this artifact targets CUDA sm_%u+",
                      sm, prop.name, need);
  const cudaError_t k = cu::checkDeviceSupported();
  LAC_CHECK_OR_RETURN(k == cudaSuccess, Error::Unsupported,
                      "GPU sm_%u (%s) is not supported: this build of the CUDA kernels has no code for it (%s)", sm,
                      prop.name, cudaGetErrorString(k));
  return {};
}

// ---------------------------------------------------------------------------
// Load

Result<std::unique_ptr<CudaEngine>> CudaEngine::load(const std::string& path, const EngineOptions& opts) {
  LAC_ASSIGN_OR_RETURN(artifact::Artifact a, artifact::Artifact::open(path, opts.open));
  return fromArtifact(std::move(a), opts);
}

Result<std::unique_ptr<CudaEngine>> CudaEngine::fromArtifact(artifact::Artifact a, const EngineOptions& opts) {
  std::unique_ptr<CudaEngine> e(new CudaEngine(std::move(a)));
  LAC_RETURN_IF_ERROR(e->init(opts));
  return e;
}

VoidResult CudaEngine::init(const EngineOptions& opts) {
  const plan::Plan& p = artifact_.plan();
  const plan::ModelConfig& c = *p.config();
  const std::string name = artifact_.name();
  const char* n = name.c_str();
  LAC_ASSIGN_OR_RETURN(limits_, checkPlan(artifact_, plan::Target::cuda, "CUDA", opts));
  // Before the device: a plan the kernels cannot run is refused on any machine.
  LAC_CHECK_OR_RETURN(c.head_dim() <= cu::kAttentionMaxHeadDim, Error::Unsupported,
                      "%s: head dim %u is above %lld, the most the CUDA attention kernels take", n, c.head_dim(),
                      (long long)cu::kAttentionMaxHeadDim);
  if (artifact::tensorParallelOf(p) > 1) cudaSetDevice(tensorParallelDevice());  // before any allocation
  LAC_RETURN_IF_ERROR(checkDevice(p.target()->min_cuda_arch()));

  state_ = std::make_unique<CudaState>();
  CudaState& s = *state_;
  int dev = 0;
  cudaDeviceProp prop{};
  if (cudaGetDevice(&dev) == cudaSuccess && cudaGetDeviceProperties(&prop, dev) == cudaSuccess)
    s.device_name = prop.name;

  // Weights: one copy of the blob, or random values made on the device.
  const uint64_t blob = p.weight_blob()->bytes();
  LAC_CUDA_OR_RETURN(s.weights.allocate(blob), Error::IoError,
                     formatMessage("%s: %llu bytes of weights on %s", n, (ull)blob, s.device_name.c_str()).c_str());
  if (artifact_.randomWeights() || opts.random_weights) {
    // Filled on the legacy default stream, which the engine's non-blocking
    // stream does not wait for: synchronize before anything reads them.
    LAC_CUDA_OR_RETURN(fillRandomWeightsOnDevice(p, s.weights.get(), opts.random_weights_seed, nullptr),
                       Error::Internal, (name + ": random weights").c_str());
    LAC_CUDA_OR_RETURN(cudaStreamSynchronize(nullptr), Error::Internal, (name + ": random weights").c_str());
  } else {
    const std::span<const uint8_t> w = artifact_.weightBlob();
    LAC_CHECK_OR_RETURN(w.size() >= blob, Error::InvalidArtifact, "%s: the weight blob is %zu bytes, the plan says %llu",
                        n, w.size(), (ull)blob);
    LAC_CUDA_OR_RETURN(cudaMemcpy(s.weights.get(), w.data(), blob, cudaMemcpyHostToDevice), Error::IoError,
                       (name + ": copying the weights to the device").c_str());
  }

  // KV cache (engine_core.h's layout, as on the CPU), in device memory.
  const DType kv_dtype = kvDType(p);
  const uint32_t ranks = artifact::tensorParallelOf(p);
  const uint32_t rank = opts.comm ? uint32_t(opts.comm->rank()) : 0;
  const uint64_t kv_bytes = kvCacheBytes(c, limits_, kv_dtype, ranks);
  LAC_CUDA_OR_RETURN(s.kv.allocate(kv_bytes), Error::IoError,
                     formatMessage("%s: the %llu-byte KV cache", n, (ull)kv_bytes).c_str());
  LAC_CUDA_OR_RETURN(cudaMemset(s.kv.get(), 0, s.kv.bytes()), Error::Internal, "clearing the KV cache");
  // cudaMemset runs on the legacy default stream too: done before the
  // engine's stream reads the cache.
  LAC_CUDA_OR_RETURN(cudaStreamSynchronize(nullptr), Error::Internal, "clearing the KV cache");
  s.kv_layers = kvCacheLayers(s.kv.get(), c, limits_, kv_dtype, ranks);

  LAC_RETURN_IF_ERROR(bindEntryPoints(
      artifact_, s.prefill, s.decode,
      [&](const plan::EntryPoint& ep) { return bindCudaEntryPoint(artifact_, ep, s.weights.get(), rank); },
      [](const CudaEntryPoint& e) { return e.max_tokens; }));

  // The kernels' scratch, for the largest call of either entry point (rows
  // per call: prefill's chunk, decode's max_tokens).
  MatmulWidths widest;
  uint32_t max_rows = 0;
  for (const CudaEntryPoint* ep : {s.prefill.get(), s.decode.get()}) {
    if (!ep) continue;
    const MatmulWidths w = widestMatmul(*ep->bound);
    widest.in = std::max(widest.in, w.in);
    widest.out = std::max(widest.out, w.out);
    max_rows = std::max(max_rows, ep->chunk);
  }
  const size_t ws = cu::workspaceBytes(max_rows, widest.in, widest.out, limits_.vocab_size, c.n_heads(), c.head_dim(),
                                       limits_.max_seq_len, limits_.max_batch);
  LAC_CUDA_OR_RETURN(cu::createContext(&s.ctx, ws), Error::IoError,
                     formatMessage("%s: CUDA stream, cuBLASLt and a %zu-byte workspace", n, ws).c_str());
  if (ranks > 1) LAC_RETURN_IF_ERROR(openTensorParallel(s, n));

  // Host staging for decode results and inputs (pinned).
  LAC_CUDA_OR_RETURN(s.logits.allocate(uint64_t(limits_.max_batch) * limits_.vocab_size * sizeof(float)),
                     Error::IoError, "pinned logits");
  LAC_CUDA_OR_RETURN(s.decode_io.allocate(uint64_t(limits_.max_batch) * 4 * sizeof(int32_t)), Error::IoError,
                     "pinned decode inputs");
  const uint64_t sample_bytes = uint64_t(limits_.max_batch) * (sizeof(float) + sizeof(int32_t));
  LAC_CUDA_OR_RETURN(s.sample_io.allocate(sample_bytes), Error::IoError, "device sampling inputs");
  LAC_CUDA_OR_RETURN(s.sample_host.allocate(sample_bytes), Error::IoError, "pinned sampling inputs");

  // The decode step, captured once: every run-time input is read from the
  // entry point's io block, so the graph serves every slot and position.
  const CudaEntryPoint& dec = s.decode ? *s.decode : *s.prefill;
  // One uncaptured run first (token 0 at position 0 of slot 0, length 1:
  // the position it writes): it loads every kernel module before capture,
  // which drivers before CUDA 12.3 refuse to do inside a capture. Position 0
  // of slot 0 is rewritten by the first prefill.
  LAC_CUDA_OR_RETURN(cudaMemsetAsync(dec.io.get(), 0, dec.ioBytes(), s.ctx.stream), Error::Internal,
                     "zeroing the decode inputs");
  const int32_t warm[4] = {0, 0, 0, 1};  // {token, position, slot, length}
  std::memcpy(s.decode_io.as<int32_t>(), warm, sizeof(warm));
  LAC_CUDA_OR_RETURN(cudaMemcpy2DAsync(dec.io.get(), dec.max_tokens * sizeof(int32_t), s.decode_io.as<int32_t>(),
                                       sizeof(int32_t), sizeof(int32_t), 4, cudaMemcpyHostToDevice, s.ctx.stream),
                     Error::Internal, "the warm-up decode inputs");
  const StepCall one{1, true, dec.positions, dec.slots, dec.lengths};
  LAC_RETURN_IF_ERROR(enqueueSteps(s, dec, one));
  LAC_CUDA_OR_RETURN(cudaStreamSynchronize(s.ctx.stream), Error::Internal, "the first decode step");
  LAC_CUDA_OR_RETURN(cudaStreamBeginCapture(s.ctx.stream, cudaStreamCaptureModeThreadLocal), Error::Internal,
                     "capturing the decode graph");
  VoidResult enq = enqueueSteps(s, dec, one);
  const cudaError_t end = cudaStreamEndCapture(s.ctx.stream, &s.graph);
  LAC_RETURN_IF_ERROR(enq);
  LAC_CUDA_OR_RETURN(end, Error::Internal, "capturing the decode graph");
  LAC_CUDA_OR_RETURN(cudaGraphInstantiate(&s.graph_exec, s.graph, 0), Error::Internal,
                     "instantiating the decode graph");
  LAC_CUDA_OR_RETURN(cudaDeviceSynchronize(), Error::Internal, (name + ": loading").c_str());

  slots_.reset(limits_);
  return {};
}

// ---------------------------------------------------------------------------
// Calls

Result<std::span<const float>> CudaEngine::prefill(uint32_t slot, std::span<const int32_t> tokens,
                                                   uint32_t start_pos) {
  LAC_RETURN_IF_ERROR(slots_.checkPrefill(slot, tokens, start_pos));
  CudaState& s = *state_;
  CudaEntryPoint& ep = *s.prefill;
  const uint32_t T = ep.max_tokens;  // the io block's layout
  int32_t* st = ep.staging.as<int32_t>();
  float* logits = s.logits.as<float>();
  for (size_t off = 0; off < tokens.size(); off += ep.chunk) {
    const size_t t = std::min<size_t>(ep.chunk, tokens.size() - off);
    const uint32_t p0 = start_pos + uint32_t(off);
    std::memcpy(st, tokens.data() + off, t * sizeof(int32_t));
    for (size_t i = 0; i < t; ++i) {
      st[T + i] = int32_t(p0 + i);
      st[2 * T + i] = int32_t(slot);
    }
    LAC_CUDA_OR_RETURN(cudaMemcpyAsync(ep.io.get(), st, ep.ioBytes(), cudaMemcpyHostToDevice, s.ctx.stream),
                       Error::Internal, "prefill inputs");
    const StepCall call{int64_t(t), false, ep.positions, ep.slots, nullptr, int32_t(slot), int64_t(p0)};
    LAC_RETURN_IF_ERROR(enqueueSteps(s, ep, call));
    if (off + t == tokens.size())
      LAC_CUDA_OR_RETURN(cudaMemcpyAsync(logits, ep.bound->logits.last(int64_t(t), 1),
                                         limits_.vocab_size * sizeof(float), cudaMemcpyDeviceToHost, s.ctx.stream),
                         Error::Internal, "prefill logits");
    // The staging is reused by the next chunk: wait for this one.
    LAC_CUDA_OR_RETURN(cudaStreamSynchronize(s.ctx.stream), Error::Internal, "prefill");
  }
  slots_.filled(slot, start_pos + uint32_t(tokens.size()));
  return std::span<const float>(logits, limits_.vocab_size);
}

namespace {

// One sequence: a replay of the captured one-row graph. Several: one
// enqueued pass of the decode entry point over up to max_tokens rows (each
// matmul once over all of them, one attention launch for all rows). After
// each pass, finish(logits, stride, off, n) enqueues what is done with rows
// [off, off + n) of the batch, whose logits are the device rows `logits`
// (row stride `stride`); the stream is synchronized before this returns.
template <typename Finish>
VoidResult runDecode(CudaState& s, std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                     std::span<const uint32_t> positions, Finish&& finish) {
  CudaEntryPoint& ep = s.decode ? *s.decode : *s.prefill;
  const size_t T = ep.max_tokens;
  const Act& out = ep.bound->logits;
  if (slots.size() == 1) {
    int32_t* row = s.decode_io.as<int32_t>();
    row[0] = tokens[0];
    row[1] = int32_t(positions[0]);
    row[2] = int32_t(slots[0]);
    row[3] = int32_t(positions[0] + 1);
    // {token, position, slot, length} -> element 0 of the io block's four
    // arrays (T apart).
    LAC_CUDA_OR_RETURN(cudaMemcpy2DAsync(ep.io.get(), T * sizeof(int32_t), row, sizeof(int32_t), sizeof(int32_t), 4,
                                         cudaMemcpyHostToDevice, s.ctx.stream),
                       Error::Internal, "decode inputs");
    LAC_CUDA_OR_RETURN(cudaGraphLaunch(s.graph_exec, s.ctx.stream), Error::Internal, "decode graph launch");
    LAC_RETURN_IF_ERROR(finish(out.last(1, 1), out.stride, size_t{0}, size_t{1}));
  } else {
    const size_t rows = s.decode ? T : 1;  // a plan without decode: prefill, one sequence per call
    int32_t* st = ep.staging.as<int32_t>();
    for (size_t off = 0; off < slots.size(); off += rows) {
      const size_t n = std::min(rows, slots.size() - off);
      for (size_t i = 0; i < n; ++i) {
        st[i] = tokens[off + i];
        st[T + i] = int32_t(positions[off + i]);
        st[2 * T + i] = int32_t(slots[off + i]);
        st[3 * T + i] = int32_t(positions[off + i] + 1);
      }
      LAC_CUDA_OR_RETURN(cudaMemcpyAsync(ep.io.get(), st, ep.ioBytes(), cudaMemcpyHostToDevice, s.ctx.stream),
                         Error::Internal, "decode inputs");
      const StepCall call{int64_t(n), true, ep.positions, ep.slots, ep.lengths};
      LAC_RETURN_IF_ERROR(enqueueSteps(s, ep, call));
      LAC_RETURN_IF_ERROR(finish(out.last(int64_t(n), int64_t(n)), out.stride, off, n));
      // The staging is reused by the next group: wait for this one.
      LAC_CUDA_OR_RETURN(cudaStreamSynchronize(s.ctx.stream), Error::Internal, "decode");
    }
  }
  LAC_CUDA_OR_RETURN(cudaStreamSynchronize(s.ctx.stream), Error::Internal, "decode");
  return {};
}

}  // namespace

Result<std::span<const float>> CudaEngine::decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                  std::span<const uint32_t> positions) {
  LAC_RETURN_IF_ERROR(slots_.checkDecode(slots, tokens, positions));
  CudaState& s = *state_;
  const size_t v = limits_.vocab_size;
  float* logits = s.logits.as<float>();
  // Every row's logits to the host.
  auto copyLogits = [&](const float* dev, int64_t stride, size_t off, size_t n) -> VoidResult {
    LAC_CUDA_OR_RETURN(cudaMemcpy2DAsync(logits + off * v, v * sizeof(float), dev, size_t(stride) * sizeof(float),
                                         v * sizeof(float), n, cudaMemcpyDeviceToHost, s.ctx.stream),
                       Error::Internal, "decode logits");
    return {};
  };
  LAC_RETURN_IF_ERROR(runDecode(s, slots, tokens, positions, copyLogits));
  for (size_t i = 0; i < slots.size(); ++i) slots_.filled(slots[i], positions[i] + 1);
  return std::span<const float>(logits, slots.size() * v);
}

// The decode, then cu::sample on the device logits: per row one uniform in,
// one token out; the logits never leave the device.
Result<std::span<const int32_t>> CudaEngine::decodeSampled(std::span<const uint32_t> slots,
                                                           std::span<const int32_t> tokens,
                                                           std::span<const uint32_t> positions,
                                                           const DeviceSampling& sampling,
                                                           std::span<const float> uniforms) {
  LAC_RETURN_IF_ERROR(slots_.checkDecode(slots, tokens, positions));
  LAC_CHECK_OR_RETURN(uniforms.size() == slots.size(), Error::InvalidArgument,
                      "decode: %zu uniforms for %zu sequences", uniforms.size(), slots.size());
  CudaState& s = *state_;
  const size_t B = limits_.max_batch;
  float* u_host = s.sample_host.as<float>();  // [B] f32 | [B] i32
  int32_t* tok_host = reinterpret_cast<int32_t*>(u_host + B);
  float* u_dev = reinterpret_cast<float*>(s.sample_io.get());
  int32_t* tok_dev = reinterpret_cast<int32_t*>(u_dev + B);
  std::copy(uniforms.begin(), uniforms.end(), u_host);
  auto sampleRows = [&](const float* dev, int64_t stride, size_t off, size_t n) -> VoidResult {
    LAC_CUDA_OR_RETURN(cudaMemcpyAsync(u_dev + off, u_host + off, n * sizeof(float), cudaMemcpyHostToDevice,
                                       s.ctx.stream),
                       Error::Internal, "sampling uniforms");
    cu::SampleArgs a;
    a.logits = dev;
    a.logits_stride = stride;
    a.batch = int64_t(n);
    a.vocab = limits_.vocab_size;
    a.temperature = sampling.temperature;
    a.top_p = sampling.top_p;
    a.top_k = sampling.top_k;
    a.uniforms = u_dev + off;
    a.tokens = tok_dev + off;
    LAC_CUDA_OR_RETURN(cu::sample(s.ctx, a), Error::Internal, "sampling on the GPU");
    LAC_CUDA_OR_RETURN(cudaMemcpyAsync(tok_host + off, tok_dev + off, n * sizeof(int32_t), cudaMemcpyDeviceToHost,
                                       s.ctx.stream),
                       Error::Internal, "sampled tokens");
    return {};
  };
  LAC_RETURN_IF_ERROR(runDecode(s, slots, tokens, positions, sampleRows));
  for (size_t i = 0; i < slots.size(); ++i) slots_.filled(slots[i], positions[i] + 1);
  return std::span<const int32_t>(tok_host, slots.size());
}

}  // namespace lac::engine
