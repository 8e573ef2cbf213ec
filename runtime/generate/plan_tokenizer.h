// The artifact's tokenizer and chat format as the runtime's types.
//
// Pre-tokenizer names the compiler records, and what they become:
//   "llama3", "llama-bpe", "smollm", "gpt2"  the named pattern(s)
//   "regex"                                  the recorded regex alone (HF Split)
//   "none"                                   no splitting (HF ByteLevel without regex)
//   ""                                       the recorded regex alone
#pragma once

#include <cstdint>
#include <vector>

#include "runtime/artifact/plan.h"
#include "runtime/chat/chat_prompt.h"
#include "runtime/core/result.h"
#include "runtime/tokenizer/tokenizer.h"

namespace lac::generate {

// InvalidArtifact when the plan has no tokenizer, a merge names a token out
// of range, or the kind is none; Unsupported for an unknown pre-tokenizer.
Result<TokenizerData> tokenizerDataFromPlan(const plan::Plan& plan);

// The chat template, or std::nullopt when the plan has no chat format.
std::optional<chat::ChatTemplate> chatTemplateFromPlan(const plan::Plan& plan);

// The plan's stop token ids (falling back to eos when the list is empty).
std::vector<int32_t> stopIdsFromPlan(const plan::Plan& plan);

}  // namespace lac::generate
