// Text and chat completion on a loaded model (Meta's llama3
// Llama.text_completion / Llama.chat_completion).
//
//   LoadedModel m = ...;  // loaded_model.h: tokenizer, chat format, stop ids, defaults, engine
//   LAC_ASSIGN_OR_RETURN(auto outs, textCompletion(m, {"I believe the meaning of life is"}, opts));
//   std::cout << outs[0].generation;
//
// text: each prompt is encoded with BOS when the tokenizer adds one (Meta:
// bos=True), special-token text as plain text; the result is
// {generation: decode(tokens), pieces: decode([t]) per token, logprobs}.
// chat: each dialog is formatted by the model's chat format (runtime/chat),
// generated without echo, and the answer is {role: assistant, content}.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/chat/dialog.h"
#include "runtime/generate/generate.h"
#include "runtime/generate/loaded_model.h"

namespace lac::generate {

struct CompletionOutput {
  std::string generation;           // the decoded text (chat: the assistant's content)
  std::vector<std::string> pieces;  // each token decoded alone (Meta's "tokens")
  std::vector<float> logprobs;      // when asked
  std::vector<std::vector<sampling::TokenLogprob>> top_logprobs;  // per generated token, when asked
  std::vector<int32_t> token_ids;
  FinishReason finish = FinishReason::Length;
};

struct ChatOutput {
  chat::Message message;            // role assistant
  CompletionOutput completion;      // content, pieces, logprobs
};

// Streaming: text for one sequence as it becomes complete UTF-8.
using TextCallback = std::function<void(size_t sequence, std::string_view text)>;

// Options' stop_ids, when empty, become the model's stop ids.
Result<std::vector<CompletionOutput>> textCompletion(LoadedModel& m, const std::vector<std::string>& prompts,
                                                     GenerateOptions options, const TextCallback& on_text = {},
                                                     GenerateStats* stats = nullptr);

// InvalidArgument when the model has no chat format, or a dialog breaks
// chat::validateDialog's rule (e.g. does not end with a user message).
// echo is ignored (Meta's chat_completion never echoes).
Result<std::vector<ChatOutput>> chatCompletion(LoadedModel& m, const std::vector<chat::Dialog>& dialogs,
                                               GenerateOptions options, const TextCallback& on_text = {},
                                               GenerateStats* stats = nullptr);

// The prompt ids of one text prompt / one dialog, as the two functions build them.
Result<std::vector<int32_t>> encodeTextPrompt(const LoadedModel& m, std::string_view prompt);
Result<std::vector<int32_t>> encodeChatPrompt(const LoadedModel& m, const chat::Dialog& dialog,
                                              const chat::ChatContext& ctx = {});

}  // namespace lac::generate
