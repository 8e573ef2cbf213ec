// Walks the statement tree and writes the output.
//
// Scoping follows Jinja2: {% set %} assigns in the current scope; each for-loop
// iteration and each macro call gets a fresh scope whose parent is the scope
// around it, so a variable set inside a loop is gone after it (namespace()
// objects are how templates carry values out); if-blocks open no scope.
#pragma once

#include "runtime/chat/jinja/ast.h"
#include "runtime/chat/jinja/template.h"

namespace lac::chat::jinja {

// Throws TemplateError.
std::string renderBody(const Body& body, const Dict& vars, const RenderOptions& options);

}  // namespace lac::chat::jinja
