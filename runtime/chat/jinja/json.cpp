// Values to and from JSON, byte for byte as Python's json module writes them.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>

#include "runtime/chat/jinja/error.h"
#include "runtime/chat/jinja/value.h"

namespace lac::chat::jinja {

namespace {

void writeString(std::string& out, const std::string& s, bool ensure_ascii) {
  out += '"';
  for (uint32_t c : decodeUtf8(s)) {
    switch (c) {
      case '"': out += "\\\""; continue;
      case '\\': out += "\\\\"; continue;
      case '\n': out += "\\n"; continue;
      case '\r': out += "\\r"; continue;
      case '\t': out += "\\t"; continue;
      case '\b': out += "\\b"; continue;
      case '\f': out += "\\f"; continue;
      default: break;
    }
    char b[16];
    if (c < 0x20 || (ensure_ascii && c >= 0x7F)) {
      if (c >= 0x10000) {
        const uint32_t v = c - 0x10000;
        std::snprintf(b, sizeof b, "\\u%04x\\u%04x", 0xD800 + (v >> 10), 0xDC00 + (v & 0x3FF));
      } else {
        std::snprintf(b, sizeof b, "\\u%04x", c);
      }
      out += b;
    } else {
      appendUtf8(out, c);
    }
  }
  out += '"';
}

std::string keyString(const Value& k) {
  switch (k.kind()) {
    case Value::Kind::String: return k.asString();
    case Value::Kind::Bool: return k.asBool() ? "true" : "false";
    case Value::Kind::None: return "null";
    case Value::Kind::Int:
    case Value::Kind::Float: return k.repr();
    default:
      fail("type error", "keys must be str, int, float, bool or None, not " + std::string(k.typeName()));
  }
}

void writeFloat(std::string& out, double f) {
  if (std::isnan(f)) out += "NaN";
  else if (std::isinf(f)) out += f > 0 ? "Infinity" : "-Infinity";
  else out += pythonFloatRepr(f);
}

void write(std::string& out, const Value& v, const JsonStyle& st, int depth) {
  const auto newline = [&](int d) {
    out += '\n';
    out.append(static_cast<size_t>(st.indent) * static_cast<size_t>(d), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::None: out += "null"; return;
    case Value::Kind::Bool: out += v.asBool() ? "true" : "false"; return;
    case Value::Kind::Int: out += std::to_string(v.asInt()); return;
    case Value::Kind::Float: writeFloat(out, v.asDouble()); return;
    case Value::Kind::String: writeString(out, v.asString(), st.ensure_ascii); return;
    case Value::Kind::List:
    case Value::Kind::Tuple: {
      if (v.items().empty()) {
        out += "[]";
        return;
      }
      out += '[';
      for (size_t i = 0; i < v.items().size(); ++i) {
        if (i) out += st.item_sep;
        if (st.indent >= 0) newline(depth + 1);
        write(out, v.items()[i], st, depth + 1);
      }
      if (st.indent >= 0) newline(depth);
      out += ']';
      return;
    }
    case Value::Kind::Dict: {
      if (v.entries().items.empty()) {
        out += "{}";
        return;
      }
      std::vector<std::pair<std::string, const Value*>> kv;
      for (const auto& [k, x] : v.entries().items) kv.emplace_back(keyString(k), &x);
      if (st.sort_keys)
        std::stable_sort(kv.begin(), kv.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      for (size_t i = 0; i < kv.size(); ++i) {
        if (i) out += st.item_sep;
        if (st.indent >= 0) newline(depth + 1);
        writeString(out, kv[i].first, st.ensure_ascii);
        out += st.key_sep;
        write(out, *kv[i].second, st, depth + 1);
      }
      if (st.indent >= 0) newline(depth);
      out += '}';
      return;
    }
    default:
      fail("type error", "Object of type " + std::string(v.typeName()) + " is not JSON serializable");
  }
}

Value convert(const nlohmann::ordered_json& j, int depth = 0) {
  if (depth > 256) fail("invalid JSON", "nested deeper than 256 levels");
  switch (j.type()) {
    case nlohmann::ordered_json::value_t::null: return Value::none();
    case nlohmann::ordered_json::value_t::boolean: return Value::boolean(j.get<bool>());
    case nlohmann::ordered_json::value_t::number_integer: return Value::integer(j.get<int64_t>());
    case nlohmann::ordered_json::value_t::number_unsigned:
      return Value::integer(static_cast<int64_t>(j.get<uint64_t>()));
    case nlohmann::ordered_json::value_t::number_float: return Value::number(j.get<double>());
    case nlohmann::ordered_json::value_t::string: return Value::string(j.get<std::string>());
    case nlohmann::ordered_json::value_t::array: {
      List items;
      for (const auto& e : j) items.push_back(convert(e, depth + 1));
      return Value::list(std::move(items));
    }
    case nlohmann::ordered_json::value_t::object: {
      Dict d;
      for (const auto& [k, e] : j.items()) d.set(Value::string(k), convert(e, depth + 1));
      return Value::dict(std::move(d));
    }
    default: return Value::none();
  }
}

}  // namespace

std::string toJson(const Value& v, const JsonStyle& style) {
  std::string out;
  write(out, v, style, 0);
  return out;
}

Value fromJson(std::string_view json_text) {
  try {
    return convert(nlohmann::ordered_json::parse(json_text.begin(), json_text.end()));
  } catch (const nlohmann::ordered_json::exception& e) {
    fail("invalid JSON", e.what());
  }
}

}  // namespace lac::chat::jinja
