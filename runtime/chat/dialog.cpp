#include "runtime/chat/dialog.h"

namespace lac::chat {

std::string_view roleName(Role r) {
  switch (r) {
    case Role::System: return "system";
    case Role::User: return "user";
    case Role::Assistant: return "assistant";
  }
  return "unknown";
}

std::optional<Role> parseRole(std::string_view name) {
  for (Role r : {Role::System, Role::User, Role::Assistant}) {
    if (name == roleName(r)) return r;
  }
  return std::nullopt;
}

VoidResult validateDialog(const Dialog& dialog, std::string_view where) {
  const int w = static_cast<int>(where.size());
  LAC_CHECK_OR_RETURN(!dialog.empty(), Error::InvalidArgument, "%.*s: the dialog is empty", w,
                      where.data());
  const size_t first = dialog.front().role == Role::System ? 1 : 0;
  for (size_t i = first; i < dialog.size(); ++i) {
    const Role expected = (i - first) % 2 == 0 ? Role::User : Role::Assistant;
    const Role got = dialog[i].role;
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
  LAC_CHECK_OR_RETURN(dialog.back().role == Role::User, Error::InvalidArgument,
                      "%.*s: the last message must be from the user, got '%s'", w, where.data(),
                      roleName(dialog.back().role).data());
  return {};
}

}  // namespace lac::chat
