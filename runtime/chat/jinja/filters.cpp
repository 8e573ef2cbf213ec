// Jinja2's built-in filters and tests: see builtins.h.
#include <algorithm>
#include <cmath>
#include <set>

#include "runtime/chat/jinja/builtins.h"
#include "runtime/chat/jinja/error.h"
#include "runtime/chat/jinja/pystr.h"

namespace lac::chat::jinja {

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
