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
//
// Jinja (the checkpoint's own chat template, runtime/chat/jinja/): rendered as
// transformers' apply_chat_template renders it, with the variables
//   messages               [{"role": ..., "content": ...}, ...]
//   add_generation_prompt  true
//   bos_token, eos_token   the vocabulary's BOS/EOS text ("" when it has none)
// plus the caller's chat_template_kwargs (a JSON object; its keys may override
// the above, and may add tools, documents, date_string, ...). The text is then
// split on the vocabulary's special-token names, longest first, as Hugging
// Face tokenizes a rendered template with add_special_tokens=False: a special
// token name in a message is that special token, exactly as in transformers
// and llama.cpp.
#pragma once

#include <ctime>
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

enum class ChatFormatKind { Llama3, ChatML, Jinja };

struct ChatTemplate {
  ChatFormatKind kind = ChatFormatKind::Llama3;
  // ChatML only: inserted as the first message when the dialog has no system
  // message; empty means none.
  std::string default_system_prompt;
  // Jinja only: the template, the texts of BOS and EOS, and every special
  // token name the rendered text is split on.
  std::string jinja_source;
  std::string bos_token;
  std::string eos_token;
  std::vector<std::string> special_tokens;
};

// A built-in format (Llama3 or ChatML) as a ChatTemplate.
inline ChatTemplate builtinTemplate(ChatFormatKind kind, std::string default_system_prompt = {}) {
  ChatTemplate t;
  t.kind = kind;
  t.default_system_prompt = std::move(default_system_prompt);
  return t;
}

// Per-call rendering context (Jinja only; the built-in formats ignore it).
struct ChatContext {
  // A JSON object of extra template variables (Hugging Face's
  // chat_template_kwargs); empty means none.
  std::string template_kwargs_json;
  // The time strftime_now() formats (local time); unset means now, or the
  // environment's SOURCE_DATE_EPOCH (seconds) when set.
  std::optional<std::time_t> now;
  // add_generation_prompt (true: the prompt ends where the assistant begins).
  bool add_generation_prompt = true;
};

// Python's str.strip(): removes Unicode whitespace (str.isspace) at both ends
// of UTF-8 text. Invalid UTF-8 is left as is.
std::string_view pythonStrip(std::string_view text);

// The prompt segments of `dialog` (validated with validateDialog first).
// Jinja errors (a template the engine cannot render, the template's own
// raise_exception, malformed kwargs) are InvalidArgument, one line.
Result<std::vector<PromptSegment>> formatDialog(const ChatTemplate& tmpl, const Dialog& dialog,
                                                const ChatContext& ctx = {});

// Jinja only: the rendered template text, before it is cut at special tokens.
Result<std::string> renderJinjaDialog(const ChatTemplate& tmpl, const Dialog& dialog, const ChatContext& ctx = {});

// Jinja only: `text` cut into segments at the special-token names in `names`
// (longest match first); text between two of them is one segment.
std::vector<PromptSegment> splitOnSpecialTokens(std::string_view text, const std::vector<std::string>& names);

// Token ids of `segments`: special ones via specialId (Unsupported when the
// vocabulary lacks one), text via encodeText(text, false).
Result<std::vector<int32_t>> encodePrompt(const std::vector<PromptSegment>& segments,
                                          TextEncoder& encoder);

// formatDialog then encodePrompt.
Result<std::vector<int32_t>> encodeDialogPrompt(const ChatTemplate& tmpl, const Dialog& dialog,
                                                TextEncoder& encoder, const ChatContext& ctx = {});

}  // namespace lac::chat
