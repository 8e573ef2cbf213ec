// Jinja2's built-in filters and tests, Python's str/dict/list methods, and
// attribute and item lookup, as the sandboxed environment transformers uses
// sees them. Methods that mutate a list or dict (append, pop, update, ...)
// are refused with the sandbox's "unsafe" error, as Jinja2's
// ImmutableSandboxedEnvironment refuses them.
#pragma once

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

// Markup's escape(): & < > " ' as HTML entities.
std::string htmlEscape(const std::string& s);

// Python's str.strip / lstrip / rstrip (chars empty: Unicode whitespace).
std::string pyStrip(const std::string& s, const std::optional<std::string>& chars, bool left, bool right);

}  // namespace lac::chat::jinja
