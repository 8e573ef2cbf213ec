// Jinja2's built-in filters and tests, Python's str/dict/list methods, and
// attribute and item lookup, as the sandboxed environment transformers uses
// sees them. Methods that mutate a list or dict (append, pop, update, ...)
// are refused with the sandbox's "unsafe" error, as Jinja2's
// ImmutableSandboxedEnvironment refuses them.
//
// methods.cpp: arguments, str/dict/list methods, lookup, iteration;
// filters.cpp: filters and tests; pystr.h: the str semantics both use.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "runtime/chat/jinja/value.h"

namespace lac::chat::jinja {

struct CallArgs {
  std::vector<Value> pos;
  std::vector<std::pair<std::string, Value>> kw;

  // The argument at position i, or the keyword `name`, if given.
  std::optional<Value> get(size_t i, std::string_view name) const;
  // The same, or `fallback`.
  Value get(size_t i, std::string_view name, Value fallback) const;
};

bool isKnownFilter(std::string_view name);
bool isKnownTest(std::string_view name);

// value | name(args)
Value applyFilter(const std::string& name, const Value& value, CallArgs& args);
// value is name(args)
bool applyTest(const std::string& name, const Value& value, CallArgs& args);

// obj.name: methods first (dict.items), then keys. Undefined when missing;
// an error on an Undefined obj.
Value getAttr(const Value& obj, const std::string& name);
// obj[key]: keys and indexes first, then attributes.
Value getItem(const Value& obj, const Value& key);

// Iteration as Python does it: lists, tuples, dict keys, string characters;
// Undefined is empty. Anything else is a "not iterable" error.
List iterate(const Value& v);

// Argument checks shared by filters.cpp and methods.cpp: Python's
// TypeError wording, thrown as a TemplateError.
[[noreturn]] void typeError(const std::string& msg);
const std::string& needString(const Value& v, const char* what);
int64_t needInt(const Value& v, const char* what);
// Argument i or keyword `name` as a string; unset when absent or None.
std::optional<std::string> optString(const CallArgs& a, size_t i, const char* name);

}  // namespace lac::chat::jinja
