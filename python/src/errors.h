// lac::Status -> Python exceptions, shared by lac._runtime and lac._compiler.
//
//   InvalidArgument    ValueError
//   NotFound           FileNotFoundError
//   IoError            OSError
//   InvalidCheckpoint  lac.InvalidCheckpointError (ValueError)
//   InvalidArtifact    lac.InvalidArtifactError  (ValueError)
//   Unsupported        lac.UnsupportedError      (ValueError)
//   Cancelled          lac.CancelledError        (RuntimeError)
//   Internal, Busy     RuntimeError
//
// The message is the runtime's one line. The lac.* classes are created once,
// by lac._runtime (registerErrors); lac._compiler borrows them (useErrorsOf).
// raise() and unwrap() need the GIL.
#pragma once

#include <nanobind/nanobind.h>

#include <utility>

#include "runtime/core/result.h"

namespace lac::python {

// Creates the lac.* exception classes as attributes of `m`.
void registerErrors(nanobind::module_& m);
// Uses the classes registerErrors put on `runtime` (the imported lac._runtime).
void useErrorsOf(nanobind::module_ runtime);

[[noreturn]] void raise(const Status& s);

template <typename T>
T unwrap(Result<T>&& r) {
  if (!r.ok()) raise(r.status());
  return std::move(r).value();
}
inline void unwrap(VoidResult&& r) {
  if (!r.ok()) raise(r.status());
}

}  // namespace lac::python
