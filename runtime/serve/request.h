// What a client of the scheduler (scheduler.h) asks for and what it hears
// back: one request's prompt and options, and the events of its stream.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "runtime/sampling/softmax.h"

namespace lac::serve {

struct RequestOptions {
  // Sampling (runtime/sampling/sampler.h): 0 temperature is greedy.
  float temperature = 0.6f;
  float top_p = 0.9f;               // (0, 1]
  int32_t top_k = 0;                // 0 = off
  float min_p = 0.0f;               // 0 = off
  float repetition_penalty = 1.0f;  // 1 = off
  // The draws come from Rng::forSequence(seed, stream): a request's tokens
  // depend on its prompt, options and these two numbers only.
  uint64_t seed = 0;
  uint64_t stream = 0;
  // New tokens at most; 0 = until the model's max_seq_len.
  uint32_t max_tokens = 0;
  std::vector<int32_t> stop_ids;         // any ends the request; never reported
  std::vector<std::string> stop_strings; // text that ends it; never in the text (needs a tokenizer)
  bool logprobs = false;                 // each token's logprob (raw logits, temperature 1)
  uint32_t top_logprobs = 0;             // and the N most likely alternatives (N <= 20)
};

struct Request {
  std::vector<int32_t> prompt;
  RequestOptions options;
};

enum class FinishReason { Stop, Length, Cancelled };
const char* finishReasonName(FinishReason r);  // "stop", "length", "cancelled"

struct RequestStats {
  uint32_t prompt_tokens = 0;
  uint32_t cached_tokens = 0;     // prompt tokens whose K/V were reused, not prefilled
  uint32_t generated_tokens = 0;  // tokens reported (not counting a stop token)
  uint32_t prefill_chunks = 0;
  double queued_seconds = 0;      // submit -> admitted into a slot
  double first_token_seconds = 0; // submit -> first token
  double total_seconds = 0;       // submit -> finished
};

struct Event {
  enum class Kind { Token, Finished };
  Kind kind = Kind::Token;
  uint64_t id = 0;
  // Token: the sampled token and the text that became final with it (cut at
  // UTF-8 character boundaries; text that might start a stop string waits).
  int32_t token = -1;
  std::string text;
  float logprob = 0;                            // with options.logprobs
  std::vector<sampling::TokenLogprob> top;      // with options.top_logprobs
  // Finished: why, and the text still held back (if any, it is final now).
  FinishReason finish = FinishReason::Length;
  RequestStats stats;
};

// Called on the scheduler's thread, in order, for each event of a request.
using EventSink = std::function<void(const Event&)>;

}  // namespace lac::serve
