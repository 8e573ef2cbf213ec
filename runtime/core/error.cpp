#include "runtime/core/error.h"

namespace lac {

std::string_view errorName(Error e) {
  switch (e) {
    case Error::Ok: return "ok";
    case Error::InvalidArgument: return "invalid argument";
    case Error::NotFound: return "not found";
    case Error::IoError: return "i/o error";
    case Error::InvalidCheckpoint: return "invalid checkpoint";
    case Error::Unsupported: return "unsupported";
    case Error::InvalidArtifact: return "invalid artifact";
    case Error::Internal: return "internal error";
    case Error::Busy: return "busy";
    case Error::Cancelled: return "cancelled";
  }
  return "unknown error";
}

int exitCodeFor(Error e) {
  switch (e) {
    case Error::Ok: return 0;
    case Error::InvalidArgument: return 2;
    case Error::NotFound:
    case Error::IoError: return 3;
    case Error::InvalidCheckpoint: return 4;
    case Error::Unsupported: return 5;
    case Error::InvalidArtifact: return 6;
    case Error::Internal: return 70;
    case Error::Busy: return 75;
    case Error::Cancelled: return 130;
  }
  return 70;
}

}  // namespace lac

#include <cstdarg>
#include <cstdio>

#include "runtime/core/result.h"

namespace lac {

std::string Status::toString() const {
  if (ok()) return "ok";
  return std::string(errorName(kind)) + ": " + message;
}

std::string formatMessage(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  va_list ap2;
  va_copy(ap2, ap);
  int n = std::vsnprintf(nullptr, 0, fmt, ap);
  va_end(ap);
  std::string out;
  if (n > 0) {
    out.resize(static_cast<size_t>(n) + 1);
    std::vsnprintf(out.data(), out.size(), fmt, ap2);
    out.resize(static_cast<size_t>(n));
  }
  va_end(ap2);
  return out;
}

std::string oneLine(std::string message) {
  bool clean = true;
  for (char c : message) clean &= !(static_cast<unsigned char>(c) < 0x20 || c == 0x7f);
  if (clean) return message;
  std::string out;
  out.reserve(message.size() + 16);
  for (char c : message) {
    const unsigned char u = static_cast<unsigned char>(c);
    if (c == '\n') {
      out += "\\n";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c == '\r') {
      out += "\\r";
    } else if (u < 0x20 || u == 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace lac
