#include "runtime/generate/fake_model.h"

namespace lac::generate::testing {

std::vector<float> fakeLogits(uint32_t vocab, int32_t last, uint32_t pos, float bump) {
  std::vector<float> l(vocab);
  for (uint32_t v = 0; v < vocab; ++v) l[v] = 0.25f * float((v * 3 + uint32_t(last) * 5 + pos) % 7);
  l[(uint32_t(last) + 1) % vocab] += bump;
  return l;
}

FakeModel::FakeModel(uint32_t vocab, uint32_t max_batch, uint32_t max_seq_len, float bump)
    : history(max_batch), limits_{vocab, max_batch, max_seq_len}, bump_(bump) {}

Result<std::span<const float>> FakeModel::prefill(uint32_t slot, std::span<const int32_t> tokens,
                                                  uint32_t start_pos) {
  calls.push_back({false, {slot}, {tokens.begin(), tokens.end()}, {start_pos}});
  LAC_CHECK_OR_RETURN(slot < limits_.max_batch, Error::InvalidArgument, "fake: slot %u", slot);
  LAC_CHECK_OR_RETURN(!tokens.empty() && start_pos + tokens.size() <= limits_.max_seq_len,
                      Error::InvalidArgument, "fake: prefill of %zu tokens at %u", tokens.size(), start_pos);
  auto& h = history[slot];
  LAC_CHECK_OR_RETURN(start_pos <= h.size(), Error::InvalidArgument, "fake: slot %u gap before %u", slot,
                      start_pos);
  h.resize(start_pos);
  for (int32_t t : tokens) {
    LAC_CHECK_OR_RETURN(t >= 0 && uint32_t(t) < limits_.vocab_size, Error::InvalidArgument, "fake: token %d", t);
    h.push_back(t);
  }
  out_ = fakeLogits(limits_.vocab_size, h.back(), uint32_t(h.size() - 1), bump_);
  return std::span<const float>(out_);
}

Result<std::span<const float>> FakeModel::decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                 std::span<const uint32_t> positions) {
  calls.push_back({true, {slots.begin(), slots.end()}, {tokens.begin(), tokens.end()},
                   {positions.begin(), positions.end()}});
  LAC_CHECK_OR_RETURN(slots.size() == tokens.size() && slots.size() == positions.size() && !slots.empty(),
                      Error::InvalidArgument, "fake: decode sizes");
  out_.clear();
  for (size_t i = 0; i < slots.size(); ++i) {
    LAC_CHECK_OR_RETURN(slots[i] < limits_.max_batch, Error::InvalidArgument, "fake: slot %u", slots[i]);
    auto& h = history[slots[i]];
    LAC_CHECK_OR_RETURN(positions[i] == h.size() && positions[i] < limits_.max_seq_len, Error::InvalidArgument,
                        "fake: slot %u decode at %u, has %zu", slots[i], positions[i], h.size());
    h.push_back(tokens[i]);
    auto row = fakeLogits(limits_.vocab_size, tokens[i], positions[i], bump_);
    out_.insert(out_.end(), row.begin(), row.end());
  }
  return std::span<const float>(out_);
}

}  // namespace lac::generate::testing
