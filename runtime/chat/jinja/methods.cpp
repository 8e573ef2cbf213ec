// Python's str/dict/list methods, attribute and item lookup, iteration: see builtins.h.
#include "runtime/chat/jinja/builtins.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "runtime/chat/jinja/error.h"
#include "runtime/chat/jinja/pystr.h"

namespace lac::chat::jinja {

// ---------------------------------------------------------------------------
// Arguments

std::optional<Value> CallArgs::get(size_t i, std::string_view name) const {
  if (i < pos.size()) return pos[i];
  for (const auto& [k, v] : kw)
    if (k == name) return v;
  return std::nullopt;
}

Value CallArgs::get(size_t i, std::string_view name, Value fallback) const {
  auto v = get(i, name);
  return v ? *v : std::move(fallback);
}

// ---------------------------------------------------------------------------
// Argument helpers (builtins.h)

[[noreturn]] void typeError(const std::string& msg) { fail("type error", msg); }

const std::string& needString(const Value& v, const char* what) {
  if (!v.isString()) typeError(std::string(what) + " must be str, not " + std::string(v.typeName()));
  return v.asString();
}

int64_t needInt(const Value& v, const char* what) {
  if (!v.isInt() && !v.isBool())
    typeError(std::string(what) + ": '" + std::string(v.typeName()) + "' object cannot be interpreted as an integer");
  return v.asInt();
}

std::optional<std::string> optString(const CallArgs& a, size_t i, const char* name) {
  auto v = a.get(i, name);
  if (!v || v->isNone()) return std::nullopt;
  return needString(*v, name);
}

namespace {

// Jinja's Undefined for a missing attribute: "'dict object' has no attribute 'x'"
// (appended piecewise: GCC 12 warns falsely on "'" + std::string).
Value noAttribute(std::string_view type, const std::string& what) {
  std::string m(1, '\'');
  m.append(type).append(" object' has no attribute ").append(what);
  return Value::undefined(std::move(m));
}

std::string quoted(const std::string& name) { return std::string(1, '\'').append(name).append(1, '\''); }

Value stringList(const std::vector<std::string>& parts) {
  List l;
  for (const auto& p : parts) l.push_back(Value::string(p));
  return Value::list(std::move(l));
}

bool matchesAffix(const std::string& s, const Value& affix, bool prefix) {
  const auto one = [&](const std::string& a) {
    return a.size() <= s.size() && (prefix ? s.compare(0, a.size(), a) == 0 : s.compare(s.size() - a.size(), a.size(), a) == 0);
  };
  if (affix.isSequence() && affix.kind() == Value::Kind::Tuple) {
    for (const auto& a : affix.items())
      if (one(needString(a, prefix ? "startswith arg" : "endswith arg"))) return true;
    return false;
  }
  return one(needString(affix, prefix ? "startswith first arg" : "endswith first arg"));
}

// str.format: {} / {0} / {name}, {{ and }}; format specs are not supported.
std::string pyFormat(const std::string& fmt, const CallArgs& args) {
  std::string out;
  size_t auto_index = 0;
  for (size_t i = 0; i < fmt.size(); ++i) {
    const char c = fmt[i];
    if (c == '{' && i + 1 < fmt.size() && fmt[i + 1] == '{') {
      out += '{';
      ++i;
    } else if (c == '}' && i + 1 < fmt.size() && fmt[i + 1] == '}') {
      out += '}';
      ++i;
    } else if (c == '{') {
      const size_t end = fmt.find('}', i);
      if (end == std::string::npos) fail("value error", "single '{' encountered in format string");
      std::string field = fmt.substr(i + 1, end - i - 1);
      std::string conv;
      if (auto bang = field.find('!'); bang != std::string::npos) {
        conv = field.substr(bang + 1);
        field.resize(bang);
      }
      if (field.find(':') != std::string::npos) fail("unsupported", "format specs in str.format are not supported");
      Value v;
      if (field.empty()) {
        if (auto_index >= args.pos.size()) fail("index error", "Replacement index out of range for positional args tuple");
        v = args.pos[auto_index++];
      } else if (std::all_of(field.begin(), field.end(), [](char d) { return d >= '0' && d <= '9'; })) {
        const size_t k = field.size() > 9 ? args.pos.size() : std::stoul(field);
        if (k >= args.pos.size()) fail("index error", "Replacement index out of range for positional args tuple");
        v = args.pos[k];
      } else {
        bool found = false;
        for (const auto& [k, x] : args.kw)
          if (k == field) {
            v = x;
            found = true;
          }
        if (!found) fail("key error", "'" + field + "'");
      }
      out += conv == "r" ? v.repr() : v.str();
      i = end;
    } else if (c == '}') {
      fail("value error", "single '}' encountered in format string");
    } else {
      out += c;
    }
  }
  return out;
}

Value method(const Value& obj, const std::string& name, std::function<Value(const Value&, CallArgs&)> fn) {
  return Value::callable(name, [obj, fn = std::move(fn)](CallArgs& a) { return fn(obj, a); });
}


Value stringMethod(const Value& obj, const std::string& name) {
  using A = CallArgs;
  if (name == "strip" || name == "lstrip" || name == "rstrip")
    return method(obj, name, [name](const Value& o, A& a) {
      std::string r = pyStrip(o.asString(), optString(a, 0, "chars"), name != "rstrip", name != "lstrip");
      return o.isMarkup() ? Value::markup(std::move(r)) : Value::string(std::move(r));
    });
  if (name == "split" || name == "rsplit")
    return method(obj, name, [name](const Value& o, A& a) {
      const auto sep = optString(a, 0, "sep");
      const int64_t maxsplit = needInt(a.get(1, "maxsplit", Value::integer(-1)), "maxsplit");
      return stringList(name == "split" ? pySplit(o.asString(), sep, maxsplit) : pyRsplit(o.asString(), sep, maxsplit));
    });
  if (name == "startswith" || name == "endswith")
    return method(obj, name, [name](const Value& o, A& a) {
      auto p = a.get(0, "prefix");
      if (!p) typeError(name + "() takes at least 1 argument (0 given)");
      return Value::boolean(matchesAffix(o.asString(), *p, name == "startswith"));
    });
  if (name == "upper") return method(obj, name, [](const Value& o, A&) { return Value::string(mapChars(o.asString(), toUpper)); });
  if (name == "lower") return method(obj, name, [](const Value& o, A&) { return Value::string(mapChars(o.asString(), toLower)); });
  if (name == "title") return method(obj, name, [](const Value& o, A&) { return Value::string(pyTitle(o.asString())); });
  if (name == "capitalize")
    return method(obj, name, [](const Value& o, A&) { return Value::string(capitalize(o.asString())); });
  if (name == "replace")
    return method(obj, name, [](const Value& o, A& a) {
      const auto from = a.get(0, "old"), to = a.get(1, "new");
      if (!from || !to) typeError("replace() takes at least 2 arguments");
      return Value::string(replaceAll(o.asString(), needString(*from, "replace() argument 1"),
                                      needString(*to, "replace() argument 2"),
                                      needInt(a.get(2, "count", Value::integer(-1)), "count")));
    });
  if (name == "find" || name == "rfind" || name == "index" || name == "rindex" || name == "count")
    return method(obj, name, [name](const Value& o, A& a) {
      auto sub = a.get(0, "sub");
      if (!sub) typeError(name + "() takes at least 1 argument (0 given)");
      const std::string& s = o.asString();
      const std::string& x = needString(*sub, "substring");
      if (name == "count") {
        if (x.empty()) return Value::integer(static_cast<int64_t>(decodeUtf8(s).size()) + 1);
        int64_t n = 0;
        for (size_t p = s.find(x); p != std::string::npos; p = s.find(x, p + x.size())) ++n;
        return Value::integer(n);
      }
      const size_t p = name[0] == 'r' ? s.rfind(x) : s.find(x);
      if (p == std::string::npos) {
        if (name == "index" || name == "rindex") fail("value error", "substring not found");
        return Value::integer(-1);
      }
      return Value::integer(cpIndex(s, p));
    });
  if (name == "join")
    return method(obj, name, [](const Value& o, A& a) {
      auto it = a.get(0, "iterable");
      if (!it) typeError("join() takes exactly one argument (0 given)");
      std::string out;
      bool first = true;
      for (const auto& x : iterate(*it)) {
        if (!first) out += o.asString();
        first = false;
        out += needString(x, "sequence item");
      }
      return Value::string(out);
    });
  if (name == "splitlines")
    return method(obj, name, [](const Value& o, A& a) {
      const bool keep = a.get(0, "keepends", Value::boolean(false)).truthy();
      const auto cps = decodeUtf8(o.asString());
      List out;
      size_t start = 0;
      for (size_t i = 0; i < cps.size(); ++i) {
        const uint32_t c = cps[i];
        const bool brk = c == '\n' || c == '\r' || c == 0x0B || c == 0x0C || c == 0x1C || c == 0x1D || c == 0x1E ||
                         c == 0x85 || c == 0x2028 || c == 0x2029;
        if (!brk) continue;
        size_t end = i + 1;
        if (c == '\r' && i + 1 < cps.size() && cps[i + 1] == '\n') end = i + 2;
        out.push_back(Value::string(encodeUtf8(cps, start, keep ? end : i)));
        start = end;
        i = end - 1;
      }
      if (start < cps.size()) out.push_back(Value::string(encodeUtf8(cps, start, cps.size())));
      return Value::list(std::move(out));
    });
  const auto predicate = [&](bool (*p)(uint32_t), bool need_cased) {
    return method(obj, name, [p, need_cased](const Value& o, A&) {
      const auto cps = decodeUtf8(o.asString());
      if (cps.empty()) return Value::boolean(false);
      if (need_cased) {  // islower/isupper: no opposite-case letter and at least one cased
        bool any = false;
        for (uint32_t c : cps) {
          if (p(c)) any = true;
          else if (isAlphaCp(c) && c <= 0xFF) return Value::boolean(false);
        }
        return Value::boolean(any);
      }
      return Value::boolean(std::all_of(cps.begin(), cps.end(), p));
    });
  };
  if (name == "isdigit" || name == "isdecimal" || name == "isnumeric") return predicate(isDigitCp, false);
  if (name == "isalpha") return predicate(isAlphaCp, false);
  if (name == "isalnum") return predicate([](uint32_t c) { return isAlphaCp(c) || isDigitCp(c); }, false);
  if (name == "isspace") return predicate(isPySpace, false);
  if (name == "islower") return predicate(isLowerCp, true);
  if (name == "isupper") return predicate(isUpperCp, true);
  if (name == "format") return method(obj, name, [](const Value& o, A& a) { return Value::string(pyFormat(o.asString(), a)); });
  if (name == "removeprefix" || name == "removesuffix")
    return method(obj, name, [name](const Value& o, A& a) {
      const std::string& s = o.asString();
      const std::string x = needString(a.get(0, "affix", Value::string("")), name.c_str());
      if (name == "removeprefix" && s.compare(0, x.size(), x) == 0) return Value::string(s.substr(x.size()));
      if (name == "removesuffix" && x.size() <= s.size() && s.compare(s.size() - x.size(), x.size(), x) == 0)
        return Value::string(s.substr(0, s.size() - x.size()));
      return o;
    });
  return noAttribute("str", quoted(name));
}

Value unsafe(const Value& obj, const std::string& name) {
  const std::string type(obj.typeName());
  return Value::callable(name, [type, name](CallArgs&) -> Value {
    fail("security error", "access to attribute '" + name + "' of '" + type + "' object is unsafe.");
  });
}

Value dictMethod(const Value& obj, const std::string& name) {
  if (name == "items")
    return method(obj, name, [](const Value& o, CallArgs&) {
      List out;
      for (const auto& [k, v] : o.entries().items) out.push_back(Value::tuple({k, v}));
      return Value::list(std::move(out));
    });
  if (name == "keys" || name == "values")
    return method(obj, name, [name](const Value& o, CallArgs&) {
      List out;
      for (const auto& [k, v] : o.entries().items) out.push_back(name == "keys" ? k : v);
      return Value::list(std::move(out));
    });
  if (name == "get")
    return method(obj, name, [](const Value& o, CallArgs& a) {
      auto key = a.get(0, "key");
      if (!key) typeError("get expected at least 1 argument, got 0");
      const Value* v = o.entries().find(*key);
      return v ? *v : a.get(1, "default", Value::none());
    });
  if (name == "copy") return method(obj, name, [](const Value& o, CallArgs&) { return Value::dict(o.entries()); });
  if (name == "pop" || name == "popitem" || name == "setdefault" || name == "update" || name == "clear")
    return unsafe(obj, name);
  return Value();  // not a method: the caller looks the key up
}

Value listMethod(const Value& obj, const std::string& name) {
  if (name == "index" || name == "count")
    return method(obj, name, [name](const Value& o, CallArgs& a) {
      auto x = a.get(0, "value");
      if (!x) typeError(name + "() takes exactly one argument (0 given)");
      int64_t n = 0;
      for (size_t i = 0; i < o.items().size(); ++i) {
        if (!equals(o.items()[i], *x)) continue;
        if (name == "index") return Value::integer(static_cast<int64_t>(i));
        ++n;
      }
      if (name == "index") fail("value error", x->repr() + " is not in list");
      return Value::integer(n);
    });
  if (name == "copy" && obj.kind() == Value::Kind::List)
    return method(obj, name, [](const Value& o, CallArgs&) { return Value::list(o.items()); });
  if (obj.kind() == Value::Kind::List && (name == "append" || name == "extend" || name == "insert" || name == "pop" ||
                                          name == "remove" || name == "reverse" || name == "sort" || name == "clear"))
    return unsafe(obj, name);
  return noAttribute(obj.typeName(), quoted(name));
}

}  // namespace


// ---------------------------------------------------------------------------

Value getAttr(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Value::Kind::Undefined:
      fail("undefined", obj.undefinedHint().empty() ? "'" + name + "' of an undefined value"
                                                    : obj.undefinedHint() + " (reading '." + name + "')");
    case Value::Kind::Dict: {
      Value m = dictMethod(obj, name);
      if (!m.isUndefined()) return m;
      const Value* v = obj.entries().find(Value::string(name));
      return v ? *v : noAttribute("dict", quoted(name));
    }
    case Value::Kind::Namespace: {
      const Value* v = obj.entries().find(Value::string(name));
      return v ? *v : noAttribute("Namespace", quoted(name));
    }
    case Value::Kind::String: return stringMethod(obj, name);
    case Value::Kind::List:
    case Value::Kind::Tuple: return listMethod(obj, name);
    default: return noAttribute(obj.typeName(), quoted(name));
  }
}

Value getItem(const Value& obj, const Value& key) {
  switch (obj.kind()) {
    case Value::Kind::Undefined:
      fail("undefined", obj.undefinedHint().empty() ? "subscript of an undefined value"
                                                    : obj.undefinedHint() + " (reading [" + key.repr() + "])");
    case Value::Kind::Dict: {
      const Value* v = obj.entries().find(key);
      if (v) return *v;
      break;
    }
    case Value::Kind::List:
    case Value::Kind::Tuple:
    case Value::Kind::String:
      if (key.isInt() || key.isBool()) {
        int64_t i = key.asInt();
        if (obj.isString()) {
          const auto cps = decodeUtf8(obj.asString());
          const auto n = static_cast<int64_t>(cps.size());
          if (i < 0) i += n;
          if (i < 0 || i >= n) return Value::undefined("string index out of range");
          return Value::string(encodeUtf8(cps, static_cast<size_t>(i), static_cast<size_t>(i) + 1));
        }
        const auto n = static_cast<int64_t>(obj.items().size());
        if (i < 0) i += n;
        if (i < 0 || i >= n) return Value::undefined(std::string(obj.typeName()) + " index out of range");
        return obj.items()[static_cast<size_t>(i)];
      }
      break;
    default: break;
  }
  if (key.isString()) {
    Value v = getAttr(obj, key.asString());
    if (!v.isUndefined()) return v;
  }
  return noAttribute(obj.typeName(), key.repr());
}

List iterate(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return {};
    case Value::Kind::List:
    case Value::Kind::Tuple: return v.items();
    case Value::Kind::Generator: return v.consume();
    case Value::Kind::Dict: {
      List keys;
      for (const auto& [k, x] : v.entries().items) keys.push_back(k);
      return keys;
    }
    case Value::Kind::String: {
      List chars;
      const auto cps = decodeUtf8(v.asString());
      for (size_t i = 0; i < cps.size(); ++i) chars.push_back(Value::string(encodeUtf8(cps, i, i + 1)));
      return chars;
    }
    default: typeError("'" + std::string(v.typeName()) + "' object is not iterable");
  }
}

}  // namespace lac::chat::jinja
