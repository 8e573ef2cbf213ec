// Filters, tests, methods and lookups: see builtins.h.
#include "runtime/chat/jinja/builtins.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "runtime/chat/jinja/error.h"

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

namespace {

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

// ---------------------------------------------------------------------------
// Unicode helpers

bool isPySpace(uint32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
         (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Case mapping: ASCII and Latin-1 letters (chat templates case role names and
// keywords; a full Unicode table is out of scope, see docs/CHAT.md).
uint32_t toUpper(uint32_t c) {
  if (c >= 'a' && c <= 'z') return c - 32;
  if (c >= 0xE0 && c <= 0xFE && c != 0xF7) return c - 32;
  return c;
}
uint32_t toLower(uint32_t c) {
  if (c >= 'A' && c <= 'Z') return c + 32;
  if (c >= 0xC0 && c <= 0xDE && c != 0xD7) return c + 32;
  return c;
}
bool isLowerCp(uint32_t c) { return toUpper(c) != c; }
bool isUpperCp(uint32_t c) { return toLower(c) != c; }
bool isAlphaCp(uint32_t c) { return isLowerCp(c) || isUpperCp(c) || c > 0xFF; }
bool isDigitCp(uint32_t c) { return c >= '0' && c <= '9'; }

std::string mapChars(const std::string& s, uint32_t (*f)(uint32_t)) {
  std::string out;
  for (uint32_t c : decodeUtf8(s)) appendUtf8(out, f(c));
  return out;
}

std::string capitalize(const std::string& s) {
  auto cps = decodeUtf8(s);
  std::string out;
  for (size_t i = 0; i < cps.size(); ++i) appendUtf8(out, i == 0 ? toUpper(cps[i]) : toLower(cps[i]));
  return out;
}

// Python's str.title(): a letter after a non-letter is upper, others lower.
std::string pyTitle(const std::string& s) {
  std::string out;
  bool prev_cased = false;
  for (uint32_t c : decodeUtf8(s)) {
    const bool cased = isAlphaCp(c);
    appendUtf8(out, cased ? (prev_cased ? toLower(c) : toUpper(c)) : c);
    prev_cased = cased;
  }
  return out;
}

// Jinja's title filter: words start after '-', whitespace, '(', '{', '[' or '<'.
std::string jinjaTitle(const std::string& s) {
  std::string out;
  bool start = true;
  for (uint32_t c : decodeUtf8(s)) {
    const bool sep = c == '-' || isPySpace(c) || c == '(' || c == '{' || c == '[' || c == '<';
    appendUtf8(out, sep ? c : (start ? toUpper(c) : toLower(c)));
    start = sep;
  }
  return out;
}

std::vector<std::string> pySplit(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit) {
  std::vector<std::string> out;
  if (!sep) {
    auto cps = decodeUtf8(s);
    size_t i = 0;
    while (i < cps.size()) {
      while (i < cps.size() && isPySpace(cps[i])) ++i;
      if (i >= cps.size()) break;
      if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) {
        size_t end = cps.size();
        while (end > i && isPySpace(cps[end - 1])) --end;
        out.push_back(encodeUtf8(cps, i, end));
        break;
      }
      size_t j = i;
      while (j < cps.size() && !isPySpace(cps[j])) ++j;
      out.push_back(encodeUtf8(cps, i, j));
      i = j;
    }
    return out;
  }
  if (sep->empty()) fail("value error", "empty separator");
  size_t start = 0;
  for (;;) {
    if (maxsplit >= 0 && static_cast<int64_t>(out.size()) == maxsplit) break;
    const size_t p = s.find(*sep, start);
    if (p == std::string::npos) break;
    out.push_back(s.substr(start, p - start));
    start = p + sep->size();
  }
  out.push_back(s.substr(start));
  return out;
}

std::vector<std::string> pyRsplit(const std::string& s, const std::optional<std::string>& sep, int64_t maxsplit) {
  if (maxsplit < 0) return pySplit(s, sep, maxsplit);
  if (!sep) {  // rare: whitespace rsplit with a limit
    auto parts = pySplit(s, sep, -1);
    if (static_cast<int64_t>(parts.size()) <= maxsplit + 1) return parts;
    // keep the last maxsplit words; the head is the original text up to them
    std::vector<std::string> tail(parts.end() - maxsplit, parts.end());
    auto cps = decodeUtf8(s);
    size_t end = cps.size();
    for (int64_t k = 0; k < maxsplit; ++k) {
      while (end > 0 && isPySpace(cps[end - 1])) --end;
      while (end > 0 && !isPySpace(cps[end - 1])) --end;
    }
    while (end > 0 && isPySpace(cps[end - 1])) --end;
    size_t begin = 0;
    while (begin < end && isPySpace(cps[begin])) ++begin;
    std::vector<std::string> out{encodeUtf8(cps, begin, end)};
    out.insert(out.end(), tail.begin(), tail.end());
    return out;
  }
  if (sep->empty()) fail("value error", "empty separator");
  std::vector<std::string> rev;
  size_t end = s.size();
  while (static_cast<int64_t>(rev.size()) < maxsplit) {
    if (end < sep->size()) break;
    const size_t p = s.rfind(*sep, end - sep->size());
    if (p == std::string::npos) break;
    rev.push_back(s.substr(p + sep->size(), end - p - sep->size()));
    end = p;
  }
  rev.push_back(s.substr(0, end));
  return {rev.rbegin(), rev.rend()};
}

Value stringList(const std::vector<std::string>& parts) {
  List l;
  for (const auto& p : parts) l.push_back(Value::string(p));
  return Value::list(std::move(l));
}

std::string replaceAll(const std::string& s, const std::string& from, const std::string& to, int64_t count) {
  std::string out;
  if (from.empty()) {  // Python inserts `to` between characters
    auto cps = decodeUtf8(s);
    int64_t n = 0;
    for (size_t i = 0; i <= cps.size(); ++i) {
      if (count < 0 || n < count) {
        out += to;
        ++n;
      }
      if (i < cps.size()) appendUtf8(out, cps[i]);
    }
    return out;
  }
  size_t start = 0;
  int64_t n = 0;
  for (;;) {
    const size_t p = (count >= 0 && n >= count) ? std::string::npos : s.find(from, start);
    if (p == std::string::npos) break;
    out.append(s, start, p - start);
    out += to;
    start = p + from.size();
    ++n;
  }
  out.append(s, start, std::string::npos);
  return out;
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

// Code-point index of a byte offset (for find / index).
int64_t cpIndex(const std::string& s, size_t byte) {
  int64_t n = 0;
  for (size_t i = 0; i < byte && i < s.size(); ++i)
    if ((static_cast<uint8_t>(s[i]) & 0xC0) != 0x80) ++n;
  return n;
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

std::optional<std::string> optString(const CallArgs& a, size_t i, const char* name) {
  auto v = a.get(i, name);
  if (!v || v->isNone()) return std::nullopt;
  return needString(*v, name);
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
  return Value::undefined("'str object' has no attribute '" + name + "'");
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
  return Value::undefined("'" + std::string(obj.typeName()) + " object' has no attribute '" + name + "'");
}

}  // namespace

// ---------------------------------------------------------------------------
// Lookup

std::string pyStrip(const std::string& s, const std::optional<std::string>& chars, bool left, bool right) {
  const auto cps = decodeUtf8(s);
  std::vector<uint32_t> set;
  if (chars) set = decodeUtf8(*chars);
  const auto strip = [&](uint32_t c) {
    return chars ? std::find(set.begin(), set.end(), c) != set.end() : isPySpace(c);
  };
  size_t b = 0, e = cps.size();
  if (left)
    while (b < e && strip(cps[b])) ++b;
  if (right)
    while (e > b && strip(cps[e - 1])) --e;
  return encodeUtf8(cps, b, e);
}

Value getAttr(const Value& obj, const std::string& name) {
  switch (obj.kind()) {
    case Value::Kind::Undefined:
      fail("undefined", obj.undefinedHint().empty() ? "'" + name + "' of an undefined value"
                                                    : obj.undefinedHint() + " (reading '." + name + "')");
    case Value::Kind::Dict: {
      Value m = dictMethod(obj, name);
      if (!m.isUndefined()) return m;
      const Value* v = obj.entries().find(Value::string(name));
      return v ? *v : Value::undefined("'dict object' has no attribute '" + name + "'");
    }
    case Value::Kind::Namespace: {
      const Value* v = obj.entries().find(Value::string(name));
      return v ? *v : Value::undefined("'Namespace object' has no attribute '" + name + "'");
    }
    case Value::Kind::String: return stringMethod(obj, name);
    case Value::Kind::List:
    case Value::Kind::Tuple: return listMethod(obj, name);
    default: return Value::undefined("'" + std::string(obj.typeName()) + " object' has no attribute '" + name + "'");
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
  return Value::undefined("'" + std::string(obj.typeName()) + " object' has no attribute " + key.repr());
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

// ---------------------------------------------------------------------------
// Filters

namespace {

const std::set<std::string_view, std::less<>>& filterNames() {
  static const std::set<std::string_view, std::less<>> names = {
      "abs",      "attr",  "capitalize", "count",      "d",          "default", "dictsort", "e",      "escape",
      "first",    "float", "forceescape", "format",    "indent",     "int",     "items",    "join",   "last",
      "length",   "list",  "lower",      "map",        "max",        "min",     "reject",   "rejectattr", "replace",
      "reverse",  "round", "safe",       "select",     "selectattr", "sort",    "string",   "sum",    "title",
      "tojson",   "trim",  "unique",     "upper",      "wordcount",  "center",  "batch",    "pprint", "striptags",
      "truncate", "urlencode", "wordwrap", "xmlattr", "filesizeformat", "groupby", "slice", "urlize"};
  return names;
}

const std::set<std::string_view, std::less<>>& testNames() {
  static const std::set<std::string_view, std::less<>> names = {
      "boolean", "callable", "defined", "divisibleby", "eq",      "equalto", "==",  "escaped",  "even",
      "false",   "float",    "ge",      ">=",          "gt",      "greaterthan", ">", "in",     "integer",
      "iterable", "le",      "<=",      "lower",       "lt",      "lessthan", "<",  "mapping",  "ne",
      "!=",      "none",     "number",  "odd",         "sameas",  "sequence", "string", "true", "undefined",
      "upper",   "filter",   "test"};
  return names;
}

// An attribute path "a.b.0" applied with getItem (Jinja's make_attrgetter).
Value attrPath(const Value& v, const std::string& path) {
  Value cur = v;
  for (const auto& part : pySplit(path, std::string("."), -1)) {
    const bool is_int = !part.empty() && std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    // (A path index past 18 digits cannot name an item: no item.)
    cur = getItem(cur, is_int ? Value::integer(part.size() > 18 ? INT64_MAX : std::stoll(part)) : Value::string(part));
  }
  return cur;
}

Value sortKey(const Value& v, bool case_sensitive) {
  if (!case_sensitive && v.isString()) return Value::string(mapChars(v.asString(), toLower));
  return v;
}

}  // namespace

std::string htmlEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&#34;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

namespace {

int64_t length(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Undefined: return 0;
    case Value::Kind::String: return static_cast<int64_t>(decodeUtf8(v.asString()).size());
    case Value::Kind::List:
    case Value::Kind::Tuple: return static_cast<int64_t>(v.items().size());
    case Value::Kind::Dict:
    case Value::Kind::Namespace: return static_cast<int64_t>(v.entries().items.size());
    default: typeError("object of type '" + std::string(v.typeName()) + "' has no len()");
  }
}

// select / reject / selectattr / rejectattr
Value selectFilter(const Value& value, CallArgs& a, bool by_attr, bool keep) {
  size_t i = 0;
  std::string attr;
  if (by_attr) attr = needString(a.get(i++, "attribute", Value::string("")), "attribute");
  std::optional<std::string> test;
  if (i < a.pos.size()) test = needString(a.pos[i++], "test name");
  CallArgs targs;
  for (; i < a.pos.size(); ++i) targs.pos.push_back(a.pos[i]);
  if (test && !isKnownTest(*test)) fail("unknown test", "no test named '" + *test + "'");
  List out;
  if (!value.truthy()) return Value::generator({});  // Jinja2: "if seq:"
  for (const auto& item : iterate(value)) {
    const Value x = by_attr ? attrPath(item, attr) : item;
    const bool ok = test ? applyTest(*test, x, targs) : x.truthy();
    if (ok == keep) out.push_back(item);
  }
  return Value::generator(std::move(out));
}

Value roundValue(double x, int64_t precision, const std::string& method) {
  const double m = std::pow(10.0, static_cast<double>(precision));
  double r;
  if (method == "common") {
    r = std::nearbyint(x * m) / m;  // Python's round(): half to even
  } else if (method == "ceil") {
    r = std::ceil(x * m) / m;
  } else if (method == "floor") {
    r = std::floor(x * m) / m;
  } else {
    typeError("method must be common, ceil or floor");
  }
  return Value::number(r);
}

std::string indentText(std::string s, const Value& width, bool first, bool blank) {
  const std::string ind = width.isString() ? width.asString() : std::string(static_cast<size_t>(std::max<int64_t>(0, width.asInt())), ' ');
  s += "\n";
  // splitlines on "\n"-only text is enough for templates (other breaks are rare)
  std::vector<std::string> lines;
  {
    size_t start = 0;
    for (size_t p = s.find('\n'); p != std::string::npos; p = s.find('\n', start)) {
      lines.push_back(s.substr(start, p - start));
      start = p + 1;
    }
    if (start < s.size()) lines.push_back(s.substr(start));
  }
  std::string rv;
  if (blank) {
    for (size_t i = 0; i < lines.size(); ++i) rv += (i ? "\n" + ind : "") + lines[i];
  } else {
    rv = lines.empty() ? "" : lines[0];
    if (lines.size() > 1) {
      rv += "\n";
      for (size_t i = 1; i < lines.size(); ++i) {
        if (i > 1) rv += "\n";
        rv += lines[i].empty() ? lines[i] : ind + lines[i];
      }
    }
  }
  if (first) rv = ind + rv;
  return rv;
}

JsonStyle jsonStyle(const CallArgs& a, size_t first_index) {
  JsonStyle st;
  if (auto v = a.get(first_index, "ensure_ascii")) st.ensure_ascii = v->truthy();
  if (auto v = a.get(first_index + 1, "indent"); v && !v->isNone()) st.indent = static_cast<int>(needInt(*v, "indent"));
  if (st.indent >= 0) st.item_sep = ",";
  if (auto v = a.get(first_index + 2, "separators"); v && !v->isNone()) {
    if (!v->isSequence() || v->items().size() != 2) typeError("separators must be a pair of strings");
    st.item_sep = needString(v->items()[0], "item separator");
    st.key_sep = needString(v->items()[1], "key separator");
  }
  if (auto v = a.get(first_index + 3, "sort_keys")) st.sort_keys = v->truthy();
  return st;
}

// A double whose integer part fits int64_t (casting any other is undefined).
bool inInt64(double d) { return std::isfinite(d) && d > -9223372036854775808.0 && d < 9223372036854775808.0; }

// Python's int(x) for a float: NaN is the filter's fallback (ValueError);
// infinity and integers past 64 bits (Python has them) are an error here.
Value floatToInt(double d, const Value& fallback) {
  if (std::isnan(d)) return fallback;
  if (!inInt64(d)) fail("overflow", "the integer is out of the engine's 64-bit range");
  return Value::integer(static_cast<int64_t>(d));
}

Value toFloat(const Value& v, const Value& fallback) {
  if (v.isNumber()) return Value::number(v.asDouble());
  if (v.isString()) {
    const std::string t = pyStrip(v.asString(), std::nullopt, true, true);
    try {
      size_t used = 0;
      const double d = std::stod(t, &used);
      if (used == t.size() && !t.empty()) return Value::number(d);
    } catch (const std::exception&) {
    }
  }
  return fallback;
}

}  // namespace

bool isKnownFilter(std::string_view name) { return filterNames().count(name) != 0; }
bool isKnownTest(std::string_view name) { return testNames().count(name) != 0; }

Value applyFilter(const std::string& name, const Value& v, CallArgs& a) {
  // soft_str keeps Markup: these filters return Markup for Markup input.
  const auto keep = [&](std::string s) { return v.isMarkup() ? Value::markup(std::move(s)) : Value::string(std::move(s)); };
  if (name == "safe") return v.isString() ? Value::markup(v.asString()) : Value::markup(v.str());
  if (name == "string") return keep(v.str());
  if (name == "trim") return keep(pyStrip(v.str(), optString(a, 0, "chars"), true, true));
  if (name == "upper") return keep(mapChars(v.str(), toUpper));
  if (name == "lower") return keep(mapChars(v.str(), toLower));
  if (name == "capitalize") return keep(capitalize(v.str()));
  if (name == "title") return keep(jinjaTitle(v.str()));
  if (name == "length" || name == "count") return Value::integer(length(v));
  if (name == "e" || name == "escape" || name == "forceescape")
    return Value::markup(v.isMarkup() && name != "forceescape" ? v.asString() : htmlEscape(v.str()));
  if (name == "default" || name == "d") {
    const Value fallback = a.get(0, "default_value", Value::string(""));
    const bool boolean = a.get(1, "boolean", Value::boolean(false)).truthy();
    if (v.isUndefined() || (boolean && !v.truthy())) return fallback;
    return v;
  }
  if (name == "tojson") return Value::string(toJson(v, jsonStyle(a, 0)));
  if (name == "join") {
    const std::string sep = a.get(0, "d", Value::string("")).str();
    auto attr = optString(a, 1, "attribute");
    std::string out;
    bool first = true;
    for (const auto& x : iterate(v)) {
      if (!first) out += sep;
      first = false;
      out += (attr ? attrPath(x, *attr) : x).str();
    }
    return Value::string(out);
  }
  if (name == "first" || name == "last") {
    List items = iterate(v);
    if (items.empty()) return Value::undefined("no " + name + " item, sequence was empty");
    return name == "first" ? items.front() : items.back();
  }
  if (name == "list") return Value::list(iterate(v));
  if (name == "items") {
    if (v.isUndefined()) return Value::list();
    if (!v.isDict()) typeError("can only get item pairs from a mapping");
    List out;
    for (const auto& [k, x] : v.entries().items) out.push_back(Value::tuple({k, x}));
    return Value::list(std::move(out));
  }
  if (name == "dictsort") {
    if (!v.isDict()) typeError("dictsort on a non-mapping");
    const bool cs = a.get(0, "case_sensitive", Value::boolean(false)).truthy();
    const std::string by = a.get(1, "by", Value::string("key")).str();
    const bool reverse = a.get(2, "reverse", Value::boolean(false)).truthy();
    List out;
    for (const auto& [k, x] : v.entries().items) out.push_back(Value::tuple({k, x}));
    const size_t idx = by == "value" ? 1 : 0;
    std::stable_sort(out.begin(), out.end(), [&](const Value& p, const Value& q) {
      const int c = compare(sortKey(p.items()[idx], cs), sortKey(q.items()[idx], cs));
      return reverse ? c > 0 : c < 0;
    });
    return Value::list(std::move(out));
  }
  if (name == "sort") {
    const bool reverse = a.get(0, "reverse", Value::boolean(false)).truthy();
    const bool cs = a.get(1, "case_sensitive", Value::boolean(false)).truthy();
    auto attr = optString(a, 2, "attribute");
    List out = iterate(v);
    std::stable_sort(out.begin(), out.end(), [&](const Value& p, const Value& q) {
      const int c = compare(sortKey(attr ? attrPath(p, *attr) : p, cs), sortKey(attr ? attrPath(q, *attr) : q, cs));
      return reverse ? c > 0 : c < 0;
    });
    return Value::list(std::move(out));
  }
  if (name == "unique") {
    const bool cs = a.get(0, "case_sensitive", Value::boolean(false)).truthy();
    auto attr = optString(a, 1, "attribute");
    List out, seen;
    for (const auto& x : iterate(v)) {
      const Value key = sortKey(attr ? attrPath(x, *attr) : x, cs);
      if (std::any_of(seen.begin(), seen.end(), [&](const Value& s) { return equals(s, key); })) continue;
      seen.push_back(key);
      out.push_back(x);
    }
    return Value::generator(std::move(out));
  }
  if (name == "reverse") {
    if (v.isString()) {
      auto cps = decodeUtf8(v.asString());
      std::reverse(cps.begin(), cps.end());
      return Value::string(encodeUtf8(cps, 0, cps.size()));
    }
    List out = iterate(v);
    std::reverse(out.begin(), out.end());
    return Value::generator(std::move(out));
  }
  if (name == "map") {
    List out;
    if (!v.truthy()) return Value::generator({});  // Jinja2: "if value:"
    if (auto attr = a.get(99, "attribute")) {
      const std::string path = needString(*attr, "attribute");
      auto fallback = a.get(99, "default");
      for (const auto& x : iterate(v)) {
        Value r = attrPath(x, path);
        out.push_back(r.isUndefined() && fallback ? *fallback : r);
      }
      return Value::generator(std::move(out));
    }
    if (a.pos.empty()) typeError("map requires a filter name or attribute=");
    const std::string fname = needString(a.pos[0], "filter name");
    if (!isKnownFilter(fname) || fname == "map") fail("unknown filter", "no filter named '" + fname + "'");
    CallArgs fargs;
    fargs.pos.assign(a.pos.begin() + 1, a.pos.end());
    fargs.kw = a.kw;
    for (const auto& x : iterate(v)) out.push_back(applyFilter(fname, x, fargs));
    return Value::generator(std::move(out));
  }
  if (name == "select") return selectFilter(v, a, false, true);
  if (name == "reject") return selectFilter(v, a, false, false);
  if (name == "selectattr") return selectFilter(v, a, true, true);
  if (name == "rejectattr") return selectFilter(v, a, true, false);
  if (name == "attr") return getAttr(v, needString(a.get(0, "name", Value::string("")), "attribute name"));
  if (name == "replace") {
    const auto from = a.get(0, "old"), to = a.get(1, "new");
    if (!from || !to) typeError("replace() needs old and new");
    const auto count = a.get(2, "count");
    return Value::string(replaceAll(v.str(), from->str(), to->str(), count && !count->isNone() ? needInt(*count, "count") : -1));
  }
  if (name == "indent") {
    return Value::string(indentText(v.str(), a.get(0, "width", Value::integer(4)), a.get(1, "first", Value::boolean(false)).truthy(),
                                    a.get(2, "blank", Value::boolean(false)).truthy()));
  }
  if (name == "int") {
    const Value fallback = a.get(0, "default", Value::integer(0));
    if (v.isInt() || v.isBool()) return Value::integer(v.asInt());
    if (v.isFloat()) return floatToInt(v.asDouble(), fallback);
    if (v.isString()) {
      const std::string t = pyStrip(v.asString(), std::nullopt, true, true);
      try {
        size_t used = 0;
        const long long n = std::stoll(t, &used, static_cast<int>(needInt(a.get(1, "base", Value::integer(10)), "base")));
        if (used == t.size()) return Value::integer(n);
      } catch (const std::exception&) {
      }
      const Value f = toFloat(v, Value());
      if (f.isFloat()) return floatToInt(f.asDouble(), fallback);
    }
    return fallback;
  }
  if (name == "float") return toFloat(v, a.get(0, "default", Value::number(0.0)));
  if (name == "abs") {
    if (v.isInt() || v.isBool()) return Value::integer(std::llabs(v.asInt()));
    if (v.isFloat()) return Value::number(std::fabs(v.asDouble()));
    typeError("bad operand type for abs(): '" + std::string(v.typeName()) + "'");
  }
  if (name == "round") {
    if (!v.isNumber()) typeError("round() of a non-number");
    return roundValue(v.asDouble(), needInt(a.get(0, "precision", Value::integer(0)), "precision"),
                      a.get(1, "method", Value::string("common")).str());
  }
  if (name == "sum") {
    auto attr = optString(a, 0, "attribute");
    Value total = a.get(1, "start", Value::integer(0));
    for (const auto& x : iterate(v)) {
      const Value y = attr ? attrPath(x, *attr) : x;
      if (!total.isNumber() || !y.isNumber()) typeError("unsupported operand type(s) for +");
      total = (total.isFloat() || y.isFloat()) ? Value::number(total.asDouble() + y.asDouble())
                                               : Value::integer(total.asInt() + y.asInt());
    }
    return total;
  }
  if (name == "max" || name == "min") {
    const bool cs = a.get(0, "case_sensitive", Value::boolean(false)).truthy();
    auto attr = optString(a, 1, "attribute");
    List items = iterate(v);
    if (items.empty()) return Value::undefined("no " + name + " item, sequence was empty");
    Value best = items[0];
    for (const auto& x : items) {
      const int c = compare(sortKey(attr ? attrPath(x, *attr) : x, cs), sortKey(attr ? attrPath(best, *attr) : best, cs));
      if (name == "max" ? c > 0 : c < 0) best = x;
    }
    return best;
  }
  if (name == "wordcount") {
    int64_t n = 0;
    bool in_word = false;
    for (uint32_t c : decodeUtf8(v.str())) {
      const bool w = isAlphaCp(c) || isDigitCp(c) || c == '_';
      if (w && !in_word) ++n;
      in_word = w;
    }
    return Value::integer(n);
  }
  if (name == "format") {
    // printf-style: "%s" | format(x)
    const std::string fmt = v.str();
    std::string out;
    size_t k = 0;
    for (size_t i = 0; i < fmt.size(); ++i) {
      if (fmt[i] != '%') {
        out += fmt[i];
        continue;
      }
      if (i + 1 < fmt.size() && fmt[i + 1] == '%') {
        out += '%';
        ++i;
        continue;
      }
      if (i + 1 >= fmt.size() || k >= a.pos.size()) typeError("not enough arguments for format string");
      const char conv = fmt[++i];
      const Value& x = a.pos[k++];
      if (conv == 's') out += x.str();
      else if (conv == 'r') out += x.repr();
      else if (conv == 'd' || conv == 'i') {
        if (!x.isNumber()) fail("type error", std::string("%") + conv + " format: a real number is required, not " + std::string(x.typeName()));
        if (x.isFloat() && !inInt64(x.asDouble())) fail("overflow", "cannot convert float infinity or a huge float to integer");
        out += std::to_string(x.isFloat() ? static_cast<int64_t>(x.asDouble()) : x.asInt());
      }
      else fail("unsupported", std::string("format conversion '%") + conv + "' is not supported");
    }
    return Value::string(out);
  }
  fail("unsupported", "the '" + name + "' filter is not supported by this engine");
}

// ---------------------------------------------------------------------------
// Tests

bool applyTest(const std::string& name, const Value& v, CallArgs& a) {
  const auto arg = [&]() -> Value {
    auto x = a.get(0, "other");
    if (!x) typeError("test '" + name + "' needs an argument");
    return *x;
  };
  if (name == "defined") return !v.isUndefined();
  if (name == "undefined") return v.isUndefined();
  if (name == "none") return v.isNone();
  if (name == "boolean") return v.isBool();
  if (name == "false") return v.isBool() && !v.asBool();
  if (name == "true") return v.isBool() && v.asBool();
  if (name == "integer") return v.isInt();
  if (name == "float") return v.isFloat();
  if (name == "number") return v.isNumber();
  if (name == "string") return v.isString();
  if (name == "mapping") return v.isDict();
  if (name == "iterable")
    return v.isUndefined() || v.isString() || v.isSequence() || v.isDict() || v.isGenerator();
  if (name == "sequence") return v.isUndefined() || v.isString() || v.isSequence() || v.isDict();
  if (name == "callable") return v.isCallable();
  if (name == "lower") {
    const std::string s = v.str();
    return mapChars(s, toLower) == s && mapChars(s, toUpper) != s;
  }
  if (name == "upper") {
    const std::string s = v.str();
    return mapChars(s, toUpper) == s && mapChars(s, toLower) != s;
  }
  if (name == "escaped") return false;
  if (name == "even" || name == "odd") {
    const int64_t n = needInt(v, "even/odd test");
    return (n % 2 == 0) == (name == "even");
  }
  if (name == "divisibleby") {
    const int64_t d = needInt(arg(), "divisibleby");
    if (d == 0) fail("zero division", "integer modulo by zero");
    return needInt(v, "divisibleby") % d == 0;
  }
  if (name == "eq" || name == "equalto" || name == "==") return equals(v, arg());
  if (name == "ne" || name == "!=") return !equals(v, arg());
  if (name == "lt" || name == "lessthan" || name == "<") return compare(v, arg()) < 0;
  if (name == "le" || name == "<=") return compare(v, arg()) <= 0;
  if (name == "gt" || name == "greaterthan" || name == ">") return compare(v, arg()) > 0;
  if (name == "ge" || name == ">=") return compare(v, arg()) >= 0;
  if (name == "in") {
    const Value seq = arg();
    if (seq.isString()) return seq.asString().find(needString(v, "'in <string>' left operand")) != std::string::npos;
    if (seq.isDict()) return seq.entries().find(v) != nullptr;
    for (const auto& x : iterate(seq))
      if (equals(x, v)) return true;
    return false;
  }
  if (name == "sameas") {
    const Value o = arg();
    if (v.kind() != o.kind()) return false;
    if (v.isNone() || v.isUndefined()) return true;
    if (v.isBool()) return v.asBool() == o.asBool();
    if (v.isSequence()) return &v.items() == &o.items();
    if (v.isDict() || v.isNamespace()) return &v.entries() == &o.entries();
    return equals(v, o);
  }
  if (name == "filter") return isKnownFilter(v.str());
  if (name == "test") return isKnownTest(v.str());
  fail("unsupported", "the '" + name + "' test is not supported by this engine");
}

}  // namespace lac::chat::jinja
