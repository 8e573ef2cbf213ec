// lac-run's JSON output of completions.
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/generate/completion.h"

namespace lac::run {

// {"generation": ..., "tokens": [pieces], "token_ids": [...], "logprobs": [...]?, "finish_reason": ...}
inline nlohmann::ordered_json completionJson(const generate::CompletionOutput& c, bool logprobs) {
  nlohmann::ordered_json j;
  j["generation"] = c.generation;
  j["tokens"] = c.pieces;
  j["token_ids"] = c.token_ids;
  if (logprobs) j["logprobs"] = c.logprobs;
  j["finish_reason"] = c.finish == generate::FinishReason::Stop ? "stop" : "length";
  return j;
}

}  // namespace lac::run
