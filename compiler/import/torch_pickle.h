// Reading the tensor table out of a torch.save checkpoint's data.pkl.
//
// A RESTRICTED unpickler: it understands only the opcodes that torch.save
// writes for a state dict (protocol 2) and only these globals:
//   collections.OrderedDict, torch._utils._rebuild_tensor_v2,
//   torch._utils._rebuild_parameter, torch.{BFloat16,Half,Float}Storage.
// It never executes anything: it builds a small value tree and reads tensors
// out of it. Any other global is refused by name, any other opcode by value.
// Storages are persistent ids ('storage', StorageType, key, location, numel);
// their bytes live in the zip entry "<archive>/data/<key>".
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/core/dtype.h"
#include "runtime/core/result.h"

namespace lac::import {

struct PickledTensor {
  std::string name;              // the state-dict key, "layers.0.attention.wq.weight"
  std::string storage_key;       // "3": data in zip entry "<archive>/data/3"
  DType dtype = DType::F32;      // from the storage type
  uint64_t storage_offset = 0;   // in elements
  uint64_t storage_numel = 0;    // elements in the whole storage
  std::vector<uint64_t> shape;   // outermost first
  std::vector<uint64_t> stride;  // in elements; always contiguous (checked)
};

// Decodes `pickle` (the bytes of data.pkl): a dict or OrderedDict of name ->
// tensor, in pickle order. `where` ("consolidated.00.pth:archive/data.pkl")
// prefixes error messages, which name the byte offset of a bad opcode.
Result<std::vector<PickledTensor>> readTorchStateDict(std::span<const uint8_t> pickle, const std::string& where);

}  // namespace lac::import
