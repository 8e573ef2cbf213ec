// Continuous batching over engine::Model (scheduler.h).
#include "runtime/serve/scheduler.h"

#include <algorithm>

#include "runtime/tokenizer/utf8.h"

namespace lac::serve {

namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

sampling::SamplerOptions samplerOptions(const RequestOptions& o) { return sampling::samplerOptionsOf(o); }

constexpr uint32_t kMaxTopLogprobs = 20;

}  // namespace

const char* finishReasonName(FinishReason r) {
  switch (r) {
    case FinishReason::Stop: return "stop";
    case FinishReason::Length: return "length";
    case FinishReason::Cancelled: return "cancelled";
  }
  return "?";
}

// One admitted request: its slot, tokens, sampler and text stream.
struct Scheduler::Active {
  uint64_t id = 0;
  EventSink sink;
  RequestOptions opts;
  std::vector<int32_t> tokens;  // prompt + sampled (a final stop token included)
  uint32_t prompt_len = 0;
  uint32_t filled = 0;          // positions of the slot holding this request's K/V
  uint32_t slot = 0;
  uint32_t limit = 0;           // new tokens at most
  sampling::Sampler sampler;
  sampling::Rng rng;
  std::optional<TextStream> text;
  RequestStats stats;
  Clock::time_point submitted;
  bool prefilling = true;
  bool done = false;
};

Scheduler::Scheduler(engine::Model& model, const Tokenizer* tokenizer, SchedulerOptions options)
    : model_(model), tok_(tokenizer), opts_(options), slots_(model.limits().max_batch) {
  opts_.prefill_chunk = std::max<uint32_t>(opts_.prefill_chunk, 1);
}

Scheduler::~Scheduler() = default;

// ---------------------------------------------------------------------------
// Client side (any thread)

VoidResult Scheduler::validate(const Request& r) const {
  const engine::ModelLimits& lim = model_.limits();
  const RequestOptions& o = r.options;
  LAC_CHECK_OR_RETURN(!r.prompt.empty(), Error::InvalidArgument, "the prompt is empty");
  LAC_CHECK_OR_RETURN(r.prompt.size() < lim.max_seq_len, Error::InvalidArgument,
                      "the prompt has %zu tokens; the model's max sequence length is %u, which leaves no room "
                      "for a new token",
                      r.prompt.size(), lim.max_seq_len);
  for (size_t i = 0; i < r.prompt.size(); ++i)
    LAC_CHECK_OR_RETURN(r.prompt[i] >= 0 && uint32_t(r.prompt[i]) < lim.vocab_size, Error::InvalidArgument,
                        "prompt token %zu: id %d is outside the vocabulary (%u tokens)", i, r.prompt[i],
                        lim.vocab_size);
  for (int32_t id : o.stop_ids)
    LAC_CHECK_OR_RETURN(id >= 0 && uint32_t(id) < lim.vocab_size, Error::InvalidArgument,
                        "stop token id %d is outside the vocabulary (%u tokens)", id, lim.vocab_size);
  LAC_RETURN_IF_ERROR(sampling::validateSamplerOptions(samplerOptions(o)));
  LAC_CHECK_OR_RETURN(o.top_logprobs <= kMaxTopLogprobs, Error::InvalidArgument,
                      "top_logprobs is %u; at most %u alternatives are reported", o.top_logprobs, kMaxTopLogprobs);
  LAC_CHECK_OR_RETURN(o.stop_strings.empty() || tok_, Error::InvalidArgument,
                      "stop strings need the model's tokenizer, and this scheduler has none");
  for (const std::string& s : o.stop_strings)
    LAC_CHECK_OR_RETURN(!s.empty() && utf8::firstInvalid(s) == std::string::npos, Error::InvalidArgument,
                        "a stop string must be non-empty valid UTF-8");
  return {};
}

Result<uint64_t> Scheduler::submit(Request request, EventSink sink) {
  LAC_RETURN_IF_ERROR(validate(request));
  std::lock_guard<std::mutex> lock(mu_);
  LAC_CHECK_OR_RETURN(queue_.size() < opts_.max_queue, Error::Busy,
                      "the server is busy: %zu requests are already waiting (max %u); try again later",
                      queue_.size(), opts_.max_queue);
  const uint64_t id = next_id_++;
  queue_.push_back(Queued{id, std::move(request), std::move(sink), Clock::now()});
  return id;
}

void Scheduler::cancel(uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  cancels_.push_back(id);
}

bool Scheduler::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !queue_.empty() || !cancels_.empty() || running_.load() > 0;
}

size_t Scheduler::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size();
}

// ---------------------------------------------------------------------------
// Engine side (the thread that calls step())

void Scheduler::finish(Active& a, FinishReason why, std::string tail) {
  a.done = true;
  Slot& s = slots_[a.slot];
  s.busy = false;
  s.last_used = clock_;
  // Only prompt positions were written by a prefill; generated ones by decode.
  s.cached.assign(a.tokens.begin(), a.tokens.begin() + std::min(a.filled, a.prompt_len));
  a.stats.total_seconds = secondsSince(a.submitted);
  Event e;
  e.kind = Event::Kind::Finished;
  e.id = a.id;
  e.finish = why;
  e.text = std::move(tail);
  e.stats = a.stats;
  if (a.sink) a.sink(e);
}

VoidResult Scheduler::advance(Active& a, std::span<const float> logits) {
  LAC_ASSIGN_OR_RETURN(int32_t next, a.sampler.sample(logits, a.tokens, a.rng));
  a.tokens.push_back(next);
  if (std::find(a.opts.stop_ids.begin(), a.opts.stop_ids.end(), next) != a.opts.stop_ids.end()) {
    finish(a, FinishReason::Stop, a.text ? a.text->finish() : std::string());
    return {};
  }
  Event e;
  e.id = a.id;
  e.token = next;
  if (a.opts.logprobs || a.opts.top_logprobs) {
    LAC_ASSIGN_OR_RETURN(e.logprob, sampling::logprob(logits, next));
  }
  if (a.opts.top_logprobs) {
    LAC_ASSIGN_OR_RETURN(e.top, sampling::topLogprobs(logits, a.opts.top_logprobs));
  }
  bool stopped = false;
  if (a.text) {
    LAC_ASSIGN_OR_RETURN(TextStream::Piece p, a.text->push(next));
    e.text = std::move(p.text);
    stopped = p.stopped;
  }
  if (++a.stats.generated_tokens == 1) a.stats.first_token_seconds = secondsSince(a.submitted);
  if (a.sink) a.sink(e);
  if (stopped) finish(a, FinishReason::Stop);
  else if (a.stats.generated_tokens >= a.limit) finish(a, FinishReason::Length, a.text ? a.text->finish() : "");
  return {};
}

uint32_t Scheduler::pickSlot(const std::vector<int32_t>& prompt, uint32_t& reuse) const {
  uint32_t best = UINT32_MAX;
  reuse = 0;
  for (uint32_t i = 0; i < slots_.size(); ++i) {
    const Slot& s = slots_[i];
    if (s.busy) continue;
    uint32_t common = 0;
    if (opts_.prefix_reuse) {
      const size_t n = std::min(s.cached.size(), prompt.size() - 1);  // keep >= 1 token to prefill
      while (common < n && s.cached[common] == prompt[common]) ++common;
    }
    if (best == UINT32_MAX || common > reuse || (common == reuse && s.last_used < slots_[best].last_used)) {
      best = i;
      reuse = common;
    }
  }
  return best;
}

void Scheduler::admit() {
  for (;;) {
    if (std::none_of(slots_.begin(), slots_.end(), [](const Slot& s) { return !s.busy; })) return;
    Queued q;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (queue_.empty()) return;
      q = std::move(queue_.front());
      queue_.pop_front();
    }
    const RequestOptions& o = q.request.options;
    auto sampler = sampling::Sampler::create(samplerOptions(o));  // validated at submit
    uint32_t reuse = 0;
    const uint32_t slot = pickSlot(q.request.prompt, reuse);
    auto a = std::make_unique<Active>(Active{q.id, std::move(q.sink), o, std::move(q.request.prompt), 0, 0, slot, 0,
                                             std::move(*sampler), sampling::Rng::forSequence(o.seed, o.stream),
                                             std::nullopt, RequestStats{}, q.submitted, true, false});
    const uint32_t max_seq = model_.limits().max_seq_len;
    a->prompt_len = uint32_t(a->tokens.size());
    a->limit = max_seq - a->prompt_len;
    if (o.max_tokens) a->limit = std::min(a->limit, o.max_tokens);
    a->filled = reuse;
    a->tokens.reserve(a->prompt_len + a->limit);
    if (tok_) a->text.emplace(*tok_, o.stop_strings);
    a->stats.prompt_tokens = a->prompt_len;
    a->stats.cached_tokens = reuse;
    a->stats.queued_seconds = secondsSince(a->submitted);
    slots_[slot].busy = true;
    slots_[slot].last_used = clock_;
    active_.push_back(std::move(a));
    running_ = active_.size();
  }
}

VoidResult Scheduler::prefillChunk() {
  for (auto& p : active_) {
    Active& a = *p;
    if (a.done || !a.prefilling) continue;
    const uint32_t n = std::min(opts_.prefill_chunk, a.prompt_len - a.filled);
    LAC_ASSIGN_OR_RETURN(std::span<const float> logits,
                         model_.prefill(a.slot, std::span<const int32_t>(a.tokens).subspan(a.filled, n), a.filled));
    a.filled += n;
    ++a.stats.prefill_chunks;
    if (a.filled == a.prompt_len) {
      a.prefilling = false;
      LAC_RETURN_IF_ERROR(advance(a, logits));
    }
    return {};  // one chunk per step
  }
  return {};
}

VoidResult Scheduler::decodeStep() {
  rows_.clear();
  step_slots_.clear();
  step_tokens_.clear();
  step_positions_.clear();
  for (auto& p : active_)
    if (!p->done && !p->prefilling) {
      rows_.push_back(p.get());
      step_slots_.push_back(p->slot);
      step_tokens_.push_back(p->tokens.back());
      step_positions_.push_back(uint32_t(p->tokens.size() - 1));
    }
  if (rows_.empty()) return {};
  LAC_ASSIGN_OR_RETURN(std::span<const float> logits, model_.decode(step_slots_, step_tokens_, step_positions_));
  const size_t vocab = model_.limits().vocab_size;
  LAC_CHECK_OR_RETURN(logits.size() == vocab * rows_.size(), Error::Internal,
                      "decode returned %zu logits for %zu sequences", logits.size(), rows_.size());
  for (size_t r = 0; r < rows_.size(); ++r) {
    rows_[r]->filled = std::max(rows_[r]->filled, step_positions_[r] + 1);
    LAC_RETURN_IF_ERROR(advance(*rows_[r], logits.subspan(r * vocab, vocab)));
  }
  return {};
}

void Scheduler::removeFinished() {
  std::erase_if(active_, [](const std::unique_ptr<Active>& a) { return a->done; });
  running_ = active_.size();
}

VoidResult Scheduler::step() {
  std::vector<uint64_t> cancels;
  std::vector<Queued> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancels.swap(cancels_);
    for (uint64_t id : cancels)
      for (auto it = queue_.begin(); it != queue_.end(); ++it)
        if (it->id == id) {
          dropped.push_back(std::move(*it));
          queue_.erase(it);
          break;
        }
  }
  for (Queued& q : dropped) {
    Event e;
    e.kind = Event::Kind::Finished;
    e.id = q.id;
    e.finish = FinishReason::Cancelled;
    e.stats.prompt_tokens = uint32_t(q.request.prompt.size());
    e.stats.total_seconds = secondsSince(q.submitted);
    if (q.sink) q.sink(e);
  }
  for (auto& a : active_)
    if (!a->done && std::find(cancels.begin(), cancels.end(), a->id) != cancels.end())
      finish(*a, FinishReason::Cancelled);
  removeFinished();

  admit();
  VoidResult r = prefillChunk();
  if (r.ok()) r = decodeStep();
  if (!r.ok()) {
    // The engine failed mid-step: no running request can go on, and no
    // slot's cache is known to be good.
    for (auto& a : active_) slots_[a->slot] = Slot{};
    active_.clear();
    running_ = 0;
    return r;
  }
  removeFinished();
  ++clock_;
  return {};
}

}  // namespace lac::serve
