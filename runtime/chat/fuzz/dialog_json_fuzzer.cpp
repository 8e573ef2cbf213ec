// libFuzzer entry point: the dialog JSON reader (lac-run chat --dialogs) on
// arbitrary bytes, then both built-in chat formats and a small Jinja
// template on every dialog it accepts.
//
// Properties: no crash, hang or leak; an accepted dialog without tools
// formats under Llama 3 and ChatML (validateDialog ran, so formatting cannot
// fail), one with tools is refused by them in one line; the Jinja template
// renders every dialog or says why in one line; a refused input says why in
// one line.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "runtime/chat/chat_prompt.h"
#include "runtime/chat/dialog_json.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto dialogs = lac::chat::parseDialogs(text, "fuzz.json");
  if (!dialogs.ok()) {
    if (dialogs.status().message.empty() || dialogs.status().message.find('\n') != std::string::npos)
      __builtin_trap();
    return 0;
  }
  lac::chat::ChatTemplate jinja;
  jinja.kind = lac::chat::ChatFormatKind::Jinja;
  jinja.jinja_source =
      "{% for m in messages %}<{{ m.role }}>{{ m.content }}{{ m.tool_calls | default(none) | tojson }}{% endfor %}";
  for (const lac::chat::Dialog& d : *dialogs) {
    const bool tools = lac::chat::usesTools(d);
    for (lac::chat::ChatFormatKind kind : {lac::chat::ChatFormatKind::Llama3, lac::chat::ChatFormatKind::ChatML}) {
      const lac::chat::ChatTemplate tmpl = lac::chat::builtinTemplate(kind, "You are a helpful assistant.");
      auto r = lac::chat::formatDialog(tmpl, d);
      if (r.ok() == tools) __builtin_trap();
      if (!r.ok() && r.message().find('\n') != std::string::npos) __builtin_trap();
    }
    // (It may refuse only what the engine bounds, such as JSON nested past 256 levels.)
    auto j = lac::chat::formatDialog(jinja, d);
    if (!j.ok() && (j.message().empty() || j.message().find('\n') != std::string::npos)) __builtin_trap();
  }
  (void)lac::chat::parseDialog(text, "fuzz.json");
  return 0;
}
