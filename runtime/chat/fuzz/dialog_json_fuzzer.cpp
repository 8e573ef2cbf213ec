// libFuzzer entry point: the dialog JSON reader (lac-run chat --dialogs) on
// arbitrary bytes, then both chat formats on every dialog it accepts.
//
// Properties: no crash, hang or leak; an accepted dialog list formats under
// Llama 3 and ChatML (validateDialog ran, so formatting cannot fail), and a
// refused input says why in one line.
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
  for (const lac::chat::Dialog& d : *dialogs) {
    for (lac::chat::ChatFormatKind kind : {lac::chat::ChatFormatKind::Llama3, lac::chat::ChatFormatKind::ChatML}) {
      const lac::chat::ChatTemplate tmpl = lac::chat::builtinTemplate(kind, "You are a helpful assistant.");
      if (!lac::chat::formatDialog(tmpl, d).ok()) __builtin_trap();
    }
  }
  (void)lac::chat::parseDialog(text, "fuzz.json");
  return 0;
}
