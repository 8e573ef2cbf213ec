// Chat formats: a dialog -> the prompt the model completes, without Jinja.
//
// A prompt is first a list of segments, each either a special token (by
// name) or plain text; encodePrompt then turns them into token ids through a
// TextEncoder, which the tokenizer implements. Plain text never yields a
// special token, even when it spells one ("<|eot_id|>" in a user message is
// text): Meta's tokenizer.encode(..., allowed_special=set()) behaviour.
//
// Llama 3 (Meta's ChatFormat.encode_dialog_prompt, llama3/llama/tokenizer.py):
//   <|begin_of_text|>
//   per message: <|start_header_id|> role <|end_header_id|> "\n\n" content.strip() <|eot_id|>
//   then:        <|start_header_id|> "assistant" <|end_header_id|> "\n\n"
// Role, "\n\n" and the content are encoded separately, as Meta does; strip()
// is Python's (Unicode whitespace at both ends).
//
// ChatML (SmolLM2-Instruct's chat template, with add_generation_prompt):
//   [when the dialog has no system message and the template has a default one]
//                <|im_start|> "system\n" + default <|im_end|> "\n"
//   per message: <|im_start|> role + "\n" + content <|im_end|> "\n"
//   then:        <|im_start|> "assistant\n"
// Content is not stripped; no BOS (the template adds none). The text between
// two special tokens is one segment, as Hugging Face tokenizes the rendered
// template (it splits on special tokens first). Unlike Hugging Face, special
// token names inside content stay text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/chat/dialog.h"
#include "runtime/core/result.h"

namespace lac::chat {

// What the chat formats need from a tokenizer.
struct TextEncoder {
  virtual ~TextEncoder() = default;
  // Token ids of `text`; with allow_special false, special-token names in the
  // text are plain text. The chat formats always pass false.
  virtual Result<std::vector<int32_t>> encodeText(std::string_view text, bool allow_special) = 0;
  // The id of a special token by name ("<|eot_id|>"), if the vocabulary has it.
  virtual std::optional<int32_t> specialId(std::string_view name) = 0;
};

struct PromptSegment {
  std::string text;      // the text, or the special token's name
  bool special = false;

  bool operator==(const PromptSegment&) const = default;
};

enum class ChatFormatKind { Llama3, ChatML };

struct ChatTemplate {
  ChatFormatKind kind = ChatFormatKind::Llama3;
  // ChatML only: inserted as the first message when the dialog has no system
  // message; empty means none.
  std::string default_system_prompt;
};

// Python's str.strip(): removes Unicode whitespace (str.isspace) at both ends
// of UTF-8 text. Invalid UTF-8 is left as is.
std::string_view pythonStrip(std::string_view text);

// The prompt segments of `dialog` (validated with validateDialog first).
Result<std::vector<PromptSegment>> formatDialog(const ChatTemplate& tmpl, const Dialog& dialog);

// Token ids of `segments`: special ones via specialId (Unsupported when the
// vocabulary lacks one), text via encodeText(text, false).
Result<std::vector<int32_t>> encodePrompt(const std::vector<PromptSegment>& segments,
                                          TextEncoder& encoder);

// formatDialog then encodePrompt.
Result<std::vector<int32_t>> encodeDialogPrompt(const ChatTemplate& tmpl, const Dialog& dialog,
                                                TextEncoder& encoder);

}  // namespace lac::chat
