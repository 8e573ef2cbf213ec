#include "runtime/engine/slot_state.h"

#include <algorithm>

namespace lac::engine {

using ull = unsigned long long;

void SlotState::reset(const ModelLimits& limits) {
  limits_ = limits;
  filled_.assign(limits.max_batch, 0);
  decode_seen_.assign(limits.max_batch, 0);
}

VoidResult SlotState::checkTokens(std::span<const int32_t> tokens) const {
  for (size_t i = 0; i < tokens.size(); ++i)
    LAC_CHECK_OR_RETURN(tokens[i] >= 0 && uint32_t(tokens[i]) < limits_.vocab_size, Error::InvalidArgument,
                        "token %zu is id %d, outside the vocabulary [0, %u)", i, tokens[i], limits_.vocab_size);
  return {};
}

VoidResult SlotState::checkPrefill(uint32_t slot, std::span<const int32_t> tokens, uint32_t start_pos) const {
  LAC_CHECK_OR_RETURN(slot < limits_.max_batch, Error::InvalidArgument, "slot %u is not below the max batch %u",
                      slot, limits_.max_batch);
  LAC_CHECK_OR_RETURN(!tokens.empty(), Error::InvalidArgument, "prefill of slot %u has no tokens", slot);
  LAC_CHECK_OR_RETURN(uint64_t(start_pos) + tokens.size() <= limits_.max_seq_len, Error::InvalidArgument,
                      "positions %u..%llu of slot %u run past the max sequence length %u", start_pos,
                      (ull)(start_pos + tokens.size() - 1), slot, limits_.max_seq_len);
  LAC_CHECK_OR_RETURN(start_pos <= filled_[slot], Error::InvalidArgument,
                      "prefill of slot %u starts at position %u, but only positions below %u are filled", slot,
                      start_pos, filled_[slot]);
  return checkTokens(tokens);
}

VoidResult SlotState::checkDecode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                  std::span<const uint32_t> positions) {
  LAC_CHECK_OR_RETURN(slots.size() == tokens.size() && slots.size() == positions.size(), Error::InvalidArgument,
                      "decode got %zu slots, %zu tokens and %zu positions; they must match", slots.size(),
                      tokens.size(), positions.size());
  LAC_CHECK_OR_RETURN(!slots.empty() && slots.size() <= limits_.max_batch, Error::InvalidArgument,
                      "decode of %zu sequences; the engine holds 1..%u", slots.size(), limits_.max_batch);
  LAC_RETURN_IF_ERROR(checkTokens(tokens));
  std::fill(decode_seen_.begin(), decode_seen_.end(), 0);
  for (size_t i = 0; i < slots.size(); ++i) {
    const uint32_t s = slots[i], pos = positions[i];
    LAC_CHECK_OR_RETURN(s < limits_.max_batch, Error::InvalidArgument, "slot %u is not below the max batch %u", s,
                        limits_.max_batch);
    LAC_CHECK_OR_RETURN(!decode_seen_[s], Error::InvalidArgument, "slot %u is listed twice in one decode", s);
    decode_seen_[s] = 1;
    LAC_CHECK_OR_RETURN(pos < limits_.max_seq_len, Error::InvalidArgument,
                        "position %u of slot %u is not below the max sequence length %u", pos, s,
                        limits_.max_seq_len);
    LAC_CHECK_OR_RETURN(pos <= filled_[s], Error::InvalidArgument,
                        "decode of slot %u at position %u, but only positions below %u are filled", s, pos,
                        filled_[s]);
  }
  return {};
}

}  // namespace lac::engine
