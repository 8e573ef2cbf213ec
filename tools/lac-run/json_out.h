// lac-run's JSON output of completions.
#pragma once

#include <nlohmann/json.hpp>

#include "runtime/generate/completion.h"

namespace lac::run {

// {"generation": ..., "tokens": [pieces], "token_ids": [...], "logprobs": [...]?,
//  "top_logprobs": [[{"id": .., "logprob": ..}, ...] per generated token]?, "finish_reason": ...}
inline nlohmann::ordered_json completionJson(const generate::CompletionOutput& c, bool logprobs) {
  nlohmann::ordered_json j;
  j["generation"] = c.generation;
  j["tokens"] = c.pieces;
  j["token_ids"] = c.token_ids;
  if (logprobs) j["logprobs"] = c.logprobs;
  if (!c.top_logprobs.empty()) {
    nlohmann::ordered_json top = nlohmann::ordered_json::array();
    for (const auto& step : c.top_logprobs) {
      nlohmann::ordered_json alts = nlohmann::ordered_json::array();
      for (const auto& t : step) alts.push_back({{"id", t.token}, {"logprob", t.logprob}});
      top.push_back(std::move(alts));
    }
    j["top_logprobs"] = std::move(top);
  }
  j["finish_reason"] = c.finish == generate::FinishReason::Stop ? "stop" : "length";
  return j;
}

}  // namespace lac::run
