// Template source -> tokens, with Hugging Face's whitespace settings.
//
// The source is first normalized as Jinja2 does: "\r\n" and "\r" become "\n"
// and one trailing newline is dropped (keep_trailing_newline=False). Then:
//   text          -> Text token
//   {{ ... }}     -> VarBegin, expression tokens, VarEnd
//   {% ... %}     -> BlockBegin, tokens, BlockEnd   ({% raw %} bodies are Text)
//   {# ... #}     -> nothing
// Whitespace control, as transformers' environment sets it
// (trim_blocks=True, lstrip_blocks=True):
//   {%- / {{- / {#-   strip all whitespace before the tag
//   -%} / -}} / -#}   strip all whitespace after it
//   %} / #}           drop one newline right after a block or comment tag
//   spaces and tabs between a line start and {% or {# are dropped ({%+ keeps them)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "runtime/chat/jinja/error.h"

namespace lac::chat::jinja {

enum class TokenKind {
  Text,        // literal template text
  VarBegin,    // {{
  VarEnd,      // }}
  BlockBegin,  // {%
  BlockEnd,    // %}
  Name,        // identifiers and keywords (if, for, in, not, true, ...)
  String,      // a string literal, escapes decoded
  Integer,
  Float,
  Operator,    // + - * / // % ** ~ == != < <= > >= = ( ) [ ] { } , . : | ;
  End,
};

struct Token {
  TokenKind kind = TokenKind::End;
  std::string text;  // the text, name, decoded string, number or operator
  SourcePos pos;
};

struct LexOptions {
  bool trim_blocks = true;
  bool lstrip_blocks = true;
};

// Throws TemplateError("syntax error", ...) on an unclosed tag, comment or
// string, or a character that starts no token.
std::vector<Token> tokenize(std::string_view source, const LexOptions& options = {});

}  // namespace lac::chat::jinja
