// Batched generation: prefill per sequence, then lock-step decode (generate.h).
#include "runtime/generate/generate.h"

#include <algorithm>
#include <chrono>

#include "runtime/sampling/rng.h"
#include "runtime/sampling/sampler.h"
#include "runtime/sampling/softmax.h"

namespace lac::generate {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// One sequence's state while it runs.
struct Sequence {
  size_t index = 0;
  uint32_t slot = 0;
  uint32_t limit = 0;             // most new tokens it may produce
  std::vector<int32_t> tokens;    // prompt + generated (stop token included)
  std::vector<float> logprobs;    // aligned with tokens (prompt entries 0 unless echo)
  std::vector<std::vector<sampling::TokenLogprob>> top;  // per generated token, with top_logprobs
  bool done = false;
  FinishReason finish = FinishReason::Length;
  sampling::Rng rng;
};

// --- Checks ---------------------------------------------------------------------------

VoidResult checkInputs(const engine::ModelLimits& lim, const std::vector<std::vector<int32_t>>& prompts,
                       const GenerateOptions& o) {
  LAC_CHECK_OR_RETURN(!prompts.empty(), Error::InvalidArgument, "generate: no prompts");
  LAC_CHECK_OR_RETURN(prompts.size() <= lim.max_batch, Error::InvalidArgument,
                      "generate: batch of %zu prompts is larger than the model's max batch %u",
                      prompts.size(), lim.max_batch);
  for (size_t i = 0; i < prompts.size(); ++i) {
    const auto& p = prompts[i];
    LAC_CHECK_OR_RETURN(!p.empty(), Error::InvalidArgument, "generate: prompt %zu is empty", i);
    LAC_CHECK_OR_RETURN(p.size() <= lim.max_seq_len, Error::InvalidArgument,
                        "generate: prompt %zu has %zu tokens, more than the model's max sequence length %u", i,
                        p.size(), lim.max_seq_len);
    for (size_t j = 0; j < p.size(); ++j)
      LAC_CHECK_OR_RETURN(p[j] >= 0 && static_cast<uint32_t>(p[j]) < lim.vocab_size, Error::InvalidArgument,
                          "generate: prompt %zu token %zu: id %d is outside the vocabulary (%u tokens)", i, j,
                          p[j], lim.vocab_size);
  }
  LAC_CHECK_OR_RETURN(o.top_logprobs <= 20, Error::InvalidArgument,
                      "generate: top_logprobs is %u; at most 20 alternatives are reported", o.top_logprobs);
  for (int32_t id : o.stop_ids)
    LAC_CHECK_OR_RETURN(id >= 0 && static_cast<uint32_t>(id) < lim.vocab_size, Error::InvalidArgument,
                        "generate: stop token id %d is outside the vocabulary (%u tokens)", id, lim.vocab_size);
  return {};
}

// --- Generator --------------------------------------------------------------------------

class Generator {
 public:
  Generator(engine::Model& model, const GenerateOptions& o, sampling::Sampler sampler, const TokenCallback& cb)
      : model_(model), opts_(o), sampler_(std::move(sampler)), cb_(cb) {}

  Result<GenerateResult> run(const std::vector<std::vector<int32_t>>& prompts);

 private:
  VoidResult prefill(Sequence& s);
  VoidResult prefillTokenByToken(Sequence& s, std::span<const float>& last);
  VoidResult decodeStep(std::vector<Sequence*>& live);
  // Samples the next token of `s` from its [vocab] logits row and records it.
  VoidResult advance(Sequence& s, std::span<const float> logits);
  // Records `next` (logprob `lp`) as the next token of `s`.
  void record(Sequence& s, int32_t next, float lp);
  // The model samples on its device: no logprobs asked, and no option the
  // device sampler lacks (engine::DeviceSampling).
  bool deviceSampling() const {
    const sampling::SamplerOptions& o = sampler_.options();
    return !opts_.logprobs && !opts_.top_logprobs && o.min_p == 0.0f && o.repetition_penalty == 1.0f && model_.samplesOnDevice();
  }
  VoidResult checkCancel() const {
    LAC_CHECK_OR_RETURN(!opts_.cancel || !opts_.cancel->load(std::memory_order_relaxed), Error::Cancelled,
                        "generate: cancelled");
    return {};
  }
  bool isStop(int32_t t) const {
    return std::find(opts_.stop_ids.begin(), opts_.stop_ids.end(), t) != opts_.stop_ids.end();
  }

  engine::Model& model_;
  const GenerateOptions& opts_;
  sampling::Sampler sampler_;
  const TokenCallback& cb_;
  std::vector<Sequence> seqs_;
  // The decode loop's per-step lists, reused (no allocation per step).
  std::vector<Sequence*> live_;
  std::vector<uint32_t> step_slots_, step_positions_;
  std::vector<int32_t> step_tokens_;
  std::vector<float> step_uniforms_;
  GenerateStats stats_;
  Clock::time_point start_;
  bool first_seen_ = false;
};

VoidResult Generator::advance(Sequence& s, std::span<const float> logits) {
  LAC_ASSIGN_OR_RETURN(int32_t next, sampler_.sample(logits, s.tokens, s.rng));
  float lp = 0;
  if (opts_.logprobs) {
    LAC_ASSIGN_OR_RETURN(lp, sampling::logprob(logits, next));
  }
  if (opts_.top_logprobs) {
    LAC_ASSIGN_OR_RETURN(auto top, sampling::topLogprobs(logits, opts_.top_logprobs));
    s.top.push_back(std::move(top));
  }
  record(s, next, lp);
  return {};
}

void Generator::record(Sequence& s, int32_t next, float lp) {
  if (!first_seen_ && s.index == 0) {
    stats_.first_token_seconds = secondsSince(start_);
    first_seen_ = true;
  }
  s.tokens.push_back(next);
  s.logprobs.push_back(lp);
  if (isStop(next)) {
    s.done = true;
    s.finish = FinishReason::Stop;
    return;
  }
  if (cb_) cb_(TokenEvent{s.index, next, lp});
}

VoidResult Generator::prefillTokenByToken(Sequence& s, std::span<const float>& last) {
  // Position p's logits give the logprob of token p + 1.
  for (size_t p = 0; p < s.tokens.size(); ++p) {
    LAC_ASSIGN_OR_RETURN(last, model_.prefill(s.slot, std::span<const int32_t>(&s.tokens[p], 1),
                                              static_cast<uint32_t>(p)));
    if (p + 1 < s.tokens.size()) {
      LAC_ASSIGN_OR_RETURN(s.logprobs[p + 1], sampling::logprob(last, s.tokens[p + 1]));
    }
  }
  return {};
}

VoidResult Generator::prefill(Sequence& s) {
  std::span<const float> logits;
  if (opts_.echo && opts_.logprobs) {
    LAC_RETURN_IF_ERROR(prefillTokenByToken(s, logits));
  } else {
    LAC_ASSIGN_OR_RETURN(logits, model_.prefill(s.slot, s.tokens, 0));
  }
  stats_.prompt_tokens += s.tokens.size();
  if (s.limit == 0) {
    s.done = true;
    return {};
  }
  return advance(s, logits);
}

VoidResult Generator::decodeStep(std::vector<Sequence*>& live) {
  const uint32_t vocab = model_.limits().vocab_size;
  step_slots_.clear();
  step_tokens_.clear();
  step_positions_.clear();
  for (Sequence* s : live) {
    step_slots_.push_back(s->slot);
    step_tokens_.push_back(s->tokens.back());
    step_positions_.push_back(static_cast<uint32_t>(s->tokens.size() - 1));
  }
  if (deviceSampling()) {
    // One coin per sequence when sampling, none when greedy (as Sampler::sample).
    const sampling::SamplerOptions& o = sampler_.options();
    step_uniforms_.clear();
    for (Sequence* s : live) step_uniforms_.push_back(o.temperature > 0.0f ? s->rng.nextFloat() : 0.0f);
    const engine::DeviceSampling ds{o.temperature, o.top_p, o.top_k};
    LAC_ASSIGN_OR_RETURN(std::span<const int32_t> next,
                         model_.decodeSampled(step_slots_, step_tokens_, step_positions_, ds, step_uniforms_));
    LAC_CHECK_OR_RETURN(next.size() == live.size(), Error::Internal,
                        "generate: decode sampled %zu tokens for %zu sequences", next.size(), live.size());
    ++stats_.decode_steps;
    stats_.decoded_tokens += live.size();
    for (size_t r = 0; r < live.size(); ++r) {
      LAC_CHECK_OR_RETURN(next[r] >= 0 && uint32_t(next[r]) < vocab, Error::Internal,
                          "generate: the device sampled token %d outside the vocabulary (%u)", next[r], vocab);
      record(*live[r], next[r], 0.0f);
    }
    return {};
  }
  LAC_ASSIGN_OR_RETURN(std::span<const float> logits, model_.decode(step_slots_, step_tokens_, step_positions_));
  LAC_CHECK_OR_RETURN(logits.size() == size_t(vocab) * live.size(), Error::Internal,
                      "generate: decode returned %zu logits for %zu sequences of vocabulary %u", logits.size(),
                      live.size(), vocab);
  ++stats_.decode_steps;
  stats_.decoded_tokens += live.size();
  for (size_t r = 0; r < live.size(); ++r)
    LAC_RETURN_IF_ERROR(advance(*live[r], logits.subspan(r * vocab, vocab)));
  return {};
}

Result<GenerateResult> Generator::run(const std::vector<std::vector<int32_t>>& prompts) {
  const engine::ModelLimits& lim = model_.limits();
  const uint32_t max_gen = opts_.max_gen_len ? opts_.max_gen_len : lim.max_seq_len - 1;
  size_t max_prompt = 0;
  for (const auto& p : prompts) max_prompt = std::max(max_prompt, p.size());
  const uint64_t total_len = std::min<uint64_t>(lim.max_seq_len, uint64_t(max_gen) + max_prompt);

  start_ = Clock::now();
  seqs_.reserve(prompts.size());
  for (size_t i = 0; i < prompts.size(); ++i) {
    Sequence s{i, static_cast<uint32_t>(i),
               static_cast<uint32_t>(std::min<uint64_t>(max_gen, total_len - prompts[i].size())),
               prompts[i], std::vector<float>(prompts[i].size(), 0.0f), {}, false, FinishReason::Length,
               sampling::Rng::forSequence(opts_.seed, i)};
    s.tokens.reserve(prompts[i].size() + s.limit);  // decode appends without reallocating
    s.logprobs.reserve(prompts[i].size() + s.limit);
    seqs_.push_back(std::move(s));
  }
  live_.reserve(seqs_.size());
  step_slots_.reserve(seqs_.size());
  step_tokens_.reserve(seqs_.size());
  step_positions_.reserve(seqs_.size());
  step_uniforms_.reserve(seqs_.size());
  for (Sequence& s : seqs_) {
    LAC_RETURN_IF_ERROR(checkCancel());
    LAC_RETURN_IF_ERROR(prefill(s));
  }
  stats_.prefill_seconds = secondsSince(start_);

  const auto decode_start = Clock::now();
  for (;;) {
    live_.clear();
    for (Sequence& s : seqs_) {
      const size_t generated = s.tokens.size() - prompts[s.index].size();
      if (!s.done && generated >= s.limit) s.done = true;  // FinishReason::Length
      if (!s.done) live_.push_back(&s);
    }
    if (live_.empty()) break;
    LAC_RETURN_IF_ERROR(checkCancel());
    LAC_RETURN_IF_ERROR(decodeStep(live_));
  }
  stats_.decode_seconds = secondsSince(decode_start);

  GenerateResult out;
  out.stats = stats_;
  for (Sequence& s : seqs_) {
    const size_t plen = prompts[s.index].size();
    SequenceOutput o;
    o.prompt_len = static_cast<uint32_t>(plen);
    o.finish = s.finish;
    size_t end = s.tokens.size() - (s.finish == FinishReason::Stop ? 1 : 0);
    o.generated = static_cast<uint32_t>(end - plen);
    const size_t begin = opts_.echo ? 0 : plen;
    o.tokens.assign(s.tokens.begin() + begin, s.tokens.begin() + end);
    if (opts_.logprobs) o.logprobs.assign(s.logprobs.begin() + begin, s.logprobs.begin() + end);
    if (opts_.top_logprobs) o.top_logprobs.assign(s.top.begin(), s.top.begin() + (end - plen));
    out.sequences.push_back(std::move(o));
  }
  return out;
}

}  // namespace

Result<GenerateResult> generate(engine::Model& model, const std::vector<std::vector<int32_t>>& prompts,
                                const GenerateOptions& options, const TokenCallback& on_token) {
  LAC_RETURN_IF_ERROR(checkInputs(model.limits(), prompts, options));
  LAC_ASSIGN_OR_RETURN(sampling::Sampler sampler, sampling::Sampler::create(samplerOptions(options)));
  Generator g(model, options, std::move(sampler), on_token);
  return g.run(prompts);
}

sampling::SamplerOptions samplerOptions(const GenerateOptions& o) { return sampling::samplerOptionsOf(o); }

}  // namespace lac::generate
