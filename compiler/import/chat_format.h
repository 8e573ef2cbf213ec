// Recognizing a model's chat format from its Jinja chat template.
//
// The runtime implements chat formats natively (no Jinja engine): Llama 3's
// header/eot format and ChatML. A template that is neither is reported as
// Unknown; the compiler then refuses unless the user picks one explicitly.
#pragma once

#include <string>

#include "compiler/import/model_spec.h"

namespace lac::import {

// Classifies `template_text`; fills kind, template_text and, for ChatML
// templates that insert a default system message, default_system_prompt.
ChatFormat detectChatFormat(const std::string& template_text, const std::string& source);

}  // namespace lac::import
