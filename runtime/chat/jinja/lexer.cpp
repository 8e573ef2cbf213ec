// Tokenizer: see lexer.h for the whitespace rules.
#include "runtime/chat/jinja/lexer.h"

#include <algorithm>
#include <cstdint>

#include "runtime/chat/jinja/value.h"

namespace lac::chat::jinja {

namespace {

bool isSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || isDigit(c); }

class Lexer {
 public:
  Lexer(std::string src, const LexOptions& opt) : src_(std::move(src)), opt_(opt) {
    line_starts_.push_back(0);
    for (size_t i = 0; i < src_.size(); ++i)
      if (src_[i] == '\n') line_starts_.push_back(i + 1);
  }

  std::vector<Token> run() {
    size_t pos = 0;
    bool line_starting = true;
    while (pos < src_.size()) {
      const size_t tag = findTag(pos);
      std::string text = src_.substr(pos, (tag == std::string::npos ? src_.size() : tag) - pos);
      if (tag == std::string::npos) {
        emit(TokenKind::Text, std::move(text), pos);
        break;
      }
      const char kind = src_[tag + 1];  // '{', '%' or '#'
      const char marker = tag + 2 < src_.size() ? src_[tag + 2] : '\0';
      if (marker == '-') {
        while (!text.empty() && isSpace(text.back())) text.pop_back();
      } else if (opt_.lstrip_blocks && kind != '{' && marker != '+') {
        const size_t l_pos = text.rfind('\n') == std::string::npos ? 0 : text.rfind('\n') + 1;
        if ((l_pos > 0 || line_starting) &&
            std::all_of(text.begin() + static_cast<std::ptrdiff_t>(l_pos), text.end(),
                        [](char c) { return c == ' ' || c == '\t'; }))
          text.resize(l_pos);
      }
      if (!text.empty()) emit(TokenKind::Text, std::move(text), pos);
      size_t body = tag + 2 + ((marker == '-' || marker == '+') ? 1 : 0);
      if (kind == '#') {
        pos = endComment(tag, body);
      } else if (kind == '%' && isRaw(body)) {
        pos = rawBlock(tag, body);
      } else {
        pos = tagBody(tag, body, kind == '{');
      }
      line_starting = pos > 0 && src_[pos - 1] == '\n';
    }
    tokens_.push_back(Token{TokenKind::End, "", posOf(src_.size())});
    return std::move(tokens_);
  }

 private:
  SourcePos posOf(size_t offset) const {
    const auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
    const size_t line = static_cast<size_t>(it - line_starts_.begin());
    return SourcePos{static_cast<int>(line), static_cast<int>(offset - line_starts_[line - 1] + 1)};
  }

  [[noreturn]] void error(size_t offset, const std::string& msg) const { fail("syntax error", msg, posOf(offset)); }

  void emit(TokenKind k, std::string text, size_t offset) { tokens_.push_back(Token{k, std::move(text), posOf(offset)}); }

  size_t findTag(size_t from) const {
    for (size_t p = src_.find('{', from); p != std::string::npos; p = src_.find('{', p + 1)) {
      if (p + 1 < src_.size() && (src_[p + 1] == '{' || src_[p + 1] == '%' || src_[p + 1] == '#')) return p;
    }
    return std::string::npos;
  }

  // After a block or comment end: '-' strips whitespace, '+' keeps it, else
  // trim_blocks drops one newline.
  size_t afterBlockEnd(size_t after, char marker) const {
    if (marker == '-') {
      while (after < src_.size() && isSpace(src_[after])) ++after;
    } else if (marker != '+' && opt_.trim_blocks && after < src_.size() && src_[after] == '\n') {
      ++after;
    }
    return after;
  }

  size_t endComment(size_t tag, size_t body) const {
    const size_t end = src_.find("#}", body);
    if (end == std::string::npos) error(tag, "unclosed comment: '{#' without '#}'");
    const char marker = end > body && (src_[end - 1] == '-' || src_[end - 1] == '+') ? src_[end - 1] : '\0';
    return afterBlockEnd(end + 2, marker);
  }

  // {% raw %}: everything up to {% endraw %} is text.
  static size_t skipSpace(const std::string& s, size_t p) {
    while (p < s.size() && isSpace(s[p])) ++p;
    return p;
  }
  bool isRaw(size_t body) const {
    const size_t p = skipSpace(src_, body);
    if (src_.compare(p, 3, "raw") != 0 || (p + 3 < src_.size() && isNameChar(src_[p + 3]))) return false;
    const size_t q = skipSpace(src_, p + 3);
    return src_.compare(q, 2, "%}") == 0 || src_.compare(q, 3, "-%}") == 0 || src_.compare(q, 3, "+%}") == 0;
  }
  size_t rawBlock(size_t tag, size_t body) {
    size_t p = skipSpace(src_, body) + 3;
    p = skipSpace(src_, p);
    const char open_marker = src_[p] == '%' ? '\0' : src_[p];
    p += open_marker ? 3 : 2;
    p = afterBlockEnd(p, open_marker);
    for (size_t s = src_.find("{%", p); s != std::string::npos; s = src_.find("{%", s + 2)) {
      size_t q = s + 2;
      const char m = q < src_.size() && (src_[q] == '-' || src_[q] == '+') ? src_[q] : '\0';
      if (m) ++q;
      q = skipSpace(src_, q);
      if (src_.compare(q, 6, "endraw") != 0) continue;
      q = skipSpace(src_, q + 6);
      const char close_marker = src_[q] == '%' ? '\0' : src_[q];
      if (src_.compare(q + (close_marker ? 1 : 0), 2, "%}") != 0) continue;
      std::string text = src_.substr(p, s - p);
      if (m == '-')
        while (!text.empty() && isSpace(text.back())) text.pop_back();
      if (!text.empty()) emit(TokenKind::Text, std::move(text), p);
      return afterBlockEnd(q + (close_marker ? 3 : 2), close_marker);
    }
    error(tag, "unclosed raw block: '{% raw %}' without '{% endraw %}'");
  }

  // Tokens of one {{ }} or {% %} tag; returns the offset after it.
  size_t tagBody(size_t tag, size_t p, bool is_var) {
    emit(is_var ? TokenKind::VarBegin : TokenKind::BlockBegin, is_var ? "{{" : "{%", tag);
    int depth = 0;  // open brackets: "}}" inside a dict literal is two braces
    for (;;) {
      while (p < src_.size() && isSpace(src_[p])) ++p;
      if (p >= src_.size()) error(tag, std::string("unclosed tag: '") + (is_var ? "{{" : "{%") + "' without '" + (is_var ? "}}" : "%}") + "'");
      if (depth == 0) {
        const char* close = is_var ? "}}" : "%}";
        for (char marker : {'\0', '-', '+'}) {
          if (marker == '+' && is_var) continue;
          const size_t q = p + (marker ? 1 : 0);
          if ((marker == '\0' || src_[p] == marker) && src_.compare(q, 2, close) == 0) {
            emit(is_var ? TokenKind::VarEnd : TokenKind::BlockEnd, close, p);
            if (is_var) {
              size_t after = q + 2;
              if (marker == '-')
                while (after < src_.size() && isSpace(src_[after])) ++after;
              return after;
            }
            return afterBlockEnd(q + 2, marker);
          }
        }
      }
      const char c = src_[p];
      if (isNameStart(c) || static_cast<uint8_t>(c) >= 0x80) {
        size_t e = p;
        while (e < src_.size() && (isNameChar(src_[e]) || static_cast<uint8_t>(src_[e]) >= 0x80)) ++e;
        emit(TokenKind::Name, src_.substr(p, e - p), p);
        p = e;
      } else if (isDigit(c)) {
        p = number(p);
      } else if (c == '\'' || c == '"') {
        p = stringLiteral(p);
      } else {
        static const char* const kOps[] = {"//", "**", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "[", "]",
                                           "(", ")", "{", "}", ",", ".", ":", "|", "=", "<", ">", ";"};
        const char* op = nullptr;
        for (const char* o : kOps) {
          if (src_.compare(p, std::char_traits<char>::length(o), o) == 0) {
            op = o;
            break;
          }
        }
        if (op == nullptr) error(p, std::string("unexpected character '") + c + "' in a tag");
        if (op[0] == '(' || op[0] == '[' || op[0] == '{') ++depth;
        if ((op[0] == ')' || op[0] == ']' || op[0] == '}') && depth > 0) --depth;
        emit(TokenKind::Operator, op, p);
        p += std::char_traits<char>::length(op);
      }
    }
  }

  size_t number(size_t p) {
    const size_t start = p;
    const auto digits = [&] {
      while (p < src_.size() && (isDigit(src_[p]) || (src_[p] == '_' && p + 1 < src_.size() && isDigit(src_[p + 1])))) ++p;
    };
    digits();
    bool is_float = false;
    if (p + 1 < src_.size() && src_[p] == '.' && isDigit(src_[p + 1])) {
      is_float = true;
      ++p;
      digits();
    }
    if (p < src_.size() && (src_[p] == 'e' || src_[p] == 'E')) {
      size_t q = p + 1;
      if (q < src_.size() && (src_[q] == '+' || src_[q] == '-')) ++q;
      if (q < src_.size() && isDigit(src_[q])) {
        is_float = true;
        p = q;
        digits();
      }
    }
    std::string text;
    for (size_t i = start; i < p; ++i)
      if (src_[i] != '_') text += src_[i];
    emit(is_float ? TokenKind::Float : TokenKind::Integer, text, start);
    return p;
  }

  // A quoted string with Python's escapes decoded.
  size_t stringLiteral(size_t p) {
    const char quote = src_[p];
    std::string out;
    size_t i = p + 1;
    const auto hex = [&](size_t n) -> uint32_t {
      if (i + n > src_.size()) error(i, "truncated \\x/\\u escape in a string");
      uint32_t v = 0;
      for (size_t k = 0; k < n; ++k) {
        const char h = src_[i + k];
        v <<= 4;
        if (isDigit(h)) v |= static_cast<uint32_t>(h - '0');
        else if (h >= 'a' && h <= 'f') v |= static_cast<uint32_t>(h - 'a' + 10);
        else if (h >= 'A' && h <= 'F') v |= static_cast<uint32_t>(h - 'A' + 10);
        else error(i, "invalid \\x/\\u escape in a string");
      }
      i += n;
      return v;
    };
    for (;;) {
      if (i >= src_.size()) error(p, "unclosed string literal");
      const char c = src_[i];
      if (c == quote) break;
      if (c != '\\') {
        out += c;
        ++i;
        continue;
      }
      if (i + 1 >= src_.size()) error(p, "unclosed string literal");
      const char e = src_[i + 1];
      i += 2;
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'a': out += '\a'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'v': out += '\v'; break;
        case '\\': out += '\\'; break;
        case '\'': out += '\''; break;
        case '"': out += '"'; break;
        case '\n': break;  // a line continuation
        case 'x': appendUtf8(out, hex(2)); break;
        case 'u': appendUtf8(out, hex(4)); break;
        case 'U': appendUtf8(out, hex(8)); break;
        default:
          if (e >= '0' && e <= '7') {
            uint32_t v = static_cast<uint32_t>(e - '0');
            for (int k = 0; k < 2 && i < src_.size() && src_[i] >= '0' && src_[i] <= '7'; ++k, ++i)
              v = v * 8 + static_cast<uint32_t>(src_[i] - '0');
            appendUtf8(out, v);
          } else {  // unknown escapes stay as written
            out += '\\';
            out += e;
          }
      }
    }
    emit(TokenKind::String, std::move(out), p);
    return i + 1;
  }

  std::string src_;
  LexOptions opt_;
  std::vector<size_t> line_starts_;
  std::vector<Token> tokens_;
};

std::string normalizeNewlines(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\r') {
      out += '\n';
      if (i + 1 < s.size() && s[i + 1] == '\n') ++i;
    } else {
      out += s[i];
    }
  }
  if (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

}  // namespace

std::vector<Token> tokenize(std::string_view source, const LexOptions& options) {
  return Lexer(normalizeNewlines(source), options).run();
}

}  // namespace lac::chat::jinja
