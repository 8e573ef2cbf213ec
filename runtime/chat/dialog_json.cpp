#include "runtime/chat/dialog_json.h"

#include <nlohmann/json.hpp>

#include <string>

namespace lac::chat {

namespace {

// Ordered: a message's other keys reach a Jinja template in the file's order.
using json = nlohmann::ordered_json;

// The parser quotes what it last read, raw: keep the message one printable line.
std::string printable(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c >= 0x20 && c < 0x7F) {
      out += static_cast<char>(c);
    } else {
      out += formatMessage("\\x%02X", c);
    }
  }
  return out;
}

// ---- JSON text -> json, without letting exceptions out --------------------------

Result<json> parseJson(std::string_view text, const std::string& source) {
  try {
    return json::parse(text.begin(), text.end());
  } catch (const json::parse_error& e) {
    // what(): "[json.exception.parse_error.101] parse error at line 1, column 3: ..."
    std::string what = e.what();
    if (const size_t close = what.find("] "); what.rfind("[json.exception.", 0) == 0 && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    LAC_FAIL(Error::InvalidArgument, "%s: malformed JSON at byte %zu: %s", source.c_str(), e.byte,
             printable(what).c_str());
  } catch (const json::exception& e) {
    LAC_FAIL(Error::InvalidArgument, "%s: malformed JSON: %s", source.c_str(), printable(e.what()).c_str());
  }
}

// ---- json -> Dialog --------------------------------------------------------------

Result<Message> readMessage(const json& j, const std::string& where) {
  LAC_CHECK_OR_RETURN(j.is_object(), Error::InvalidArgument,
                      "%s: a message must be an object with \"role\" and \"content\", got %s",
                      where.c_str(), j.type_name());
  const auto role = j.find("role");
  LAC_CHECK_OR_RETURN(role != j.end(), Error::InvalidArgument, "%s: missing \"role\"", where.c_str());
  LAC_CHECK_OR_RETURN(role->is_string(), Error::InvalidArgument,
                      "%s: \"role\" must be a string, got %s", where.c_str(), role->type_name());
  const std::string& name = role->get_ref<const std::string&>();
  const auto parsed = parseRole(name);
  LAC_CHECK_OR_RETURN(parsed.has_value(), Error::InvalidArgument,
                      "%s: unknown role '%s' (expected system, user, assistant or tool)", where.c_str(),
                      name.c_str());
  Message m;
  m.role = *parsed;
  // Other keys (tool_calls, tool_call_id, name, ...) go to a Jinja template as they are.
  json extra = json::object();
  for (const auto& [k, v] : j.items())
    if (k != "role" && k != "content") extra[k] = v;
  if (const auto calls = extra.find("tool_calls"); calls != extra.end() && !calls->is_null()) {
    LAC_CHECK_OR_RETURN(calls->is_array(), Error::InvalidArgument, "%s: \"tool_calls\" must be a list, got %s",
                        where.c_str(), calls->type_name());
    m.has_tool_calls = true;
  }
  if (!extra.empty()) m.extra_json = extra.dump();
  const auto content = j.find("content");
  LAC_CHECK_OR_RETURN(content != j.end() || m.has_tool_calls, Error::InvalidArgument, "%s: missing \"content\"",
                      where.c_str());
  if (content == j.end() || (content->is_null() && m.has_tool_calls)) {
    m.content_null = true;
    return m;
  }
  LAC_CHECK_OR_RETURN(content->is_string(), Error::InvalidArgument,
                      "%s: \"content\" must be a string, got %s", where.c_str(), content->type_name());
  m.content = content->get<std::string>();
  return m;
}

Result<Dialog> readDialog(const json& j, const std::string& where) {
  LAC_CHECK_OR_RETURN(j.is_array(), Error::InvalidArgument,
                      "%s: a dialog must be a list of messages, got %s", where.c_str(), j.type_name());
  Dialog dialog;
  for (size_t i = 0; i < j.size(); ++i) {
    LAC_ASSIGN_OR_RETURN(Message m, readMessage(j[i], where + ", message " + std::to_string(i)));
    dialog.push_back(std::move(m));
  }
  LAC_RETURN_IF_ERROR(validateDialog(dialog, where));
  return dialog;
}

}  // namespace

Result<std::vector<Dialog>> parseDialogs(std::string_view json_text, std::string_view source) {
  const std::string src(source);
  LAC_ASSIGN_OR_RETURN(json j, parseJson(json_text, src));
  LAC_CHECK_OR_RETURN(j.is_array(), Error::InvalidArgument,
                      "%s: expected a list of dialogs (an array of arrays of messages), got %s",
                      src.c_str(), j.type_name());
  LAC_CHECK_OR_RETURN(!j.empty(), Error::InvalidArgument, "%s: the list of dialogs is empty",
                      src.c_str());
  std::vector<Dialog> dialogs;
  for (size_t d = 0; d < j.size(); ++d) {
    LAC_ASSIGN_OR_RETURN(Dialog dialog, readDialog(j[d], src + ": dialog " + std::to_string(d)));
    dialogs.push_back(std::move(dialog));
  }
  return dialogs;
}

Result<Dialog> parseDialog(std::string_view json_text, std::string_view source) {
  const std::string src(source);
  LAC_ASSIGN_OR_RETURN(json j, parseJson(json_text, src));
  return readDialog(j, src);
}

}  // namespace lac::chat
