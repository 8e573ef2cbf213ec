// Error kinds shared by the compiler's importers and the runtime.
//
// Library code never exits or throws across its API: it returns a Result<T>
// (result.h) whose error carries one of these kinds and a one-line message
// naming the file, tensor and byte offset where that applies. Tools map the
// kind to a documented exit code (exitCodeFor).
#pragma once

#include <string>
#include <string_view>

namespace lac {

enum class Error {
  Ok = 0,
  InvalidArgument,    // a bad option or parameter from the user
  NotFound,           // a file or folder that is not there
  IoError,            // open/read/write/mmap failed
  InvalidCheckpoint,  // a checkpoint that is truncated, corrupt or inconsistent
  Unsupported,        // well-formed input that this build cannot handle (dtype, version)
  InvalidArtifact,    // a .lac file that is truncated, corrupt or of another version
  Internal,           // a bug in LAC
  Busy,               // a bounded queue is full: try again later
  Cancelled,          // the caller asked the work to stop (GenerateOptions::cancel)
};

// Short lower-case name of an error kind ("invalid checkpoint").
std::string_view errorName(Error e);

// Process exit code for an error kind; see docs/CLI.md.
//   0 ok, 2 invalid argument, 3 not found / io, 4 invalid checkpoint,
//   5 unsupported, 6 invalid artifact, 70 internal, 75 busy (EX_TEMPFAIL),
//   130 cancelled (as an interrupted command).
int exitCodeFor(Error e);

}  // namespace lac
