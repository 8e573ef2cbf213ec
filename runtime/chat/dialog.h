// Dialogs: Meta's chat input, a list of {role, content} messages.
//
// The rule every dialog must follow (Meta's Llama 2 chat_completion asserts
// it; Llama 3's reference code formats anything, but its models are trained
// on this shape): an optional system message first, then user and assistant
// messages alternating, starting and ending with a user message.
//
// Tool use (OpenAI's shape, for models whose own Jinja template renders it):
// an assistant message may carry tool calls (and no content), and tool
// messages (the calls' results) follow it; the dialog may end with them.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/result.h"

namespace lac::chat {

enum class Role { System, User, Assistant, Tool };

std::string_view roleName(Role r);                        // "system", "user", "assistant", "tool"
std::optional<Role> parseRole(std::string_view name);     // exact, lower case

struct Message {
  Role role = Role::User;
  std::string content;
  // The message's other keys (tool_calls, tool_call_id, name, ...) as a JSON
  // object, "" for none: what a Jinja chat template sees beside role and
  // content. The built-in formats ignore them, but refuse tool calls.
  std::string extra_json{};
  bool content_null = false;    // "content": null (a turn that only calls tools)
  bool has_tool_calls = false;  // extra_json has "tool_calls"
};


using Dialog = std::vector<Message>;

// True when `dialog` uses tools: a tool message or an assistant's tool calls.
bool usesTools(const Dialog& dialog);

// InvalidArgument unless `dialog` follows the rule above. `where` prefixes the
// message ("dialogs.json: dialog 2").
VoidResult validateDialog(const Dialog& dialog, std::string_view where = "dialog");

}  // namespace lac::chat
