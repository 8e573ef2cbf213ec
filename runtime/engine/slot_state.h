// SlotState: which KV cache positions of each sequence slot hold K/V, and the
// argument checks of Model::prefill / Model::decode (model.h) that follow
// from it. Shared by every engine so they refuse the same calls with the same
// messages.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "runtime/core/result.h"
#include "runtime/engine/model.h"

namespace lac::engine {

class SlotState {
 public:
  void reset(const ModelLimits& limits);

  // InvalidArgument unless prefill(slot, tokens, start_pos) is a valid call.
  VoidResult checkPrefill(uint32_t slot, std::span<const int32_t> tokens, uint32_t start_pos) const;
  // InvalidArgument unless decode(slots, tokens, positions) is a valid call.
  VoidResult checkDecode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                         std::span<const uint32_t> positions);

  // Positions [0, end) of `slot` now hold K/V.
  void filled(uint32_t slot, uint32_t end) { filled_[slot] = end; }

 private:
  VoidResult checkTokens(std::span<const int32_t> tokens) const;

  ModelLimits limits_;
  std::vector<uint32_t> filled_;      // per slot: positions [0, filled) hold K/V
  std::vector<uint8_t> decode_seen_;  // per slot, duplicate check
};

}  // namespace lac::engine
