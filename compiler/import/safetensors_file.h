// Parsing a .safetensors file (Hugging Face's tensor container).
//
// Layout: u64 little-endian header length N, N bytes of JSON, then the data
// section. The JSON maps tensor names to {"dtype", "shape", "data_offsets":
// [begin, end]} with offsets relative to the data section; "__metadata__"
// holds free-form string pairs. Nothing is copied: entries point into the map.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/core/dtype.h"
#include "runtime/core/mapped_file.h"
#include "runtime/core/result.h"

namespace lac::import {

struct SafetensorsEntry {
  std::string name;
  DType dtype = DType::F32;
  std::vector<uint64_t> shape;  // outermost first
  uint64_t offset = 0;          // absolute byte offset in the file
  uint64_t bytes = 0;
};

struct SafetensorsHeader {
  uint64_t data_start = 0;                   // 8 + header length
  std::vector<SafetensorsEntry> tensors;     // sorted by offset
  std::map<std::string, std::string> metadata;  // "__metadata__" (string values only)
};

// The largest JSON header accepted (the format's own reader uses the same bound).
inline constexpr uint64_t kMaxSafetensorsHeaderBytes = 100u << 20;

// Parses and checks the header of `bytes` (a whole file). `name` prefixes
// error messages. Checks: header length within the file and the bound above,
// valid JSON object, supported dtype (F32/F16/BF16), begin <= end <= data size,
// end - begin == numel * element size, no two tensors overlapping.
Result<SafetensorsHeader> parseSafetensors(std::span<const uint8_t> bytes, const std::string& name);

// A mapped .safetensors file with its parsed header.
struct SafetensorsFile {
  std::shared_ptr<const MappedFile> file;
  SafetensorsHeader header;
};

Result<SafetensorsFile> openSafetensors(const std::string& path);

}  // namespace lac::import
