// The engine's one internal error: what went wrong, and where in the template.
//
// The lexer, parser and interpreter recurse deeply, so inside this folder an
// error is thrown as a TemplateError and caught at the two entry points
// (parseTemplate, render in template.h), which return it as a Result. Nothing
// outside runtime/chat/jinja/ sees the exception.
#pragma once

#include <stdexcept>
#include <string>

namespace lac::chat::jinja {

struct SourcePos {
  int line = 0;    // 1-based; 0 when unknown
  int column = 0;  // 1-based
};

class TemplateError : public std::runtime_error {
 public:
  // kind: "syntax error", "undefined", "type error", "raise_exception", ...
  TemplateError(std::string kind, std::string message, SourcePos pos = {})
      : std::runtime_error(message), kind_(std::move(kind)), pos_(pos) {}

  const std::string& kind() const { return kind_; }
  SourcePos pos() const { return pos_; }
  void setPosIfUnknown(SourcePos p) {
    if (pos_.line == 0) pos_ = p;
  }

 private:
  std::string kind_;
  SourcePos pos_;
};

[[noreturn]] inline void fail(const char* kind, std::string message, SourcePos pos = {}) {
  throw TemplateError(kind, std::move(message), pos);
}

}  // namespace lac::chat::jinja
