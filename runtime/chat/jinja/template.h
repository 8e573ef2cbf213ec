// The chat-template engine's entry points: parse a Jinja template once,
// render it many times.
//
//   LAC_ASSIGN_OR_RETURN(auto tmpl, jinja::Template::parse(text));
//   jinja::Dict vars;                       // messages, add_generation_prompt, ...
//   vars.set(Value::string("messages"), jinja::fromJson(R"([{"role": "user", ...}])"));
//   LAC_ASSIGN_OR_RETURN(std::string prompt, tmpl.render(vars));
//
// The language is the subset of Jinja2 that chat templates use (parser.h,
// builtins.h), evaluated as transformers' ImmutableSandboxedEnvironment with
// trim_blocks and lstrip_blocks evaluates it, so the text is byte for byte
// what Python renders. Errors are one line: "template:LINE:COL: what".
// A template's own raise_exception(msg) is an InvalidArgument error whose
// message is msg: the dialog is what the template refuses.
#pragma once

#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "runtime/chat/jinja/value.h"
#include "runtime/core/result.h"

namespace lac::chat::jinja {

struct Stmt;

struct RenderOptions {
  // The time strftime_now() formats (local time); unset means now.
  std::optional<std::time_t> now;
};

// A Value from JSON text (template variables such as chat_template_kwargs);
// malformed JSON is InvalidArgument.
Result<Value> parseJson(std::string_view json_text);

class Template {
 public:
  // Syntax errors (and unknown tags, filters and tests) are InvalidArgument.
  static Result<Template> parse(std::string_view source);

  // Renders with `vars` as the template's variables, beside the globals
  // range, dict, namespace, joiner, raise_exception and strftime_now.
  Result<std::string> render(const Dict& vars, const RenderOptions& options = {}) const;

 private:
  std::shared_ptr<const std::vector<std::unique_ptr<Stmt>>> body_;
};

}  // namespace lac::chat::jinja
