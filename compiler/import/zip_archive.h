// A read-only ZIP reader over bytes already in memory (usually a MappedFile).
//
// Enough for what torch.save writes (PyTorchStreamWriter, miniz): ZIP64
// end-of-central-directory records, a central directory, local headers, and
// STORED (uncompressed, method 0) entries whose data is used in place. Any
// compressed or encrypted entry is refused by name. Every offset and size is
// bounds-checked against the bytes; nothing is copied.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runtime/core/mapped_file.h"
#include "runtime/core/result.h"

namespace lac::import {

struct ZipEntry {
  std::string name;          // "archive/data/0"
  uint64_t data_offset = 0;  // first byte of the entry's data in the archive
  uint64_t size = 0;         // bytes of data (stored: compressed == uncompressed)
};

class ZipArchive {
 public:
  // Parses the archive in `file`; the archive keeps `file` alive.
  static Result<ZipArchive> open(std::shared_ptr<const MappedFile> file);
  // Parses `bytes` (which must outlive the archive); `where` names it in errors.
  static Result<ZipArchive> parse(std::span<const uint8_t> bytes, std::string where);

  const std::vector<ZipEntry>& entries() const { return entries_; }
  const ZipEntry* find(std::string_view name) const;  // nullptr when absent
  std::span<const uint8_t> data(const ZipEntry& e) const { return bytes_.subspan(e.data_offset, e.size); }
  const std::string& where() const { return where_; }
  const std::shared_ptr<const MappedFile>& file() const { return file_; }

 private:
  std::shared_ptr<const MappedFile> file_;
  std::span<const uint8_t> bytes_;
  std::string where_;
  std::vector<ZipEntry> entries_;
};

}  // namespace lac::import
