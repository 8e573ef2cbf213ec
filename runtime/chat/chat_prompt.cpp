#include "runtime/chat/chat_prompt.h"

namespace lac::chat {

namespace {

void special(std::vector<PromptSegment>& out, std::string_view name) {
  out.push_back({std::string(name), true});
}
void text(std::vector<PromptSegment>& out, std::string t) { out.push_back({std::move(t), false}); }

// ---- Llama 3 -----------------------------------------------------------------------

void llama3Header(std::vector<PromptSegment>& out, std::string_view role) {
  special(out, "<|start_header_id|>");
  text(out, std::string(role));
  special(out, "<|end_header_id|>");
  text(out, "\n\n");
}

std::vector<PromptSegment> formatLlama3(const Dialog& dialog) {
  std::vector<PromptSegment> out;
  special(out, "<|begin_of_text|>");
  for (const Message& m : dialog) {
    llama3Header(out, roleName(m.role));
    text(out, std::string(pythonStrip(m.content)));
    special(out, "<|eot_id|>");
  }
  llama3Header(out, "assistant");
  return out;
}

// ---- ChatML ------------------------------------------------------------------------

void chatmlMessage(std::vector<PromptSegment>& out, std::string_view role, std::string_view content) {
  special(out, "<|im_start|>");
  text(out, std::string(role) + "\n" + std::string(content));
  special(out, "<|im_end|>");
  text(out, "\n");
}

std::vector<PromptSegment> formatChatML(const Dialog& dialog, const std::string& default_system) {
  std::vector<PromptSegment> out;
  if (dialog.front().role != Role::System && !default_system.empty()) {
    chatmlMessage(out, "system", default_system);
  }
  for (const Message& m : dialog) chatmlMessage(out, roleName(m.role), m.content);
  special(out, "<|im_start|>");
  text(out, "assistant\n");
  return out;
}

}  // namespace

Result<std::vector<PromptSegment>> formatDialog(const ChatTemplate& tmpl, const Dialog& dialog,
                                                const ChatContext& ctx) {
  LAC_RETURN_IF_ERROR(validateDialog(dialog));
  LAC_CHECK_OR_RETURN(tmpl.kind == ChatFormatKind::Jinja || !usesTools(dialog), Error::InvalidArgument,
                      "dialog: tool calls and tool messages need the model's own chat template (this artifact "
                      "uses the built-in %s format; compile with --chat-format jinja)",
                      tmpl.kind == ChatFormatKind::Llama3 ? "llama3" : "chatml");
  switch (tmpl.kind) {
    case ChatFormatKind::Llama3: return formatLlama3(dialog);
    case ChatFormatKind::ChatML: return formatChatML(dialog, tmpl.default_system_prompt);
    case ChatFormatKind::Jinja: {
      LAC_ASSIGN_OR_RETURN(std::string text, renderJinjaDialog(tmpl, dialog, ctx));
      return splitOnSpecialTokens(text, tmpl.special_tokens);
    }
  }
  LAC_FAIL(Error::Internal, "unknown chat format kind %d", static_cast<int>(tmpl.kind));
}

Result<std::vector<int32_t>> encodePrompt(const std::vector<PromptSegment>& segments,
                                          TextEncoder& encoder) {
  std::vector<int32_t> ids;
  for (const PromptSegment& s : segments) {
    if (s.special) {
      const auto id = encoder.specialId(s.text);
      LAC_CHECK_OR_RETURN(id.has_value(), Error::Unsupported,
                          "the tokenizer has no special token '%s', which the chat format needs",
                          s.text.c_str());
      ids.push_back(*id);
      continue;
    }
    if (s.text.empty()) continue;
    LAC_ASSIGN_OR_RETURN(std::vector<int32_t> piece, encoder.encodeText(s.text, false));
    ids.insert(ids.end(), piece.begin(), piece.end());
  }
  return ids;
}

Result<std::vector<int32_t>> encodeDialogPrompt(const ChatTemplate& tmpl, const Dialog& dialog,
                                                TextEncoder& encoder, const ChatContext& ctx) {
  LAC_ASSIGN_OR_RETURN(auto segments, formatDialog(tmpl, dialog, ctx));
  return encodePrompt(segments, encoder);
}

}  // namespace lac::chat
