// The template engine's values: what Jinja2 sees of Python objects.
//
// A Value is one of Undefined, None, Bool, Int, Float, String, List, Tuple,
// Dict, Namespace, Callable or Generator (what map, select, selectattr,
// unique and reverse return in Jinja2: iterable once, always true, no len(),
// not JSON). Lists, tuples, dicts and namespaces are shared
// by reference, as in Python (a namespace() set inside a loop is seen after
// it). Dicts keep insertion order, as Python's do; keys are Values.
//
// Printing follows Python: str() for {{ }} output (None -> "None", True ->
// "True", 2.0 -> "2.0", ['a', 1] -> "['a', 1]"), repr() inside containers,
// and json.dumps (toJson) for the tojson filter.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lac::chat::jinja {

class Value;
struct CallArgs;

using List = std::vector<Value>;

struct Dict {
  std::vector<std::pair<Value, Value>> items;  // insertion order

  const Value* find(const Value& key) const;
  void set(const Value& key, Value value);
};

// A builtin or a macro: takes the call's positional and keyword arguments.
struct Callable {
  std::string name;
  std::function<Value(CallArgs&)> fn;
};

class Value {
 public:
  enum class Kind { Undefined, None, Bool, Int, Float, String, List, Tuple, Dict, Namespace, Callable, Generator };

  Value() = default;  // Undefined
  static Value undefined(std::string hint = {});
  static Value none();
  static Value boolean(bool b);
  static Value integer(int64_t i);
  static Value number(double f);
  static Value string(std::string s);
  // A string marked safe (Jinja2's Markup: |safe, |escape): adding a plain
  // string to it HTML-escapes the plain one, as Python's Markup does.
  static Value markup(std::string s);
  static Value list(List items = {});
  static Value tuple(List items);
  static Value generator(List items);
  static Value dict(Dict d = {});
  static Value ns(Dict d = {});
  static Value callable(std::string name, std::function<Value(CallArgs&)> fn);

  Kind kind() const { return kind_; }
  bool isUndefined() const { return kind_ == Kind::Undefined; }
  bool isNone() const { return kind_ == Kind::None; }
  bool isBool() const { return kind_ == Kind::Bool; }
  bool isInt() const { return kind_ == Kind::Int; }
  bool isFloat() const { return kind_ == Kind::Float; }
  bool isNumber() const { return kind_ == Kind::Int || kind_ == Kind::Float || kind_ == Kind::Bool; }
  bool isString() const { return kind_ == Kind::String; }
  bool isMarkup() const { return kind_ == Kind::String && b_; }
  bool isSequence() const { return kind_ == Kind::List || kind_ == Kind::Tuple; }
  bool isDict() const { return kind_ == Kind::Dict; }
  bool isNamespace() const { return kind_ == Kind::Namespace; }
  bool isCallable() const { return kind_ == Kind::Callable; }
  bool isGenerator() const { return kind_ == Kind::Generator; }
  // A generator's items, once: later calls give none (Python's exhausted iterator).
  List consume() const;

  bool asBool() const { return b_; }
  int64_t asInt() const { return kind_ == Kind::Bool ? (b_ ? 1 : 0) : i_; }
  double asDouble() const;  // Int, Float or Bool
  const std::string& asString() const { return s_; }
  List& items() const { return *list_; }          // List, Tuple or Generator
  Dict& entries() const { return *dict_; }        // Dict or Namespace
  const Callable& fn() const { return *fn_; }
  const std::string& undefinedHint() const { return s_; }

  // Python truthiness.
  bool truthy() const;
  // Python's str() and repr().
  std::string str() const;
  std::string repr() const;
  // Python type names for messages ("dict", "list", "str", "NoneType").
  std::string_view typeName() const;

 private:
  Kind kind_ = Kind::Undefined;
  bool b_ = false;
  int64_t i_ = 0;
  double f_ = 0;
  std::string s_;
  std::shared_ptr<List> list_;
  std::shared_ptr<Dict> dict_;
  std::shared_ptr<Callable> fn_;
};

// Python ==, and <, for the sorts, comparisons and tests.
bool equals(const Value& a, const Value& b);
// -1, 0 or 1; throws a TemplateError for types Python cannot order.
int compare(const Value& a, const Value& b);

// Python's repr() of a float ("0.1", "1e+16", "2.0", "inf").
std::string pythonFloatRepr(double f);

// json.dumps(v, ensure_ascii, indent, separators, sort_keys) as Python
// writes it. indent < 0 means None. Undefined and callables are an error.
struct JsonStyle {
  bool ensure_ascii = false;
  int indent = -1;
  std::string item_sep = ", ";
  std::string key_sep = ": ";
  bool sort_keys = false;
};
std::string toJson(const Value& v, const JsonStyle& style);

// A Value from JSON text (objects keep their key order). Throws a
// TemplateError on malformed JSON.
Value fromJson(std::string_view json_text);

// Unicode code points of UTF-8 text (an invalid byte is its own code point,
// U+DC80 + byte, as Python's surrogateescape would decode it) and back.
std::vector<uint32_t> decodeUtf8(std::string_view s);
std::string encodeUtf8(const std::vector<uint32_t>& cps, size_t begin, size_t end);
void appendUtf8(std::string& out, uint32_t cp);

}  // namespace lac::chat::jinja
