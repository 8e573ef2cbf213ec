#include "compiler/import/chat_format.h"

namespace lac::import {

namespace {

// ChatML templates that add a system turn when the dialog has none write it
// as a literal: '<|im_start|>system\n...<|im_end|>\n'. Extract the "...".
std::string defaultSystemPrompt(const std::string& t) {
  const std::string open = "<|im_start|>system\n";
  size_t p = t.find(open);
  while (p != std::string::npos) {
    size_t start = p + open.size();
    size_t end = t.find("<|im_end|>", start);
    if (end == std::string::npos) break;
    std::string body = t.substr(start, end - start);
    // A literal prompt, not a Jinja expression such as {{ message['content'] }}.
    if (!body.empty() && body.find("{{") == std::string::npos && body.find("{%") == std::string::npos &&
        body.find('\'') == std::string::npos)
      return body;
    p = t.find(open, end);
  }
  return "";
}

}  // namespace

ChatFormat detectChatFormat(const std::string& t, const std::string& source) {
  ChatFormat f;
  f.template_text = t;
  f.source = source;
  if (t.empty()) {
    f.kind = ChatFormatKind::None;
  } else if (t.find("<|start_header_id|>") != std::string::npos && t.find("<|eot_id|>") != std::string::npos) {
    f.kind = ChatFormatKind::Llama3;
  } else if (t.find("<|im_start|>") != std::string::npos && t.find("<|im_end|>") != std::string::npos) {
    f.kind = ChatFormatKind::ChatML;
    f.default_system_prompt = defaultSystemPrompt(t);
  } else {
    f.kind = ChatFormatKind::Unknown;
  }
  f.family = f.kind;
  return f;
}

}  // namespace lac::import
