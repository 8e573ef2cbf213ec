// The OpenAI API's shapes, mapped onto the scheduler (runtime/serve): request
// JSON -> prompts + serve::RequestOptions, scheduler events -> response and
// streaming-chunk JSON. No sockets here: lac-serve's HTTP layer (server.h)
// calls these, and openai_test.cpp checks them alone. docs/SERVER.md lists
// the fields.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/generate/loaded_model.h"
#include "runtime/serve/request.h"

namespace lac::server {

using Json = nlohmann::json;

// An error as OpenAI reports it: HTTP status and {"error": {message, type, param, code}}.
struct ApiError {
  int status = 400;
  std::string message;
  std::string type = "invalid_request_error";
  std::string param;  // the offending field, or empty
  Json body() const;
};

enum class Endpoint { Chat, Completion };

// One parsed request: the prompts to run (completions may send several; each
// runs `n` times) and what to answer with.
struct ApiRequest {
  Endpoint endpoint = Endpoint::Chat;
  std::vector<std::vector<int32_t>> prompts;
  serve::RequestOptions options;  // max_tokens resolved against the context
  uint32_t n = 1;
  bool stream = false;
  bool include_usage = false;   // stream_options.include_usage
  bool echo = false;            // completions: the prompt text before the answer
  uint32_t legacy_logprobs = 0; // completions: logprobs = N (alternatives per token)
  std::string model;
  std::vector<std::string> prompt_texts;  // completions with echo: each prompt as text
};

// Parses a /v1/chat/completions or /v1/completions body for `model`
// (tokenizer, chat format, stop ids, defaults, limits). `ctx` is the context
// the server serves (<= the model's max_seq_len).
std::optional<ApiError> parseRequest(Endpoint endpoint, const std::string& body, const generate::LoadedModel& model,
                                     uint32_t ctx, ApiRequest& out);

// One choice's result, built from its events.
struct ChoiceResult {
  std::string text;
  std::vector<int32_t> tokens;
  std::vector<float> logprobs;
  std::vector<std::vector<sampling::TokenLogprob>> top;
  serve::FinishReason finish = serve::FinishReason::Length;
  serve::RequestStats stats;
};

struct Usage {
  uint64_t prompt_tokens = 0, completion_tokens = 0, cached_tokens = 0;
  Json json() const;
};

// The whole answer (stream = false).
Json responseJson(const ApiRequest& r, const std::string& id, int64_t created, const Tokenizer& tok,
                  const std::vector<ChoiceResult>& choices, const Usage& usage);

// Streaming: one chunk for choice `index` carrying `text` (and, for chat, the
// role on the first), or its finish (finish_reason set, empty delta).
Json chunkJson(const ApiRequest& r, const std::string& id, int64_t created, uint32_t index, const std::string* text,
               const serve::Event* token_event, const Tokenizer& tok, std::optional<serve::FinishReason> finish,
               bool first);
// The usage chunk (stream_options.include_usage): no choices, usage set.
Json usageChunkJson(const ApiRequest& r, const std::string& id, int64_t created, const Usage& usage);

// "stop" or "length" (a cancelled request is never answered).
const char* finishName(serve::FinishReason f);

// Serializes with invalid UTF-8 replaced (token bytes can be half a character).
std::string dump(const Json& j);

}  // namespace lac::server
