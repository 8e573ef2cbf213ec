// The scheduler: many requests over one engine::Model, continuous batching.
//
//   Scheduler sched(model, &tokenizer, {});
//   LAC_ASSIGN_OR_RETURN(uint64_t id, sched.submit(request, [](const Event& e) { ... }));
//   while (sched.busy()) LAC_RETURN_IF_ERROR(sched.step());
//
// submit() and cancel() may be called from any thread; step() from one
// thread (the engine's), which is also where events are delivered. Each
// step:
//   1. finishes cancelled requests (their slots are free for this step);
//   2. admits queued requests, oldest first, into free KV slots: the slot
//      whose cached prompt shares the longest prefix with the new prompt
//      (prefix reuse: those positions are not prefilled again), else the
//      least recently used;
//   3. prefills ONE chunk of at most `prefill_chunk` prompt tokens of the
//      oldest request still in prefill (a long prompt never stalls the
//      running streams for more than one chunk); a request whose prompt is
//      done samples its first token;
//   4. runs one decode step over every request past its prefill: one
//      Model::decode call, one row per request (the CPU engine reads each
//      weight once for all of them);
//   5. samples each row's next token and reports it; a request that stops
//      (stop id, stop string, max tokens, max_seq_len) leaves the batch and
//      its slot is free at the next step.
// Prefill chunks and decode steps alternate (they are separate engine calls).
//
// Batch invariance: a request's tokens and logprobs are the same alone or
// beside any others, joined at any step, with any chunk size, because the
// engine's per-row arithmetic does not depend on the batch
// (test/integration/batch_invariance_test.cpp), sampling draws from the
// request's own Rng, and only K/V written by a PREFILL of the same tokens is
// reused (a reused slot's generated tokens were decoded, not prefilled, so
// they are never reused).
//
// The queue is bounded: past `max_queue` waiting requests submit() says
// Error::Busy instead of growing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "runtime/core/result.h"
#include "runtime/engine/model.h"
#include "runtime/sampling/rng.h"
#include "runtime/sampling/sampler.h"
#include "runtime/serve/request.h"
#include "runtime/serve/text_stream.h"

namespace lac::serve {

struct SchedulerOptions {
  uint32_t max_queue = 256;      // waiting requests (not yet in a slot)
  uint32_t prefill_chunk = 256;  // prompt tokens per prefill chunk
  bool prefix_reuse = true;      // reuse cached prompt prefixes of free slots
};

class Scheduler {
 public:
  // `tokenizer` (may be null: no text in events, no stop strings) must
  // outlive the scheduler, as must `model`.
  Scheduler(engine::Model& model, const Tokenizer* tokenizer, SchedulerOptions options = {});
  ~Scheduler();

  // Queues a request; its events go to `sink`. InvalidArgument for a bad
  // request (empty prompt, a prompt of max_seq_len tokens or more, ids
  // outside the vocabulary, bad sampling options, top_logprobs > 20, stop
  // strings without a tokenizer or not valid UTF-8), Busy when the queue is
  // full.
  Result<uint64_t> submit(Request request, EventSink sink);

  // Ends request `id` at the next step (queued or running); its sink hears
  // Finished(Cancelled). Unknown or finished ids are ignored.
  void cancel(uint64_t id);

  // One scheduling step (see above). Errors from the model end every
  // running request (their sinks hear nothing more) and are returned.
  VoidResult step();

  // Whether a step has work: queued or running requests, or cancellations.
  // These three may be read from any thread.
  bool busy() const;
  size_t queued() const;
  size_t running() const { return running_.load(); }

 private:
  struct Active;
  struct Slot {
    bool busy = false;
    std::vector<int32_t> cached;  // prompt tokens whose K/V (from prefill) the slot holds
    uint64_t last_used = 0;
  };
  struct Queued {
    uint64_t id;
    Request request;
    EventSink sink;
    std::chrono::steady_clock::time_point submitted;
  };

  VoidResult validate(const Request& r) const;
  void admit();
  uint32_t pickSlot(const std::vector<int32_t>& prompt, uint32_t& reuse) const;
  VoidResult prefillChunk();
  VoidResult decodeStep();
  // Samples the next token of `a` from its logits row and reports it.
  VoidResult advance(Active& a, std::span<const float> logits);
  void finish(Active& a, FinishReason why, std::string tail = {});
  void removeFinished();

  engine::Model& model_;
  const Tokenizer* tok_;
  SchedulerOptions opts_;
  std::vector<Slot> slots_;
  std::vector<std::unique_ptr<Active>> active_;  // in admission order (the engine thread's)
  std::atomic<size_t> running_{0};               // active_.size(), for other threads
  uint64_t clock_ = 0;                           // steps, for least-recently-used slots

  mutable std::mutex mu_;  // guards queue_, cancels_, next_id_
  std::deque<Queued> queue_;
  std::vector<uint64_t> cancels_;
  uint64_t next_id_ = 1;

  // Per-step lists, reused.
  std::vector<Active*> rows_;
  std::vector<uint32_t> step_slots_, step_positions_;
  std::vector<int32_t> step_tokens_;
};

}  // namespace lac::serve
