// Element types of tensors, in checkpoints and in artifacts.
//
// Quantized types are stored in blocks of `blockElems` elements taking
// `blockBytes` bytes, laid out along the innermost (last) dimension exactly
// as GGML defines them (ggml-common.h): Q8_0 = {f16 d; i8 qs[32]} etc.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace lac {

enum class DType : uint8_t {
  F32, F16, BF16,
  Q8_0, Q4_0, Q4_1, Q5_0, Q5_1,
  Q4_K, Q5_K, Q6_K,
  I32,  // token ids and similar; never a weight
};

struct DTypeInfo {
  std::string_view name;  // "f32", "q4_1", ...
  uint32_t blockElems;    // 1 for scalar types
  uint32_t blockBytes;    // bytes per block (per element for scalar types)
  bool quantized;
};

const DTypeInfo& dtypeInfo(DType t);
inline std::string_view dtypeName(DType t) { return dtypeInfo(t).name; }
std::optional<DType> dtypeFromName(std::string_view name);

// Bytes taken by `elems` elements of type t laid out in one row; nullopt when
// `elems` is not a whole number of blocks.
std::optional<uint64_t> rowBytes(DType t, uint64_t elems);

// GGML's numeric type ids (ggml.h enum ggml_type), as stored in GGUF.
std::optional<DType> dtypeFromGgmlType(uint32_t ggml_type);
uint32_t ggmlTypeOf(DType t);

}  // namespace lac
