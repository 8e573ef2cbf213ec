#include "runtime/chat/dialog.h"

namespace lac::chat {

std::string_view roleName(Role r) {
  switch (r) {
    case Role::System: return "system";
    case Role::User: return "user";
    case Role::Assistant: return "assistant";
    case Role::Tool: return "tool";
  }
  return "unknown";
}

std::optional<Role> parseRole(std::string_view name) {
  for (Role r : {Role::System, Role::User, Role::Assistant, Role::Tool}) {
    if (name == roleName(r)) return r;
  }
  return std::nullopt;
}

bool usesTools(const Dialog& dialog) {
  for (const Message& m : dialog)
    if (m.role == Role::Tool || m.has_tool_calls) return true;
  return false;
}

VoidResult validateDialog(const Dialog& dialog, std::string_view where) {
  const int w = static_cast<int>(where.size());
  LAC_CHECK_OR_RETURN(!dialog.empty(), Error::InvalidArgument, "%.*s: the dialog is empty", w,
                      where.data());
  const size_t first = dialog.front().role == Role::System ? 1 : 0;
  std::optional<Role> prev;
  for (size_t i = first; i < dialog.size(); prev = dialog[i].role, ++i) {
    const Role got = dialog[i].role;
    LAC_CHECK_OR_RETURN(!dialog[i].content_null || dialog[i].has_tool_calls, Error::InvalidArgument,
                        "%.*s, message %zu: only a message with tool calls may have no content", w, where.data(), i);
    LAC_CHECK_OR_RETURN(!dialog[i].has_tool_calls || got == Role::Assistant, Error::InvalidArgument,
                        "%.*s, message %zu: only an assistant message may call tools", w, where.data(), i);
    if (got == Role::Tool) {  // a call's result: after the assistant's calls or another result
      LAC_CHECK_OR_RETURN(prev == Role::Tool || (prev == Role::Assistant && dialog[i - 1].has_tool_calls),
                          Error::InvalidArgument,
                          "%.*s, message %zu: a tool message must follow an assistant message with tool calls "
                          "(or another tool message)",
                          w, where.data(), i);
      continue;
    }
    // Users and assistants alternate; after tool results, the assistant goes on.
    const Role expected = !prev || *prev == Role::Assistant ? Role::User : Role::Assistant;
    if (got == expected) continue;
    if (got == Role::System) {
      LAC_FAIL(Error::InvalidArgument,
               "%.*s, message %zu: a system message may only come first", w, where.data(), i);
    }
    LAC_FAIL(Error::InvalidArgument,
             "%.*s, message %zu: role '%s' where '%s' was expected (after an optional system "
             "message, user and assistant alternate, starting with user)",
             w, where.data(), i, roleName(got).data(), roleName(expected).data());
  }
  LAC_CHECK_OR_RETURN(dialog.back().role == Role::User || dialog.back().role == Role::Tool, Error::InvalidArgument,
                      "%.*s: the last message must be from the user, got '%s'", w, where.data(),
                      roleName(dialog.back().role).data());
  return {};
}

}  // namespace lac::chat
