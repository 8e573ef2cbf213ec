// Reading dialogs from JSON, in Meta's format (example_chat_completion.py):
//
//   [                                   a list of dialogs,
//     [ {"role": "system", "content": "Always answer with Haiku"},
//       {"role": "user", "content": "I am going to Paris, what should I see?"} ],
//     [ {"role": "user", "content": "..."} ]
//   ]
//
// Each message needs "role" (system, user, assistant or tool) and "content"
// (a string; null or absent only beside "tool_calls"). Other keys
// (tool_calls, tool_call_id, name, ...) are kept, in order, for a Jinja chat
// template (Message::extra_json); the built-in formats ignore them. Each
// dialog must follow validateDialog's rule. Errors are one line: the source name, the dialog and message index
// (from 0), and what is wrong; malformed JSON names the byte, line and column.
#pragma once

#include <string_view>
#include <vector>

#include "runtime/chat/dialog.h"
#include "runtime/core/result.h"

namespace lac::chat {

// A list of dialogs (the top level is an array of arrays). `source` names the
// input in messages (a file name, or "--dialogs").
Result<std::vector<Dialog>> parseDialogs(std::string_view json_text, std::string_view source);

// One dialog (the top level is an array of messages).
Result<Dialog> parseDialog(std::string_view json_text, std::string_view source);

}  // namespace lac::chat
