// Recursive-descent parser: see parser.h for the grammar it covers.
#include "runtime/chat/jinja/parser.h"

#include <initializer_list>

#include "runtime/chat/jinja/builtins.h"

namespace lac::chat::jinja {

namespace {

class Parser {
 public:
  explicit Parser(const std::vector<Token>& t) : t_(t) {}

  Body parseTemplate() {
    Body body = subparse({});
    if (cur().kind != TokenKind::End) error(cur(), "unexpected '" + cur().text + "'");
    return body;
  }

 private:
  const Token& cur() const { return t_[i_]; }
  const Token& peek(size_t k = 1) const { return t_[std::min(i_ + k, t_.size() - 1)]; }
  const Token& next() { return t_[i_ < t_.size() - 1 ? i_++ : i_]; }

  [[noreturn]] static void error(const Token& at, const std::string& msg) { fail("syntax error", msg, at.pos); }

  bool isOp(const char* op) const { return cur().kind == TokenKind::Operator && cur().text == op; }
  bool isName(const char* name) const { return cur().kind == TokenKind::Name && cur().text == name; }
  bool skipOp(const char* op) {
    if (!isOp(op)) return false;
    next();
    return true;
  }
  bool skipName(const char* name) {
    if (!isName(name)) return false;
    next();
    return true;
  }
  static std::string describe(const Token& t) {
    switch (t.kind) {
      case TokenKind::End: return "end of template";
      case TokenKind::BlockEnd: return "end of statement block ('%}')";
      case TokenKind::VarEnd: return "end of print statement ('}}')";
      case TokenKind::String: return "string";
      default: return "'" + t.text + "'";
    }
  }
  void expectOp(const char* op) {
    if (!skipOp(op)) error(cur(), std::string("expected '") + op + "', got " + describe(cur()));
  }
  std::string expectName() {
    if (cur().kind != TokenKind::Name) error(cur(), "expected a name, got " + describe(cur()));
    return next().text;
  }
  void expectBlockEnd() {
    if (cur().kind != TokenKind::BlockEnd) error(cur(), "expected end of statement block ('%}'), got " + describe(cur()));
    next();
  }
  bool atTagEnd() const {
    return cur().kind == TokenKind::BlockEnd || cur().kind == TokenKind::VarEnd || cur().kind == TokenKind::End;
  }

  // ---- statements ---------------------------------------------------------

  // Statements until a {% name %} whose name is in `ends` (left current, on the name).
  Body subparse(std::initializer_list<const char*> ends) {
    Body body;
    for (;;) {
      const Token& tok = cur();
      if (tok.kind == TokenKind::End) {
        if (ends.size() != 0) error(tok, std::string("unexpected end of template; expected '") + *ends.begin() + "'");
        return body;
      }
      if (tok.kind == TokenKind::Text) {
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::Text;
        s->pos = tok.pos;
        s->text = tok.text;
        body.push_back(std::move(s));
        next();
      } else if (tok.kind == TokenKind::VarBegin) {
        next();
        auto s = std::make_unique<Stmt>();
        s->kind = Stmt::Kind::Output;
        s->pos = tok.pos;
        s->expr = parseTuple(true);
        if (cur().kind != TokenKind::VarEnd) error(cur(), "expected end of print statement ('}}'), got " + describe(cur()));
        next();
        body.push_back(std::move(s));
      } else if (tok.kind == TokenKind::BlockBegin) {
        next();
        if (cur().kind != TokenKind::Name) error(cur(), "expected a statement name after '{%'");
        for (const char* e : ends)
          if (cur().text == e) return body;
        body.push_back(statement());
      } else {
        error(tok, "unexpected " + describe(tok));
      }
    }
  }

  // Consumes "{% name" ... already positioned on the end tag's name.
  void endTag(const char* name) {
    if (!skipName(name)) error(cur(), std::string("expected '") + name + "'");
    expectBlockEnd();
  }

  StmtPtr statement() {
    const Token& tok = cur();
    const std::string name = tok.text;
    auto s = std::make_unique<Stmt>();
    s->pos = tok.pos;
    next();
    if (name == "if") {
      s->kind = Stmt::Kind::If;
      s->conds.push_back(parseTuple(false));
      expectBlockEnd();
      for (;;) {
        s->bodies.push_back(subparse({"elif", "else", "endif"}));
        if (skipName("elif")) {
          s->conds.push_back(parseTuple(false));
          expectBlockEnd();
          continue;
        }
        if (skipName("else")) {
          expectBlockEnd();
          s->else_body = subparse({"endif"});
        }
        endTag("endif");
        return s;
      }
    }
    if (name == "for") {
      s->kind = Stmt::Kind::For;
      s->targets = assignTargets();
      if (!skipName("in")) error(cur(), "expected 'in' in a for loop");
      s->expr = parseTuple(false, "recursive");
      if (skipName("if")) s->cond = expression(true);
      if (isName("recursive")) error(cur(), "recursive for loops are not supported");
      expectBlockEnd();
      s->body = subparse({"endfor", "else"});
      if (skipName("else")) {
        expectBlockEnd();
        s->else_body = subparse({"endfor"});
      }
      endTag("endfor");
      return s;
    }
    if (name == "set") {
      // ns.attr = value | a, b = value | name = value | {% set name %}...{% endset %}
      if (cur().kind == TokenKind::Name && peek().kind == TokenKind::Operator && peek().text == ".") {
        s->kind = Stmt::Kind::Set;
        s->targets.push_back(next().text);
        next();
        s->attr = expectName();
        expectOp("=");
        s->expr = parseTuple(true);
        expectBlockEnd();
        return s;
      }
      s->targets = assignTargets();
      if (skipOp("=")) {
        s->kind = Stmt::Kind::Set;
        s->expr = parseTuple(true);
        expectBlockEnd();
        return s;
      }
      s->kind = Stmt::Kind::SetBlock;
      if (s->targets.size() != 1) error(tok, "a block set takes one name");
      if (isOp("|")) s->expr = filterChain();
      expectBlockEnd();
      s->body = subparse({"endset"});
      endTag("endset");
      return s;
    }
    if (name == "macro") {
      s->kind = Stmt::Kind::Macro;
      s->name = expectName();
      s->params = signature();
      expectBlockEnd();
      s->body = subparse({"endmacro"});
      endTag("endmacro");
      return s;
    }
    if (name == "call") {
      s->kind = Stmt::Kind::CallBlock;
      if (isOp("(")) s->params = signature();
      s->expr = expression(true);
      if (s->expr->kind != Expr::Kind::Call) error(tok, "expected a call after '{% call %}'");
      expectBlockEnd();
      s->body = subparse({"endcall"});
      endTag("endcall");
      return s;
    }
    if (name == "filter") {
      s->kind = Stmt::Kind::FilterBlock;
      s->expr = filterChain(false);
      expectBlockEnd();
      s->body = subparse({"endfilter"});
      endTag("endfilter");
      return s;
    }
    if (name == "generation") {
      s->kind = Stmt::Kind::Scope;
      expectBlockEnd();
      s->body = subparse({"endgeneration"});
      endTag("endgeneration");
      return s;
    }
    if (name == "break" || name == "continue") {
      s->kind = name == "break" ? Stmt::Kind::Break : Stmt::Kind::Continue;
      expectBlockEnd();
      return s;
    }
    error(tok, "unknown tag '" + name + "'");
  }

  std::vector<std::string> assignTargets() {
    std::vector<std::string> names;
    const bool paren = skipOp("(");
    do {
      names.push_back(expectName());
    } while (skipOp(","));
    if (paren) expectOp(")");
    return names;
  }

  // (a, b=default, ...)
  std::vector<std::pair<std::string, ExprPtr>> signature() {
    std::vector<std::pair<std::string, ExprPtr>> params;
    expectOp("(");
    while (!isOp(")")) {
      if (!params.empty()) expectOp(",");
      if (isOp(")")) break;
      std::string pname = expectName();
      ExprPtr def;
      if (skipOp("=")) def = expression(true);
      params.emplace_back(std::move(pname), std::move(def));
    }
    expectOp(")");
    return params;
  }

  // | f | g(args): a Filter chain whose innermost operand is null.
  ExprPtr filterChain(bool leading_pipe = true) {
    ExprPtr node;
    bool first = true;
    while (first ? (!leading_pipe || isOp("|")) : isOp("|")) {
      if (leading_pipe || !first) expectOp("|");
      node = filter(std::move(node));
      first = false;
    }
    return node;
  }

  // ---- expressions ----------------------------------------------------------

  // a, b, c (a tuple) or a single expression. Stops at a tag end or extra_end.
  ExprPtr parseTuple(bool with_cond, const char* extra_end = nullptr, bool explicit_parens = false) {
    const SourcePos pos = cur().pos;
    std::vector<ExprPtr> items;
    bool comma = false;
    for (;;) {
      if (!items.empty()) {
        if (!skipOp(",")) break;
        comma = true;
      }
      if (atTagEnd() || isOp(")") || (extra_end && isName(extra_end)) || (!with_cond && isName("if"))) break;
      items.push_back(expression(with_cond));
    }
    if (!comma && items.size() == 1) return std::move(items[0]);
    if (items.empty() && !explicit_parens) error(cur(), "expected an expression, got " + describe(cur()));
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Tuple;
    e->pos = pos;
    e->args = std::move(items);
    return e;
  }

  ExprPtr expression(bool with_cond) { return with_cond ? condExpr() : orExpr(); }

  static ExprPtr binary(std::string op, ExprPtr a, ExprPtr b, SourcePos pos) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Binary;
    e->pos = pos;
    e->name = std::move(op);
    e->a = std::move(a);
    e->b = std::move(b);
    return e;
  }

  ExprPtr condExpr() {
    ExprPtr then = orExpr();
    while (isName("if")) {
      const SourcePos pos = next().pos;
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::Cond;
      e->pos = pos;
      e->b = orExpr();
      if (skipName("else")) e->c = condExpr();
      e->a = std::move(then);
      then = std::move(e);
    }
    return then;
  }

  ExprPtr orExpr() {
    ExprPtr left = andExpr();
    while (isName("or")) {
      const SourcePos pos = next().pos;
      left = binary("or", std::move(left), andExpr(), pos);
    }
    return left;
  }

  ExprPtr andExpr() {
    ExprPtr left = notExpr();
    while (isName("and")) {
      const SourcePos pos = next().pos;
      left = binary("and", std::move(left), notExpr(), pos);
    }
    return left;
  }

  ExprPtr notExpr() {
    if (isName("not")) {
      auto e = std::make_unique<Expr>();
      e->kind = Expr::Kind::Unary;
      e->pos = next().pos;
      e->name = "not";
      e->a = notExpr();
      return e;
    }
    return compare();
  }

  ExprPtr compare() {
    ExprPtr left = math1();
    ExprPtr result;
    for (;;) {
      const SourcePos pos = cur().pos;
      std::string op;
      if (cur().kind == TokenKind::Operator &&
          (cur().text == "==" || cur().text == "!=" || cur().text == "<" || cur().text == "<=" || cur().text == ">" ||
           cur().text == ">=")) {
        op = next().text;
      } else if (isName("in")) {
        next();
        op = "in";
      } else if (isName("not") && peek().kind == TokenKind::Name && peek().text == "in") {
        next();
        next();
        op = "not in";
      } else {
        break;
      }
      ExprPtr right = math1();
      // a < b < c is (a < b) and (b < c); the middle operand is evaluated twice.
      ExprPtr middle;
      if (result) middle = cloneForChain(*left);
      ExprPtr cmp = binary(op, result ? std::move(middle) : std::move(left), std::move(right), pos);
      left = cloneForChain(*cmp->b);
      result = result ? binary("and", std::move(result), std::move(cmp), pos) : std::move(cmp);
    }
    return result ? std::move(result) : std::move(left);
  }

  // Chained comparisons need their middle operand twice: a deep copy.
  static ExprPtr cloneForChain(const Expr& e) {
    auto c = std::make_unique<Expr>();
    c->kind = e.kind;
    c->pos = e.pos;
    c->value = e.value;
    c->name = e.name;
    c->negated = e.negated;
    if (e.a) c->a = cloneForChain(*e.a);
    if (e.b) c->b = cloneForChain(*e.b);
    if (e.c) c->c = cloneForChain(*e.c);
    for (const auto& x : e.args) c->args.push_back(x ? cloneForChain(*x) : nullptr);
    for (const auto& [k, x] : e.kwargs) c->kwargs.emplace_back(k, cloneForChain(*x));
    return c;
  }

  ExprPtr math1() {
    ExprPtr left = concat();
    while (isOp("+") || isOp("-")) {
      const Token& t = next();
      left = binary(t.text, std::move(left), concat(), t.pos);
    }
    return left;
  }

  ExprPtr concat() {
    ExprPtr left = math2();
    while (isOp("~")) {
      const Token& t = next();
      left = binary("~", std::move(left), math2(), t.pos);
    }
    return left;
  }

  ExprPtr math2() {
    ExprPtr left = power();
    while (isOp("*") || isOp("/") || isOp("//") || isOp("%")) {
      const Token& t = next();
      left = binary(t.text, std::move(left), power(), t.pos);
    }
    return left;
  }

  ExprPtr power() {
    ExprPtr left = unary(true);
    while (isOp("**")) {
      const Token& t = next();
      left = binary("**", std::move(left), unary(true), t.pos);
    }
    return left;
  }

  ExprPtr unary(bool with_filter) {
    ExprPtr node;
    if (isOp("-") || isOp("+")) {
      const Token& t = next();
      node = std::make_unique<Expr>();
      node->kind = Expr::Kind::Unary;
      node->pos = t.pos;
      node->name = t.text;
      node->a = unary(false);
    } else {
      node = primary();
    }
    node = postfix(std::move(node));
    if (with_filter) node = filterExpr(std::move(node));
    return node;
  }

  ExprPtr primary() {
    const Token& t = cur();
    auto e = std::make_unique<Expr>();
    e->pos = t.pos;
    switch (t.kind) {
      case TokenKind::Name:
        next();
        if (t.text == "true" || t.text == "True") e->value = Value::boolean(true);
        else if (t.text == "false" || t.text == "False") e->value = Value::boolean(false);
        else if (t.text == "none" || t.text == "None") e->value = Value::none();
        else {
          e->kind = Expr::Kind::Name;
          e->name = t.text;
        }
        return e;
      case TokenKind::String: {
        std::string s;
        while (cur().kind == TokenKind::String) s += next().text;
        e->value = Value::string(std::move(s));
        return e;
      }
      case TokenKind::Integer:
        next();
        try {
          e->value = Value::integer(std::stoll(t.text));
        } catch (const std::exception&) {
          error(t, "integer literal out of range: " + t.text);
        }
        return e;
      case TokenKind::Float:
        next();
        e->value = Value::number(std::strtod(t.text.c_str(), nullptr));  // 1e999 is inf, as in Python
        return e;
      case TokenKind::Operator:
        if (t.text == "(") {
          next();
          ExprPtr inner = parseTuple(true, nullptr, true);
          expectOp(")");
          return inner;
        }
        if (t.text == "[") {
          next();
          e->kind = Expr::Kind::List;
          while (!isOp("]")) {
            if (!e->args.empty()) expectOp(",");
            if (isOp("]")) break;
            e->args.push_back(expression(true));
          }
          expectOp("]");
          return e;
        }
        if (t.text == "{") {
          next();
          e->kind = Expr::Kind::Dict;
          while (!isOp("}")) {
            if (!e->args.empty()) expectOp(",");
            if (isOp("}")) break;
            e->args.push_back(expression(true));
            expectOp(":");
            e->args.push_back(expression(true));
          }
          expectOp("}");
          return e;
        }
        break;
      default: break;
    }
    error(t, "unexpected " + describe(t));
  }

  ExprPtr postfix(ExprPtr node) {
    for (;;) {
      if (isOp(".") || isOp("[")) {
        node = subscript(std::move(node));
      } else if (isOp("(")) {
        node = call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr filterExpr(ExprPtr node) {
    for (;;) {
      if (isOp("|")) {
        next();
        node = filter(std::move(node));
      } else if (isName("is")) {
        node = test(std::move(node));
      } else if (isOp("(")) {
        node = call(std::move(node));
      } else {
        return node;
      }
    }
  }

  ExprPtr subscript(ExprPtr node) {
    const Token& t = next();
    auto e = std::make_unique<Expr>();
    e->pos = t.pos;
    e->a = std::move(node);
    if (t.text == ".") {
      if (cur().kind == TokenKind::Name) {
        e->kind = Expr::Kind::Attr;
        e->name = next().text;
        return e;
      }
      if (cur().kind == TokenKind::Integer) {
        e->kind = Expr::Kind::Item;
        e->b = primary();
        return e;
      }
      error(cur(), "expected a name after '.'");
    }
    // [ ... ]: an index, a slice, or a tuple of indexes
    std::vector<ExprPtr> parts;
    bool is_slice = false;
    ExprPtr slice_parts[3];
    int slot = 0;
    while (!isOp("]")) {
      if (isOp(":")) {
        next();
        is_slice = true;
        ++slot;
        if (slot > 2) error(cur(), "too many ':' in a slice");
        continue;
      }
      if (isOp(",")) error(cur(), "tuple subscripts are not supported");
      slice_parts[slot] = expression(true);
    }
    expectOp("]");
    if (is_slice) {
      e->kind = Expr::Kind::Slice;
      for (auto& p : slice_parts) e->args.push_back(std::move(p));
      return e;
    }
    if (!slice_parts[0]) error(t, "empty subscript '[]'");
    e->kind = Expr::Kind::Item;
    e->b = std::move(slice_parts[0]);
    return e;
  }

  void callArgs(Expr& e) {
    expectOp("(");
    while (!isOp(")")) {
      if (!e.args.empty() || !e.kwargs.empty()) expectOp(",");
      if (isOp(")")) break;
      if (isOp("*") || isOp("**")) error(cur(), "*args and **kwargs in calls are not supported");
      if (cur().kind == TokenKind::Name && peek().kind == TokenKind::Operator && peek().text == "=") {
        std::string k = next().text;
        next();
        e.kwargs.emplace_back(std::move(k), expression(true));
      } else {
        if (!e.kwargs.empty()) error(cur(), "a positional argument follows a keyword argument");
        e.args.push_back(expression(true));
      }
    }
    expectOp(")");
  }

  ExprPtr call(ExprPtr node) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Call;
    e->pos = cur().pos;
    e->a = std::move(node);
    callArgs(*e);
    return e;
  }

  ExprPtr filter(ExprPtr node) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Filter;
    e->pos = cur().pos;
    e->name = expectName();
    while (isOp(".")) {
      next();
      e->name += "." + expectName();
    }
    e->a = std::move(node);
    if (isOp("(")) callArgs(*e);
    return e;
  }

  ExprPtr test(ExprPtr node) {
    const Token& is = next();
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Test;
    e->pos = is.pos;
    e->negated = skipName("not");
    e->name = expectName();
    while (isOp(".")) {
      next();
      e->name += "." + expectName();
    }
    e->a = std::move(node);
    if (isOp("(")) {
      callArgs(*e);
    } else if ((cur().kind == TokenKind::Name || cur().kind == TokenKind::String || cur().kind == TokenKind::Integer ||
                cur().kind == TokenKind::Float || isOp("[") || isOp("{")) &&
               !isName("else") && !isName("or") && !isName("and")) {
      if (isName("is")) error(cur(), "you cannot chain multiple tests with 'is'");
      e->args.push_back(postfix(primary()));
    }
    return e;
  }

  const std::vector<Token>& t_;
  size_t i_ = 0;
};

// Jinja2 rejects an unknown filter or test when it compiles the template,
// unless it sits in a "soft" frame: an if statement or an inline if, with no
// loop, macro or block in between (there it fails only when evaluated).
void checkNames(const Expr* e, bool soft) {
  if (e == nullptr) return;
  if (e->kind == Expr::Kind::Cond) soft = true;
  if (!soft && e->kind == Expr::Kind::Filter && !isKnownFilter(e->name))
    fail("syntax error", "no filter named '" + e->name + "'", e->pos);
  if (!soft && e->kind == Expr::Kind::Test && !isKnownTest(e->name))
    fail("syntax error", "no test named '" + e->name + "'", e->pos);
  checkNames(e->a.get(), soft);
  checkNames(e->b.get(), soft);
  checkNames(e->c.get(), soft);
  for (const auto& x : e->args) checkNames(x.get(), soft);
  for (const auto& [k, x] : e->kwargs) checkNames(x.get(), soft);
}

void checkNames(const Body& body, bool soft) {
  for (const auto& s : body) {
    const bool inner_soft = s->kind == Stmt::Kind::If ? true : (s->kind == Stmt::Kind::Scope ? soft : false);
    const bool expr_soft = s->kind == Stmt::Kind::If ? true : soft;
    checkNames(s->expr.get(), expr_soft);
    checkNames(s->cond.get(), inner_soft);
    for (const auto& c : s->conds) checkNames(c.get(), inner_soft);
    for (const auto& b : s->bodies) checkNames(b, inner_soft);
    checkNames(s->body, inner_soft);
    checkNames(s->else_body, inner_soft);
    for (const auto& [k, d] : s->params) checkNames(d.get(), false);
  }
}

}  // namespace

Body parse(const std::vector<Token>& tokens) {
  Body body = Parser(tokens).parseTemplate();
  checkNames(body, false);
  return body;
}

}  // namespace lac::chat::jinja
