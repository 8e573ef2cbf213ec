// Entry points: the one place TemplateError becomes a Result.
#include "runtime/chat/jinja/template.h"

#include "runtime/chat/jinja/interpreter.h"
#include "runtime/chat/jinja/lexer.h"
#include "runtime/chat/jinja/parser.h"

namespace lac::chat::jinja {

namespace {

Status toStatus(const TemplateError& e) {
  if (e.kind() == "raise_exception")  // the template refuses this input, in its own words
    return makeError(Error::InvalidArgument, std::string("the chat template refused the dialog: ") + e.what());
  std::string where = "chat template";
  if (e.pos().line > 0) where += ":" + std::to_string(e.pos().line) + ":" + std::to_string(e.pos().column);
  return makeError(Error::InvalidArgument, where + ": " + e.kind() + ": " + e.what());
}

}  // namespace

Result<Value> parseJson(std::string_view json_text) {
  try {
    return fromJson(json_text);
  } catch (const TemplateError& e) {
    return makeError(Error::InvalidArgument, std::string("malformed JSON: ") + e.what());
  }
}

Result<Template> Template::parse(std::string_view source) {
  try {
    Template t;
    t.body_ = std::make_shared<const Body>(jinja::parse(tokenize(source)));
    return t;
  } catch (const TemplateError& e) {
    return toStatus(e);
  } catch (const std::exception& e) {  // a bug of ours, never a crash of the caller
    return makeError(Error::Internal, std::string("chat template: internal error: ") + e.what());
  }
}

Result<std::string> Template::render(const Dict& vars, const RenderOptions& options) const {
  if (!body_) return makeError(Error::Internal, "render() on a template that was never parsed");
  try {
    return renderBody(*body_, vars, options);
  } catch (const TemplateError& e) {
    return toStatus(e);
  } catch (const std::exception& e) {  // a bug of ours, never a crash of the caller
    return makeError(Error::Internal, std::string("chat template: internal error: ") + e.what());
  }
}

}  // namespace lac::chat::jinja
