#include "compiler/pipeline/chat_choice.h"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "runtime/chat/chat_prompt.h"

namespace lac::pipeline {

namespace {

using import::ChatFormatKind;

// The runtime's view of the template: what lac-run will render.
chat::ChatTemplate runtimeTemplate(const import::ModelSpec& spec) {
  chat::ChatTemplate t;
  t.kind = chat::ChatFormatKind::Jinja;
  t.jinja_source = spec.chat.template_text;
  for (const SpecialToken& s : spec.tokenizer.special_tokens) {
    if (spec.tokenizer.bos_id && s.id == *spec.tokenizer.bos_id) t.bos_token = s.text;
    if (spec.tokenizer.eos_id && s.id == *spec.tokenizer.eos_id) t.eos_token = s.text;
    t.special_tokens.push_back(s.text);
  }
  return t;
}

// A fixed time, so that compiling twice checks the same text.
chat::ChatContext fixedContext(bool add_generation_prompt) {
  chat::ChatContext c;
  c.now = 1768473000;  // 2026-01-15
  c.add_generation_prompt = add_generation_prompt;
  return c;
}

VoidResult checkJinja(import::ModelSpec& spec, const std::string& where) {
  const chat::ChatTemplate t = runtimeTemplate(spec);
  const chat::Dialog sample = {{chat::Role::User, "What is the capital of France?"}};
  auto text = chat::renderJinjaDialog(t, sample, fixedContext(true));
  if (!text.ok()) {
    // A variable the caller may pass (chat_template_kwargs) or the template's
    // own refusal of this dialog: chat may still work, so warn. Anything else
    // is a template this engine cannot render.
    const std::string& m = text.message();
    const bool callers_part = m.find(": undefined: ") != std::string::npos ||
                              m.rfind("the chat template refused the dialog", 0) == 0;
    LAC_CHECK_OR_RETURN(callers_part, Error::Unsupported,
                        "%s: the chat template does not render a one-message dialog: %s (pass --chat-template FILE "
                        "with a fixed template, or --chat-format llama3, chatml or none)",
                        where.c_str(), m.c_str());
    spec.warnings.push_back(where + ": the chat template does not render a one-message dialog by itself (" + m +
                            "); chats will need the variables it asks for (lac-run chat --chat-template-kwargs)");
  }

  // The end-of-turn token: the special token the template writes right after
  // an assistant message's text.
  const std::string marker = "LAC_END_OF_TURN_PROBE";
  const chat::Dialog turn = {{chat::Role::User, "Hi"}, {chat::Role::Assistant, marker}};
  auto rendered = chat::renderJinjaDialog(t, turn, fixedContext(false));
  if (!rendered.ok()) return {};  // a template that will not end on an assistant turn: nothing to learn
  size_t at = rendered->rfind(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  while (at < rendered->size() && std::string_view(" \t\r\n").find((*rendered)[at]) != std::string_view::npos) ++at;
  const SpecialToken* best = nullptr;
  for (const SpecialToken& s : spec.tokenizer.special_tokens)
    if (!s.text.empty() && rendered->compare(at, s.text.size(), s.text) == 0 &&
        (!best || s.text.size() > best->text.size()))
      best = &s;
  if (best && std::find(spec.stop_token_ids.begin(), spec.stop_token_ids.end(), best->id) == spec.stop_token_ids.end()) {
    spec.stop_token_ids.push_back(best->id);
    std::sort(spec.stop_token_ids.begin(), spec.stop_token_ids.end());
  }
  return {};
}

Result<std::string> readTemplateFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  LAC_CHECK_OR_RETURN(in.good(), Error::NotFound, "--chat-template %s: cannot open the file", path.c_str());
  std::ostringstream ss;
  ss << in.rdbuf();
  LAC_CHECK_OR_RETURN(!ss.str().empty(), Error::InvalidArgument, "--chat-template %s: the file is empty",
                      path.c_str());
  return ss.str();
}

}  // namespace

VoidResult applyChatFormat(import::ModelSpec& spec, const std::string& choice, const std::string& template_file) {
  LAC_CHECK_OR_RETURN(choice == "auto" || choice == "jinja" || choice == "llama3" || choice == "chatml" ||
                          choice == "none",
                      Error::InvalidArgument, "--chat-format=%s: expected auto, jinja, llama3, chatml or none",
                      choice.c_str());
  if (!template_file.empty()) {
    LAC_CHECK_OR_RETURN(choice == "auto" || choice == "jinja", Error::InvalidArgument,
                        "--chat-template names a Jinja template, but --chat-format=%s asks for another format",
                        choice.c_str());
    LAC_ASSIGN_OR_RETURN(spec.chat.template_text, readTemplateFile(template_file));
    spec.chat.source = template_file;
    spec.chat.default_system_prompt.clear();
  }
  std::string kind = choice;
  if (kind == "auto") {
    if (!template_file.empty())
      kind = "jinja";
    else if (spec.format == import::SourceFormat::Meta)
      kind = "llama3";
    else
      kind = spec.chat.template_text.empty() || spec.tokenizer.kind == TokenizerKind::None ? "none" : "jinja";
  }
  const std::string where = spec.chat.source.empty() ? spec.path : spec.chat.source;
  if (kind == "llama3") {
    spec.chat.kind = ChatFormatKind::Llama3;
  } else if (kind == "chatml") {
    spec.chat.kind = ChatFormatKind::ChatML;
  } else if (kind == "none") {
    spec.chat.kind = ChatFormatKind::None;
  } else {
    LAC_CHECK_OR_RETURN(!spec.chat.template_text.empty(), Error::InvalidArgument,
                        "%s: --chat-format jinja, but the checkpoint has no chat template (give one with "
                        "--chat-template FILE)",
                        where.c_str());
    LAC_CHECK_OR_RETURN(spec.tokenizer.kind != TokenizerKind::None, Error::InvalidArgument,
                        "%s: a chat template needs a tokenizer, and the checkpoint has none", where.c_str());
    spec.chat.kind = ChatFormatKind::Jinja;
    LAC_RETURN_IF_ERROR(checkJinja(spec, where));
  }
  return {};
}

}  // namespace lac::pipeline
