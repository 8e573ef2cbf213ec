// Dialogs: Meta's chat input, a list of {role, content} messages.
//
// The rule every dialog must follow (Meta's Llama 2 chat_completion asserts
// it; Llama 3's reference code formats anything, but its models are trained
// on this shape): an optional system message first, then user and assistant
// messages alternating, starting and ending with a user message.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/result.h"

namespace lac::chat {

enum class Role { System, User, Assistant };

std::string_view roleName(Role r);                        // "system", "user", "assistant"
std::optional<Role> parseRole(std::string_view name);     // exact, lower case

struct Message {
  Role role = Role::User;
  std::string content;
};

using Dialog = std::vector<Message>;

// InvalidArgument unless `dialog` follows the rule above. `where` prefixes the
// message ("dialogs.json: dialog 2").
VoidResult validateDialog(const Dialog& dialog, std::string_view where = "dialog");

}  // namespace lac::chat
