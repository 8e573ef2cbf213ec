// Result<T>: a value or an error (kind + one-line message). ExecuTorch-style.
//
//   Result<int> parse(...) {
//     LAC_CHECK_OR_RETURN(n > 0, Error::InvalidCheckpoint, "%s: bad count %d", path, n);
//     return n;
//   }
//   LAC_ASSIGN_OR_RETURN(int n, parse(...));
#pragma once

#include <cstdarg>
#include <cstdio>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "runtime/core/error.h"

namespace lac {

// An error kind with its message. Messages are one line, no trailing period.
struct Status {
  Error kind = Error::Ok;
  std::string message;

  bool ok() const { return kind == Error::Ok; }
  // "invalid checkpoint: model.gguf: tensor 'x': data runs past end of file"
  std::string toString() const;
};

// printf-style message formatting used by the macros below.
std::string formatMessage(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// `message` with every control character escaped ("\n" -> "\\n", "\t" ->
// "\\t", others -> "\\xNN"): messages quote untrusted text (a config key, a
// tensor name, a dialog's role), and a message stays one line whatever it quotes.
std::string oneLine(std::string message);

inline Status makeError(Error kind, std::string message) { return Status{kind, oneLine(std::move(message))}; }

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}              // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}       // NOLINT: implicit by design

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Status& status() const { return std::get<1>(v_); }
  Error error() const { return ok() ? Error::Ok : status().kind; }
  const std::string& message() const { return status().message; }

 private:
  std::variant<T, Status> v_;
};

// Result<void>
template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Status status) : s_(std::move(status)) {}  // NOLINT
  bool ok() const { return s_.ok(); }
  explicit operator bool() const { return ok(); }
  const Status& status() const { return s_; }
  Error error() const { return s_.kind; }
  const std::string& message() const { return s_.message; }

 private:
  Status s_;
};

using VoidResult = Result<void>;

}  // namespace lac

#define LAC_CONCAT_INNER_(a, b) a##b
#define LAC_CONCAT_(a, b) LAC_CONCAT_INNER_(a, b)

// Return an error of `kind` with a printf-formatted message unless `cond` holds.
#define LAC_CHECK_OR_RETURN(cond, kind, ...)                                   \
  do {                                                                         \
    if (!(cond)) return ::lac::makeError((kind), ::lac::formatMessage(__VA_ARGS__)); \
  } while (0)

// Return an error unconditionally.
#define LAC_FAIL(kind, ...) return ::lac::makeError((kind), ::lac::formatMessage(__VA_ARGS__))

// Propagate the error of a Result<...> expression.
#define LAC_RETURN_IF_ERROR(expr)                      \
  do {                                                 \
    auto&& lac_r_ = (expr);                            \
    if (!lac_r_.ok()) return lac_r_.status();          \
  } while (0)

// `LAC_ASSIGN_OR_RETURN(auto x, f());` — declare and assign, or propagate the error.
#define LAC_ASSIGN_OR_RETURN(decl, expr)                                     \
  auto LAC_CONCAT_(lac_tmp_, __LINE__) = (expr);                             \
  if (!LAC_CONCAT_(lac_tmp_, __LINE__).ok())                                 \
    return LAC_CONCAT_(lac_tmp_, __LINE__).status();                         \
  decl = std::move(LAC_CONCAT_(lac_tmp_, __LINE__)).value()
