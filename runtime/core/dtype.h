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
  // LAC's own GPU-friendly int4, groups of 32 (no GGML counterpart). One row
  // of `in` elements is planar: qs[in/2] (element 2i in the low nibble of
  // byte i, 2i+1 in the high), then d[in/32] f16, then m[in/32] f16;
  // value(i) = d[i/32] * nibble(i) + m[i/32]. GGUF q4_0 (m = -8 d) and q4_1
  // repack into it losslessly. Per 32 elements: 16 + 2 + 2 = 20 bytes, so
  // rowBytes() works as for the block types.
  Q4_G32,
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
