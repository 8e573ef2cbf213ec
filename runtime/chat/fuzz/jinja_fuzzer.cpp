// libFuzzer entry point: the chat-template engine (runtime/chat/jinja/) on
// arbitrary template text, rendered over a fixed dialog with tools.
//
// Properties: no crash, hang or leak (the interpreter's step and size limits
// bound every template); an error is one line that names what went wrong.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/chat/jinja/template.h"

namespace {

const lac::chat::jinja::Dict& vars() {
  using lac::chat::jinja::Value;
  static const lac::chat::jinja::Dict d = [] {
    lac::chat::jinja::Dict v;
    v.set(Value::string("messages"),
          lac::chat::jinja::fromJson(R"([{"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hi \u00e9"},
            {"role": "assistant", "content": "", "tool_calls": [{"type": "function",
              "function": {"name": "f", "arguments": {"a": 1}}}]},
            {"role": "tool", "content": "42"}, {"role": "user", "content": "ok"}])"));
    v.set(Value::string("tools"), lac::chat::jinja::fromJson(
        R"([{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}])"));
    v.set(Value::string("add_generation_prompt"), Value::boolean(true));
    v.set(Value::string("bos_token"), Value::string("<s>"));
    v.set(Value::string("eos_token"), Value::string("</s>"));
    return v;
  }();
  return d;
}

void checkMessage(const std::string& m) {
  if (m.empty() || m.find('\n') != std::string::npos) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto tmpl = lac::chat::jinja::Template::parse(text);
  if (!tmpl.ok()) {
    checkMessage(tmpl.message());
    return 0;
  }
  lac::chat::jinja::RenderOptions opt;
  opt.now = 1768473000;  // fixed, so a run is repeatable
  auto out = tmpl->render(vars(), opt);
  if (!out.ok()) checkMessage(out.message());
  return 0;
}
