// Batched generation over an engine::Model, with the semantics of Meta's
// llama3 `Llama.generate` (llama/generation.py):
//
//   total_len = min(max_seq_len, max_gen_len + longest prompt)
//   sequence i generates at most min(max_gen_len, total_len - len(prompt i))
//   tokens and stops at its first stop token (which is not part of the output).
//
// How it runs (same results as Meta's lock-step loop, fewer wasted steps):
//   1. each prompt is prefilled in one pass into its own KV slot (slot i);
//      its last-token logits give the sequence's first new token;
//   2. decode steps then advance every unfinished sequence together, one
//      token each; a finished sequence leaves the batch.
// Temperature 0 is greedy argmax; otherwise softmax(logits / T), then top-k,
// top-p (Meta's rule), min-p (runtime/sampling/sampler.h). Each sequence has
// its own Rng::forSequence(seed, i): its tokens never depend on its batch
// neighbours, only on (seed, i) and its prompt.
//
// Logprobs are Meta's: log_softmax of the raw (temperature 1, unpenalized)
// logits at the token. With echo, the prompt tokens are part of the output
// and their logprobs are those of position p given positions < p; position 0
// has none and reports 0, as Meta's zero-initialised tensor does. The
// interface returns only last-token logits, so echo + logprobs prefills the
// prompt token by token (one call per prompt token) to see every position.
//
// Deviation from Meta: the output is cut at the first stop token among the
// GENERATED tokens only; Meta's echo output is also cut at a stop token inside
// the prompt.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "runtime/core/result.h"
#include "runtime/engine/model.h"
#include "runtime/sampling/sampler.h"
#include "runtime/sampling/softmax.h"

namespace lac::generate {

struct GenerateOptions {
  // 0: max_seq_len - 1 (Meta's text_completion default).
  uint32_t max_gen_len = 0;
  float temperature = 0.6f;         // >= 0; 0 = greedy
  float top_p = 0.9f;               // (0, 1]
  int32_t top_k = 0;                // 0 = off
  float min_p = 0.0f;               // 0 = off
  float repetition_penalty = 1.0f;  // 1 = off
  bool logprobs = false;
  uint32_t top_logprobs = 0;        // and the N most likely tokens at each generated step (N <= 20)
  bool echo = false;
  uint64_t seed = 0;
  std::vector<int32_t> stop_ids;    // any of them ends a sequence
  // chatCompletion with a Jinja chat format only: a JSON object of extra
  // template variables (Hugging Face's chat_template_kwargs); "" for none.
  std::string chat_template_kwargs;
  // When set and it becomes true, generation stops before its next model
  // call and returns Error::Cancelled (another thread, or the token callback,
  // sets it).
  const std::atomic<bool>* cancel = nullptr;
};

// The sampler's share of `o` (temperature, top-p, top-k, min-p, repetition
// penalty); sampling::validateSamplerOptions checks it.
sampling::SamplerOptions samplerOptions(const GenerateOptions& o);

enum class FinishReason { Stop, Length };

struct SequenceOutput {
  // With echo: prompt + generated, else generated only; never a stop token.
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;      // one per token when logprobs was asked, else empty
  // One list per generated token (not the prompt's) when top_logprobs was asked.
  std::vector<std::vector<sampling::TokenLogprob>> top_logprobs;
  FinishReason finish = FinishReason::Length;
  uint32_t prompt_len = 0;
  uint32_t generated = 0;           // new tokens, not counting the stop token
};

struct GenerateStats {
  double prefill_seconds = 0;       // all prompts
  double first_token_seconds = 0;   // start -> first sampled token of sequence 0
  double decode_seconds = 0;        // all decode steps
  uint64_t prompt_tokens = 0;
  uint64_t decoded_tokens = 0;      // tokens fed to decode steps
  uint32_t decode_steps = 0;
};

struct GenerateResult {
  std::vector<SequenceOutput> sequences;  // in prompt order
  GenerateStats stats;
};

// One generated output token, as it is sampled (stop tokens are not reported).
struct TokenEvent {
  size_t sequence = 0;
  int32_t token = 0;
  float logprob = 0;  // 0 unless options.logprobs
};
using TokenCallback = std::function<void(const TokenEvent&)>;

// InvalidArgument for: an empty batch, more prompts than the model's
// max_batch, an empty prompt, a prompt longer than max_seq_len (naming the
// prompt index and the lengths), a token id outside the vocabulary, or a bad
// sampling option. Cancelled when
// options.cancel was set. Errors from the model are passed on.
Result<GenerateResult> generate(engine::Model& model, const std::vector<std::vector<int32_t>>& prompts,
                                const GenerateOptions& options, const TokenCallback& on_token = {});

}  // namespace lac::generate
