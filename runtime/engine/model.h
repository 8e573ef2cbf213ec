// The runtime's model interface: what generation needs from an executor.
//
// An executor (the CPU one in runtime/engine/cpu_engine.h; a CUDA one later)
// runs a compiled plan's entry points over a KV cache with `max_batch`
// sequence slots of `max_seq_len` positions each. Generation
// (runtime/generate/) drives it through this interface only, so it can be
// tested against a fake model.
//
// Positions are absolute within a slot: prefill(slot, tokens, start) writes
// K/V for positions [start, start + tokens.size()) and attends causally over
// [0, start + i]. A slot's earlier positions must have been filled first.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "runtime/core/result.h"

namespace lac::engine {

// Sampling an engine may do where its logits are (the CUDA engine, on the
// GPU): temperature, top-k, top-p by the CPU Sampler's rule (runtime/sampling)
// and no penalty or min-p; the random draw comes from the caller.
struct DeviceSampling {
  float temperature = 0.0f;  // 0: greedy argmax
  float top_p = 1.0f;        // 1: off
  int32_t top_k = 0;         // 0: off
};

struct ModelLimits {
  uint32_t vocab_size = 0;
  uint32_t max_batch = 0;    // sequence slots in the KV cache
  uint32_t max_seq_len = 0;  // positions per slot
};

class Model {
 public:
  virtual ~Model() = default;

  virtual const ModelLimits& limits() const = 0;

  // Runs the prompt (or a continuation of it) of one sequence in one pass and
  // returns the logits of its last token: [vocab_size] f32, valid until the
  // next call. InvalidArgument when start + tokens.size() > max_seq_len, a
  // token id is outside the vocabulary, or the slot does not exist.
  virtual Result<std::span<const float>> prefill(uint32_t slot, std::span<const int32_t> tokens,
                                                 uint32_t start_pos) = 0;

  // One new token for each listed slot, at the given positions; returns the
  // logits [slots.size(), vocab_size] f32, row i for slots[i], valid until the
  // next call.
  virtual Result<std::span<const float>> decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                std::span<const uint32_t> positions) = 0;

  // Whether decodeSampled() is served (default: no; generation then samples
  // decode()'s logits on the host).
  virtual bool samplesOnDevice() const { return false; }
  // decode(), then one token per listed slot sampled where the logits are,
  // with `uniforms[i]` in [0, 1) as row i's draw (unread when greedy); only
  // the tokens come back: [slots.size()] ids, valid until the next call.
  virtual Result<std::span<const int32_t>> decodeSampled(std::span<const uint32_t> slots,
                                                         std::span<const int32_t> tokens,
                                                         std::span<const uint32_t> positions,
                                                         const DeviceSampling& sampling,
                                                         std::span<const float> uniforms) {
    LAC_FAIL(Error::Unsupported, "this model does not sample on its device");
  }
};

}  // namespace lac::engine
