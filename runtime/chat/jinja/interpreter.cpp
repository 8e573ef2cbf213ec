// The tree-walking interpreter: statements, expressions and operators.
#include "runtime/chat/jinja/interpreter.h"

#include <cmath>
#include <map>

#include "runtime/chat/jinja/builtins.h"
#include "runtime/chat/jinja/pystr.h"

namespace lac::chat::jinja {

namespace {

constexpr int64_t kMaxRange = 100000;  // Jinja2's sandbox limit on range()
constexpr int kMaxDepth = 200;         // macro recursion
constexpr int64_t kMaxSteps = 2000000;      // statements + expressions + loop iterations per render
constexpr size_t kMaxString = 64u << 20;    // bytes in one string (and the output)

void checkSize(size_t n) {
  if (n > kMaxString) fail("overflow", "the template built a string over 64 MiB");
}

struct Scope {
  std::map<std::string, Value, std::less<>> vars;
  std::shared_ptr<Scope> parent;
};
using ScopePtr = std::shared_ptr<Scope>;

enum class Flow { Normal, Break, Continue };

[[noreturn]] void typeError(const std::string& msg) { fail("type error", msg); }

std::string opTypes(const char* op, const Value& a, const Value& b) {
  return std::string("unsupported operand type(s) for ") + op + ": '" + std::string(a.typeName()) + "' and '" +
         std::string(b.typeName()) + "'";
}

void checkDefined(const Value& v) {
  if (v.isUndefined()) fail("undefined", v.undefinedHint().empty() ? "an undefined value in an expression" : v.undefinedHint());
}

bool isIntLike(const Value& v) { return v.isInt() || v.isBool(); }

Value sliceOf(const Value& v, const std::optional<int64_t>& start, const std::optional<int64_t>& stop,
              const std::optional<int64_t>& step_opt) {
  const int64_t step = step_opt.value_or(1);
  if (step == 0) fail("value error", "slice step cannot be zero");
  std::vector<uint32_t> cps;
  List items;
  int64_t n;
  if (v.isString()) {
    cps = decodeUtf8(v.asString());
    n = static_cast<int64_t>(cps.size());
  } else if (v.isSequence()) {
    items = v.items();
    n = static_cast<int64_t>(items.size());
  } else if (v.isUndefined()) {
    checkDefined(v);
    return v;
  } else {
    typeError("'" + std::string(v.typeName()) + "' object is not subscriptable");
  }
  const auto clamp = [&](std::optional<int64_t> x, int64_t def_pos, int64_t def_neg) {
    if (!x) return step > 0 ? def_pos : def_neg;
    int64_t i = *x;
    if (i < 0) i += n;
    if (step > 0) return std::clamp<int64_t>(i, 0, n);
    return std::clamp<int64_t>(i, -1, n - 1);
  };
  const int64_t b = clamp(start, 0, n - 1), e = clamp(stop, n, -1);
  std::vector<int64_t> idx;
  for (int64_t i = b; step > 0 ? i < e : i > e; i += step) idx.push_back(i);
  if (v.isString()) {
    std::string out;
    for (int64_t i : idx) appendUtf8(out, cps[static_cast<size_t>(i)]);
    return Value::string(out);
  }
  List out;
  for (int64_t i : idx) out.push_back(items[static_cast<size_t>(i)]);
  return v.kind() == Value::Kind::Tuple ? Value::tuple(std::move(out)) : Value::list(std::move(out));
}

double floorMod(double a, double b) {
  double m = std::fmod(a, b);
  if (m != 0 && ((m < 0) != (b < 0))) m += b;
  return m;
}

// Python's ints have no bound; the engine's are 64-bit and say so.
[[noreturn]] void intOverflow() { fail("overflow", "integer result out of the engine's 64-bit range"); }
template <typename Op>
Value checkedInt(Op op, int64_t x, int64_t y) {
  int64_t v = 0;
  if (op(x, y, &v)) intOverflow();
  return Value::integer(v);
}
bool addOv(int64_t x, int64_t y, int64_t* v) { return __builtin_add_overflow(x, y, v); }
bool subOv(int64_t x, int64_t y, int64_t* v) { return __builtin_sub_overflow(x, y, v); }
bool mulOv(int64_t x, int64_t y, int64_t* v) { return __builtin_mul_overflow(x, y, v); }

Value arithmetic(const std::string& op, const Value& a, const Value& b) {
  checkDefined(a);
  checkDefined(b);
  int64_t r = 0;
  if (op == "+") {
    if (a.isNumber() && b.isNumber()) {
      if (isIntLike(a) && isIntLike(b)) return checkedInt(addOv, a.asInt(), b.asInt());
      return Value::number(a.asDouble() + b.asDouble());
    }
    if (a.isString() && b.isString()) {
      checkSize(a.asString().size() + b.asString().size());
      if (a.isMarkup() || b.isMarkup())  // Markup + str escapes the plain side
        return Value::markup((a.isMarkup() ? a.asString() : htmlEscape(a.asString())) +
                             (b.isMarkup() ? b.asString() : htmlEscape(b.asString())));
      return Value::string(a.asString() + b.asString());
    }
    if (a.isSequence() && b.isSequence() && a.kind() == b.kind()) {
      List out = a.items();
      out.insert(out.end(), b.items().begin(), b.items().end());
      return a.kind() == Value::Kind::List ? Value::list(std::move(out)) : Value::tuple(std::move(out));
    }
    if (a.isString()) typeError("can only concatenate str (not \"" + std::string(b.typeName()) + "\") to str");
    if (a.kind() == Value::Kind::List)
      typeError("can only concatenate list (not \"" + std::string(b.typeName()) + "\") to list");
    typeError(opTypes("+", a, b));
  }
  if (op == "*") {
    if (a.isNumber() && b.isNumber()) {
      if (isIntLike(a) && isIntLike(b)) return checkedInt(mulOv, a.asInt(), b.asInt());
      return Value::number(a.asDouble() * b.asDouble());
    }
    const Value* seq = (a.isString() || a.isSequence()) && isIntLike(b) ? &a : (b.isString() || b.isSequence()) && isIntLike(a) ? &b : nullptr;
    if (seq != nullptr) {
      const int64_t times = std::max<int64_t>(0, (seq == &a ? b : a).asInt());
      const auto size = static_cast<int64_t>(seq->isString() ? seq->asString().size() : seq->items().size());
      if (size == 0 || times == 0) return seq->isString() ? Value::string("") : seq->kind() == Value::Kind::List ? Value::list() : Value::tuple({});
      if (times > 10000000 / size) fail("value error", "repetition result too large");
      if (seq->isString()) {
        std::string out;
        for (int64_t i = 0; i < times; ++i) out += seq->asString();
        return Value::string(out);
      }
      List out;
      for (int64_t i = 0; i < times; ++i) out.insert(out.end(), seq->items().begin(), seq->items().end());
      return seq->kind() == Value::Kind::List ? Value::list(std::move(out)) : Value::tuple(std::move(out));
    }
    typeError(opTypes("*", a, b));
  }
  if (op == "%" && a.isString()) {
    CallArgs args;
    if (b.kind() == Value::Kind::Tuple) args.pos = b.items();
    else args.pos.push_back(b);
    if (a.isMarkup())  // Markup % args escapes the string arguments
      for (auto& x : args.pos)
        if (x.isString() && !x.isMarkup()) x = Value::markup(htmlEscape(x.asString()));
    Value r = applyFilter("format", a, args);
    return a.isMarkup() ? Value::markup(r.asString()) : r;
  }
  if (!a.isNumber() || !b.isNumber()) typeError(opTypes(op.c_str(), a, b));
  const bool ints = isIntLike(a) && isIntLike(b);
  if (op == "-")
    return ints ? checkedInt(subOv, a.asInt(), b.asInt()) : Value::number(a.asDouble() - b.asDouble());
  if (op == "/") {
    if (b.asDouble() == 0) fail("zero division", "division by zero");
    return Value::number(a.asDouble() / b.asDouble());
  }
  if (op == "//" || op == "%") {
    if (b.asDouble() == 0) fail("zero division", op == "%" ? "integer modulo by zero" : "integer division or modulo by zero");
    if (ints) {
      const int64_t x = a.asInt(), y = b.asInt();
      if (x == INT64_MIN && y == -1) intOverflow();
      int64_t q = x / y;
      r = x % y;
      if (r != 0 && ((r < 0) != (y < 0))) {
        --q;
        r += y;
      }
      return Value::integer(op == "//" ? q : r);
    }
    const double x = a.asDouble(), y = b.asDouble();
    return Value::number(op == "//" ? std::floor(x / y) : floorMod(x, y));
  }
  if (op == "**") {
    if (ints && b.asInt() >= 0) {
      int64_t base = a.asInt(), e = b.asInt();
      r = 1;
      while (e > 0) {  // square and multiply
        if ((e & 1) && mulOv(r, base, &r)) intOverflow();
        e >>= 1;
        if (e > 0 && mulOv(base, base, &base)) intOverflow();
      }
      return Value::integer(r);
    }
    return Value::number(std::pow(a.asDouble(), b.asDouble()));
  }
  fail("internal", "unknown operator " + op);
}

bool contains(const Value& container, const Value& item) {
  switch (container.kind()) {
    case Value::Kind::String:
      if (!item.isString())
        typeError("'in <string>' requires string as left operand, not " + std::string(item.typeName()));
      return container.asString().find(item.asString()) != std::string::npos;
    case Value::Kind::Dict:
    case Value::Kind::Namespace: return container.entries().find(item) != nullptr;
    case Value::Kind::List:
    case Value::Kind::Tuple:
      for (const auto& x : container.items())
        if (equals(x, item)) return true;
      return false;
    case Value::Kind::Generator:
      for (const auto& x : container.consume())
        if (equals(x, item)) return true;
      return false;
    case Value::Kind::Undefined: return false;
    default: typeError("argument of type '" + std::string(container.typeName()) + "' is not iterable");
  }
}

class Interpreter {
 public:
  Interpreter(const Dict& vars, const RenderOptions& opt) : opt_(opt) {
    globals_ = std::make_shared<Scope>();
    addGlobals();
    for (const auto& [k, v] : vars.items) {
      if (!k.isString()) fail("type error", "template variable names must be strings");
      globals_->vars[k.asString()] = v;
    }
  }

  // Macros keep their defining scope alive and namespaces may hold
  // themselves (ns.me = ns): break those reference cycles when the render ends.
  ~Interpreter() {
    for (const ScopePtr& s : closures_) s->vars.clear();
    for (const Value& n : namespaces_) n.entries().items.clear();
  }
  Interpreter(const Interpreter&) = delete;
  Interpreter& operator=(const Interpreter&) = delete;

  std::string run(const Body& body) {
    auto top = std::make_shared<Scope>();
    top->parent = globals_;
    std::string out;
    exec(body, top, out);
    return out;
  }

 private:
  // ---- globals --------------------------------------------------------------

  void addGlobals() {
    auto& g = globals_->vars;
    g["range"] = Value::callable("range", [](CallArgs& a) {
      if (a.pos.empty() || a.pos.size() > 3) typeError("range expected 1 to 3 arguments");
      for (const auto& x : a.pos)
        if (!isIntLike(x)) typeError(std::string(x.typeName()).insert(0, 1, '\'') + "' object cannot be interpreted as an integer");
      int64_t start = 0, stop, step = 1;
      if (a.pos.size() == 1) {
        stop = a.pos[0].asInt();
      } else {
        start = a.pos[0].asInt();
        stop = a.pos[1].asInt();
        if (a.pos.size() == 3) step = a.pos[2].asInt();
      }
      if (step == 0) fail("value error", "range() arg 3 must not be zero");
      List out;
      for (int64_t i = start; step > 0 ? i < stop : i > stop; i += step) {
        if (static_cast<int64_t>(out.size()) >= kMaxRange)
          fail("overflow", "Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).");
        out.push_back(Value::integer(i));
      }
      return Value::list(std::move(out));
    });
    const auto mapping = [](CallArgs& a, const char* what) {
      Dict d;
      if (!a.pos.empty()) {
        if (a.pos.size() > 1 || !a.pos[0].isDict()) typeError(std::string(what) + "() takes one mapping and keywords");
        d = a.pos[0].entries();
      }
      for (const auto& [k, v] : a.kw) d.set(Value::string(k), v);
      return d;
    };
    g["dict"] = Value::callable("dict", [mapping](CallArgs& a) { return Value::dict(mapping(a, "dict")); });
    g["namespace"] = Value::callable("namespace", [this, mapping](CallArgs& a) {
      namespaces_.push_back(Value::ns(mapping(a, "namespace")));
      return namespaces_.back();
    });
    g["raise_exception"] = Value::callable("raise_exception", [](CallArgs& a) -> Value {
      fail("raise_exception", a.pos.empty() ? std::string("raise_exception() called") : a.pos[0].str());
    });
    g["strftime_now"] = Value::callable("strftime_now", [this](CallArgs& a) {
      if (a.pos.empty() || !a.pos[0].isString()) typeError("strftime_now() takes a format string");
      const std::time_t t = opt_.now.value_or(std::time(nullptr));
      std::tm tm{};
      localtime_r(&t, &tm);
      char buf[512];
      const size_t n = std::strftime(buf, sizeof buf, a.pos[0].asString().c_str(), &tm);
      return Value::string(std::string(buf, n));
    });
    g["joiner"] = Value::callable("joiner", [](CallArgs& a) {
      const std::string sep = a.get(0, "sep", Value::string(", ")).str();
      auto used = std::make_shared<bool>(false);
      return Value::callable("joiner", [sep, used](CallArgs&) {
        if (!*used) {
          *used = true;
          return Value::string("");
        }
        return Value::string(sep);
      });
    });
  }

  // ---- statements -----------------------------------------------------------

  Flow exec(const Body& body, const ScopePtr& scope, std::string& out) {
    for (const auto& s : body) {
      const Flow f = execOne(*s, scope, out);
      if (f != Flow::Normal) return f;
    }
    return Flow::Normal;
  }

  void step() {
    if (++steps_ > kMaxSteps) fail("overflow", "the template ran for over 2 million steps");
  }

  Flow execOne(const Stmt& s, const ScopePtr& scope, std::string& out) {
    step();
    checkSize(out.size());
    try {
      return execStmt(s, scope, out);
    } catch (TemplateError& e) {
      e.setPosIfUnknown(s.pos);
      throw;
    }
  }

  Flow execStmt(const Stmt& s, const ScopePtr& scope, std::string& out) {
    switch (s.kind) {
      case Stmt::Kind::Text: out += s.text; return Flow::Normal;
      case Stmt::Kind::Output: out += eval(*s.expr, scope).str(); return Flow::Normal;
      case Stmt::Kind::If:
        for (size_t i = 0; i < s.conds.size(); ++i)
          if (eval(*s.conds[i], scope).truthy()) return exec(s.bodies[i], scope, out);
        return exec(s.else_body, scope, out);
      case Stmt::Kind::For: return execFor(s, scope, out);
      case Stmt::Kind::Set: {
        Value v = eval(*s.expr, scope);
        if (!s.attr.empty()) {
          Value target = lookup(s.targets[0], scope);
          if (!target.isNamespace()) fail("type error", "cannot assign attribute on non-namespace object");
          target.entries().set(Value::string(s.attr), std::move(v));
        } else {
          assign(s.targets, std::move(v), *scope);
        }
        return Flow::Normal;
      }
      case Stmt::Kind::SetBlock: {
        std::string text;
        exec(s.body, scope, text);
        Value v = Value::string(std::move(text));
        if (s.expr) v = applyFilters(*s.expr, std::move(v), scope);
        scope->vars[s.targets[0]] = std::move(v);
        return Flow::Normal;
      }
      case Stmt::Kind::Macro: scope->vars[s.name] = makeMacro(s, scope); return Flow::Normal;
      case Stmt::Kind::CallBlock: {
        const Expr& call = *s.expr;
        Value callee = eval(*call.a, scope);
        CallArgs args = evalArgs(call, scope);
        args.kw.emplace_back("caller", makeMacro(s, scope));
        out += invoke(callee, args, call).str();
        return Flow::Normal;
      }
      case Stmt::Kind::FilterBlock: {
        std::string text;
        exec(s.body, scope, text);
        out += applyFilters(*s.expr, Value::string(std::move(text)), scope).str();
        return Flow::Normal;
      }
      case Stmt::Kind::Break: return Flow::Break;
      case Stmt::Kind::Continue: return Flow::Continue;
      case Stmt::Kind::Scope: return exec(s.body, scope, out);
    }
    return Flow::Normal;
  }

  static void assign(const std::vector<std::string>& targets, Value v, Scope& scope) {
    if (targets.size() == 1) {
      scope.vars[targets[0]] = std::move(v);
      return;
    }
    List parts = iterate(v);
    if (parts.size() != targets.size())
      fail("value error", parts.size() > targets.size() ? "too many values to unpack (expected " + std::to_string(targets.size()) + ")"
                                                        : "not enough values to unpack (expected " + std::to_string(targets.size()) + ", got " + std::to_string(parts.size()) + ")");
    for (size_t i = 0; i < targets.size(); ++i) scope.vars[targets[i]] = parts[i];
  }

  Flow execFor(const Stmt& s, const ScopePtr& scope, std::string& out) {
    List items = iterate(eval(*s.expr, scope));
    if (s.cond) {
      List kept;
      for (auto& item : items) {
        step();
        auto probe = std::make_shared<Scope>();
        probe->parent = scope;
        assign(s.targets, item, *probe);
        if (eval(*s.cond, probe).truthy()) kept.push_back(std::move(item));
      }
      items = std::move(kept);
    }
    if (items.empty()) return exec(s.else_body, scope, out);
    const auto n = static_cast<int64_t>(items.size());
    for (int64_t i = 0; i < n; ++i) {
      step();  // an empty body still costs a step per iteration
      auto iter = std::make_shared<Scope>();
      iter->parent = scope;
      assign(s.targets, items[static_cast<size_t>(i)], *iter);
      Dict loop;
      loop.set(Value::string("index"), Value::integer(i + 1));
      loop.set(Value::string("index0"), Value::integer(i));
      loop.set(Value::string("revindex"), Value::integer(n - i));
      loop.set(Value::string("revindex0"), Value::integer(n - i - 1));
      loop.set(Value::string("first"), Value::boolean(i == 0));
      loop.set(Value::string("last"), Value::boolean(i == n - 1));
      loop.set(Value::string("length"), Value::integer(n));
      loop.set(Value::string("depth"), Value::integer(1));
      loop.set(Value::string("depth0"), Value::integer(0));
      loop.set(Value::string("previtem"), i > 0 ? items[static_cast<size_t>(i - 1)] : Value::undefined("there is no previous item"));
      loop.set(Value::string("nextitem"), i + 1 < n ? items[static_cast<size_t>(i + 1)] : Value::undefined("there is no next item"));
      loop.set(Value::string("cycle"), Value::callable("cycle", [i](CallArgs& a) {
                 if (a.pos.empty()) typeError("no items for cycling given");
                 return a.pos[static_cast<size_t>(i) % a.pos.size()];
               }));
      iter->vars["loop"] = Value::dict(std::move(loop));
      const Flow f = exec(s.body, iter, out);
      if (f == Flow::Break) break;
    }
    return Flow::Normal;
  }

  // A macro (or a call block's caller): renders its body in a fresh scope.
  Value makeMacro(const Stmt& s, const ScopePtr& closure) {
    const Stmt* stmt = &s;
    const std::string name = s.kind == Stmt::Kind::Macro ? s.name : "caller";
    closures_.push_back(closure);
    return Value::callable(name, [this, stmt, closure, name](CallArgs& a) {
      if (++depth_ > kMaxDepth) fail("recursion", "macro recursion is too deep");
      auto scope = std::make_shared<Scope>();
      scope->parent = closure;
      const auto& params = stmt->params;
      if (a.pos.size() > params.size())
        typeError("macro '" + name + "' takes not more than " + std::to_string(params.size()) + " argument(s)");
      std::vector<bool> bound(params.size(), false);
      for (size_t i = 0; i < a.pos.size(); ++i) {
        scope->vars[params[i].first] = a.pos[i];
        bound[i] = true;
      }
      for (const auto& [k, v] : a.kw) {
        size_t i = 0;
        while (i < params.size() && params[i].first != k) ++i;
        if (i < params.size()) {
          scope->vars[k] = v;
          bound[i] = true;
        } else if (k == "caller") {
          scope->vars[k] = v;
        } else {
          typeError("macro '" + name + "' takes no keyword argument '" + k + "'");
        }
      }
      for (size_t i = 0; i < params.size(); ++i) {
        if (bound[i]) continue;
        scope->vars[params[i].first] =
            params[i].second ? eval(*params[i].second, scope) : Value::undefined("parameter '" + params[i].first + "' was not provided");
      }
      std::string text;
      exec(stmt->body, scope, text);
      --depth_;
      return Value::string(std::move(text));
    });
  }

  // ---- expressions ----------------------------------------------------------

  Value lookup(const std::string& name, const ScopePtr& scope) const {
    for (const Scope* s = scope.get(); s != nullptr; s = s->parent.get()) {
      auto it = s->vars.find(name);
      if (it != s->vars.end()) return it->second;
    }
    return Value::undefined("'" + name + "' is undefined");
  }

  CallArgs evalArgs(const Expr& e, const ScopePtr& scope) {
    CallArgs args;
    for (const auto& x : e.args) args.pos.push_back(eval(*x, scope));
    for (const auto& [k, x] : e.kwargs) args.kw.emplace_back(k, eval(*x, scope));
    return args;
  }

  static Value invoke(const Value& callee, CallArgs& args, const Expr& call) {
    if (callee.isCallable()) return callee.fn().fn(args);
    if (callee.isUndefined()) {
      checkDefined(callee);
    }
    (void)call;
    typeError("'" + std::string(callee.typeName()) + "' object is not callable");
  }

  // A Filter chain whose innermost operand is null, applied to `base`.
  Value applyFilters(const Expr& e, Value base, const ScopePtr& scope) {
    Value v = e.a ? applyFilters(*e.a, std::move(base), scope) : std::move(base);
    CallArgs args = evalArgs(e, scope);
    return applyFilter(e.name, v, args);
  }

  Value eval(const Expr& e, const ScopePtr& scope) {
    step();
    try {
      return evalExpr(e, scope);
    } catch (TemplateError& err) {
      err.setPosIfUnknown(e.pos);
      throw;
    }
  }

  Value evalExpr(const Expr& e, const ScopePtr& scope) {
    switch (e.kind) {
      case Expr::Kind::Literal: return e.value;
      case Expr::Kind::Name: return lookup(e.name, scope);
      case Expr::Kind::List:
      case Expr::Kind::Tuple: {
        List items;
        for (const auto& x : e.args) items.push_back(eval(*x, scope));
        return e.kind == Expr::Kind::List ? Value::list(std::move(items)) : Value::tuple(std::move(items));
      }
      case Expr::Kind::Dict: {
        Dict d;
        for (size_t i = 0; i + 1 < e.args.size(); i += 2) d.set(eval(*e.args[i], scope), eval(*e.args[i + 1], scope));
        return Value::dict(std::move(d));
      }
      case Expr::Kind::Attr: return getAttr(eval(*e.a, scope), e.name);
      case Expr::Kind::Item: return getItem(eval(*e.a, scope), eval(*e.b, scope));
      case Expr::Kind::Slice: {
        const Value v = eval(*e.a, scope);
        std::optional<int64_t> parts[3];
        for (size_t i = 0; i < 3; ++i) {
          if (!e.args[i]) continue;
          const Value p = eval(*e.args[i], scope);
          if (p.isNone()) continue;
          if (!isIntLike(p)) typeError("slice indices must be integers or None");
          parts[i] = p.asInt();
        }
        return sliceOf(v, parts[0], parts[1], parts[2]);
      }
      case Expr::Kind::Call: {
        const Value callee = eval(*e.a, scope);
        CallArgs args = evalArgs(e, scope);
        return invoke(callee, args, e);
      }
      case Expr::Kind::Filter: {
        const Value v = eval(*e.a, scope);
        CallArgs args = evalArgs(e, scope);
        return applyFilter(e.name, v, args);
      }
      case Expr::Kind::Test: {
        const Value v = eval(*e.a, scope);
        CallArgs args = evalArgs(e, scope);
        return Value::boolean(applyTest(e.name, v, args) != e.negated);
      }
      case Expr::Kind::Unary: {
        const Value v = eval(*e.a, scope);
        if (e.name == "not") return Value::boolean(!v.truthy());
        checkDefined(v);
        if (!v.isNumber()) typeError("bad operand type for unary " + e.name + ": '" + std::string(v.typeName()) + "'");
        if (e.name == "+") return isIntLike(v) ? Value::integer(v.asInt()) : v;
        return isIntLike(v) ? Value::integer(-v.asInt()) : Value::number(-v.asDouble());
      }
      case Expr::Kind::Binary: return binary(e, scope);
      case Expr::Kind::Cond:
        if (eval(*e.b, scope).truthy()) return eval(*e.a, scope);
        return e.c ? eval(*e.c, scope) : Value::undefined("the inline if-expression had no else and was false");
    }
    return Value();
  }

  Value binary(const Expr& e, const ScopePtr& scope) {
    const std::string& op = e.name;
    if (op == "and") {
      Value a = eval(*e.a, scope);
      return a.truthy() ? eval(*e.b, scope) : a;
    }
    if (op == "or") {
      Value a = eval(*e.a, scope);
      return a.truthy() ? a : eval(*e.b, scope);
    }
    const Value a = eval(*e.a, scope);
    const Value b = eval(*e.b, scope);
    if (op == "~") {
      std::string r = a.str() + b.str();
      checkSize(r.size());
      return Value::string(std::move(r));
    }
    if (op == "==") return Value::boolean(equals(a, b));
    if (op == "!=") return Value::boolean(!equals(a, b));
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      checkDefined(a);
      checkDefined(b);
      const int c = compare(a, b);
      return Value::boolean(op == "<" ? c < 0 : op == "<=" ? c <= 0 : op == ">" ? c > 0 : c >= 0);
    }
    if (op == "in") return Value::boolean(contains(b, a));
    if (op == "not in") return Value::boolean(!contains(b, a));
    return arithmetic(op, a, b);
  }

  RenderOptions opt_;
  ScopePtr globals_;
  std::vector<ScopePtr> closures_;
  std::vector<Value> namespaces_;
  int depth_ = 0;
  int64_t steps_ = 0;
};

}  // namespace

std::string renderBody(const Body& body, const Dict& vars, const RenderOptions& options) {
  return Interpreter(vars, options).run(body);
}

}  // namespace lac::chat::jinja
