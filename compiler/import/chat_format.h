// Recognizing a model's chat format from its Jinja chat template.
//
// The family is what --print-model shows and what the readers base the
// end-of-turn stop tokens on; the compiler's default (compiler/pipeline/
// chat_choice.h) is to carry the template itself and let the runtime render
// it, so Unknown is no error. --chat-format llama3 / chatml pick LAC's
// built-in formats instead.
#pragma once

#include <string>

#include "compiler/import/model_spec.h"

namespace lac::import {

// Classifies `template_text`; fills kind, template_text and, for ChatML
// templates that insert a default system message, default_system_prompt.
ChatFormat detectChatFormat(const std::string& template_text, const std::string& source);

}  // namespace lac::import
