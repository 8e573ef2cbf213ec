// Test double: a deterministic engine::Model.
//
// The logits of a slot depend only on its last token `t` and that token's
// position `p` (fakeLogits): a small pattern, plus `bump` on (t + 1) % vocab,
// so greedy decoding counts upwards. The fake keeps each slot's tokens and
// checks that positions follow on (as a KV cache needs), and records every
// call so tests can see how generation drove it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "runtime/engine/model.h"

namespace lac::generate::testing {

// [vocab] logits after token `last` at position `pos`.
std::vector<float> fakeLogits(uint32_t vocab, int32_t last, uint32_t pos, float bump);

struct FakeCall {
  bool decode = false;
  std::vector<uint32_t> slots;
  std::vector<int32_t> tokens;
  std::vector<uint32_t> positions;  // prefill: the start position only
};

class FakeModel : public engine::Model {
 public:
  FakeModel(uint32_t vocab, uint32_t max_batch, uint32_t max_seq_len, float bump = 4.0f);

  const engine::ModelLimits& limits() const override { return limits_; }
  Result<std::span<const float>> prefill(uint32_t slot, std::span<const int32_t> tokens,
                                         uint32_t start_pos) override;
  Result<std::span<const float>> decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                        std::span<const uint32_t> positions) override;

  std::vector<FakeCall> calls;
  std::vector<std::vector<int32_t>> history;  // per slot

 private:
  engine::ModelLimits limits_;
  float bump_;
  std::vector<float> out_;
};

}  // namespace lac::generate::testing
