// A read-only memory map of a whole file, shared by everything that views it.
//
// Checkpoint tensors and artifact weights are views into such maps: nothing
// is copied at load time. Hold the shared_ptr as long as a view is used.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/core/result.h"

namespace lac {

class MappedFile {
 public:
  // Maps `path` read-only. An empty file maps to an empty span.
  static Result<std::shared_ptr<const MappedFile>> open(const std::string& path);

  // Bytes already in memory, viewed as a file named `name` (a slice the
  // compiler cut out of a checkpoint tensor: compiler/import/tensor_slice.h).
  static std::shared_ptr<const MappedFile> fromBytes(std::vector<uint8_t> bytes, std::string name);

  ~MappedFile();
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  std::span<const uint8_t> bytes() const { return {data_, size_}; }
  const std::string& path() const { return path_; }

 private:
  MappedFile() = default;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  std::string path_;
  std::vector<uint8_t> owned_;  // fromBytes: the bytes (nothing is mapped)
};

// Bounds-checked little-endian cursor over bytes, for parsing binary formats.
// Every read fails (returns false) instead of running past the end; `offset()`
// names the byte where a parse went wrong.
class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> bytes, size_t start = 0) : bytes_(bytes), pos_(start) {}

  size_t offset() const { return pos_; }
  size_t size() const { return bytes_.size(); }
  size_t remaining() const { return pos_ <= bytes_.size() ? bytes_.size() - pos_ : 0; }
  bool seek(size_t pos) {
    if (pos > bytes_.size()) return false;
    pos_ = pos;
    return true;
  }
  bool skip(size_t n) {
    if (n > remaining()) return false;
    pos_ += n;
    return true;
  }

  template <typename T>
  bool read(T& out) {  // trivially-copyable little-endian scalar
    if (sizeof(T) > remaining()) return false;
    __builtin_memcpy(&out, bytes_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool readBytes(size_t n, std::span<const uint8_t>& out) {
    if (n > remaining()) return false;
    out = bytes_.subspan(pos_, n);
    pos_ += n;
    return true;
  }
  bool readString(size_t n, std::string& out) {
    if (n > remaining()) return false;
    out.assign(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
    pos_ += n;
    return true;
  }

 private:
  std::span<const uint8_t> bytes_;
  size_t pos_;
};

}  // namespace lac
