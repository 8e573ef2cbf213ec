// Which chat format an artifact carries (lac-compile --chat-format,
// --chat-template), chosen and checked before anything is built.
//
//   auto    Meta checkpoints: Llama 3's ChatFormat (token-exact with Meta).
//           GGUF / Hugging Face: the checkpoint's own Jinja template, rendered
//           by the runtime (runtime/chat/jinja/); none when it has none.
//   jinja   the checkpoint's template (or --chat-template FILE's)
//   llama3 | chatml   LAC's built-in formats
//   none    no chat: lac-run chat refuses the artifact
//
// A Jinja template is parsed and rendered over a sample dialog here, so a
// template the runtime cannot render is a compile error, not a chat-time one.
// Its end-of-turn token (the special token right after an assistant message,
// e.g. <|eot_id|>, <|im_end|>, <|end|>) joins the stop tokens.
#pragma once

#include <string>

#include "compiler/import/model_spec.h"
#include "runtime/core/result.h"

namespace lac::pipeline {

// `choice` as above; `template_file` (may be empty) replaces the checkpoint's
// template and implies jinja. Errors name the option or the template's
// line and column.
VoidResult applyChatFormat(import::ModelSpec& spec, const std::string& choice,
                           const std::string& template_file = "");

}  // namespace lac::pipeline
