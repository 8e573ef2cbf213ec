// Tokens -> statement tree, with Jinja2's grammar and operator precedence
// (lowest first): x if c else y, or, and, not, comparisons and in, + -, ~,
// * / // %, **, unary - +, then primaries with .attr, [item], (call), |filter
// and "is" tests.
//
// Statements: if/elif/else, for (else, loop filter), set (names, tuples,
// namespace attributes, {% set x %}blocks), macro, call, filter, raw, break,
// continue, and transformers' {% generation %} (a pass-through block).
// Anything else ({% include %}, {% extends %}, an unknown filter or test) is a
// syntax error naming the line and column: Jinja2 rejects those when it
// compiles the template, so we do too.
#pragma once

#include <string_view>
#include <vector>

#include "runtime/chat/jinja/ast.h"
#include "runtime/chat/jinja/lexer.h"

namespace lac::chat::jinja {

// Throws TemplateError on bad syntax.
Body parse(const std::vector<Token>& tokens);

}  // namespace lac::chat::jinja
