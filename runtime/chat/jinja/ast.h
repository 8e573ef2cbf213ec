// The parsed template: expression and statement nodes.
//
// One struct per family with a kind tag, rather than a class per node: the
// interpreter switches on the kind. Which fields a kind uses is noted beside it.
#pragma once

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "runtime/chat/jinja/error.h"
#include "runtime/chat/jinja/value.h"

namespace lac::chat::jinja {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  enum class Kind {
    Literal,   // value
    Name,      // name
    List,      // args
    Tuple,     // args
    Dict,      // args: key, value, key, value, ...
    Attr,      // a.name
    Item,      // a[b]
    Slice,     // a[args[0] : args[1] : args[2]] (null parts are absent)
    Call,      // a(args, kwargs)
    Filter,    // a | name(args, kwargs)
    Test,      // a is [not] name(args); negated
    Unary,     // name ("-", "+", "not") a
    Binary,    // a name b: + - * / // % ** ~ == != < <= > >= in "not in" and or
    Cond,      // a if b else c (c may be null)
  };
  Kind kind = Kind::Literal;
  SourcePos pos;
  Value value;
  std::string name;
  bool negated = false;
  ExprPtr a, b, c;
  std::vector<ExprPtr> args;
  std::vector<std::pair<std::string, ExprPtr>> kwargs;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Body = std::vector<StmtPtr>;

struct Stmt {
  enum class Kind {
    Text,         // text
    Output,       // {{ expr }}
    If,           // conds[i] -> bodies[i]; else_body
    For,          // for targets in expr [if cond] body [else else_body]
    Set,          // set targets (or target.attr) = expr
    SetBlock,     // {% set targets[0] %}body{% endset %}, optional filter expr applied
    Macro,        // macro name(params) body
    CallBlock,    // {% call(params) expr %}body{% endcall %}
    FilterBlock,  // {% filter expr %}body: expr is a Filter whose a is null
    Break,
    Continue,
    Scope,        // body in its own output (generation blocks are pass-through)
  };
  Kind kind = Kind::Text;
  SourcePos pos;
  std::string text;
  ExprPtr expr;
  ExprPtr cond;                       // For: the loop filter
  std::vector<std::string> targets;   // For / Set: names; Set with attr: targets[0] is the namespace
  std::string attr;                   // Set: ns.attr = ...
  std::vector<ExprPtr> conds;         // If
  std::vector<Body> bodies;           // If
  Body body;
  Body else_body;
  std::string name;                                         // Macro
  std::vector<std::pair<std::string, ExprPtr>> params;      // Macro / CallBlock: name, default (may be null)
};

}  // namespace lac::chat::jinja
