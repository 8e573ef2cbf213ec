// GGUF container parsing (versions 2 and 3): header, metadata key/values and
// tensor infos. Knows nothing about Llama; gguf_reader.cpp turns a GgufFile
// into a ModelSpec.
//
// Layout (little-endian; gguf.md in the ggml repository):
//   u32 magic "GGUF" | u32 version | u64 tensor_count | u64 kv_count
//   kv_count x { string key | u32 value_type | value }
//   tensor_count x { string name | u32 n_dims | u64 ne[n_dims] | u32 ggml_type | u64 offset }
//   padding to general.alignment (default 32) | tensor data
// A string is { u64 length | bytes }; an array is { u32 elem_type | u64 count | elems }.
//
// Everything is bounds-checked: a corrupt or hostile file yields an error,
// never a crash or a huge allocation.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "runtime/core/mapped_file.h"
#include "runtime/core/result.h"

namespace lac::import {

// gguf_type: the metadata value types.
enum class GgufType : uint32_t {
  U8 = 0, I8 = 1, U16 = 2, I16 = 3, U32 = 4, I32 = 5, F32 = 6, Bool = 7,
  String = 8, Array = 9, U64 = 10, I64 = 11, F64 = 12,
};
const char* ggufTypeName(GgufType t);

struct GgufValue;
using GgufArray = std::vector<GgufValue>;

// One metadata value. Integers are widened to u64/i64, floats to double;
// `type` keeps the stored type (and `elem_type` the element type of arrays).
struct GgufValue {
  GgufType type = GgufType::U8;
  GgufType elem_type = GgufType::U8;  // arrays only
  std::variant<uint64_t, int64_t, double, bool, std::string, GgufArray> data;

  // Typed access; nullopt/nullptr when the value is not of that kind. asUint
  // accepts any non-negative integer, asInt any integer that fits in i64,
  // asFloat any float or integer.
  std::optional<uint64_t> asUint() const;
  std::optional<int64_t> asInt() const;
  std::optional<double> asFloat() const;
  std::optional<bool> asBool() const;
  const std::string* asString() const;
  const GgufArray* asArray() const;
};

struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> ne;  // GGML order: ne[0] is the innermost (contiguous) dimension
  uint32_t ggml_type = 0;    // raw id; the reader maps it to a DType
  uint64_t offset = 0;       // relative to GgufFile::data_offset
  uint64_t info_offset = 0;  // byte offset of this tensor info in the file (for messages)
};

struct GgufFile {
  std::string path;  // for messages
  uint32_t version = 0;
  uint64_t alignment = 32;
  uint64_t data_offset = 0;  // absolute byte offset of the tensor data section
  uint64_t file_size = 0;
  std::map<std::string, GgufValue> kv;
  std::vector<std::string> kv_order;  // keys in file order
  std::vector<GgufTensorInfo> tensors;

  const GgufValue* find(const std::string& key) const;
};

// Typed lookups for readers: nullopt (nullptr) when the key is absent, an
// InvalidCheckpoint error naming the key when it holds the wrong type.
Result<std::optional<uint32_t>> ggufU32(const GgufFile& f, const std::string& key);
Result<std::optional<double>> ggufFloat(const GgufFile& f, const std::string& key);
Result<std::optional<bool>> ggufBool(const GgufFile& f, const std::string& key);
Result<std::optional<std::string>> ggufString(const GgufFile& f, const std::string& key);
// An array whose elements are all of `elem` (any integer type when `elem` is I32).
Result<const GgufArray*> ggufArray(const GgufFile& f, const std::string& key, GgufType elem);

// Parses `bytes` (the whole file). `path` is only used in messages.
// The returned GgufFile does not reference `bytes`.
Result<GgufFile> parseGguf(std::span<const uint8_t> bytes, const std::string& path);

// Maps `path` and parses it; the map is returned too, for tensor views.
struct GgufMapped {
  std::shared_ptr<const MappedFile> file;
  GgufFile gguf;
};
Result<GgufMapped> openGguf(const std::string& path);

}  // namespace lac::import
