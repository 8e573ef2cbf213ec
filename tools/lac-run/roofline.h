// The memory roofline of decode: what one decode step reads and how fast
// this machine reads memory. A batch-B decode step of a memory-bound model
// reads every weight once and each sequence's KV cache once, so
//   tokens/s <= B * bandwidth / (weight_bytes + B * kv_bytes_per_position * context).
#pragma once

#include <cstdint>

#include "runtime/artifact/plan.h"

namespace lac::run {

struct DecodeTraffic {
  uint64_t weight_bytes = 0;           // per step: each weight the decode steps read (embed: one row)
  uint64_t kv_bytes_per_position = 0;  // per sequence and context position: K and V of every layer, f32
};

// (A tensor-parallel plan's: one rank's slices of the weights and KV cache.)
DecodeTraffic decodeTraffic(const plan::Plan& p);

// The collective steps of one decode step (tensor parallel; 0 otherwise).
uint32_t collectivesPerDecodeStep(const plan::Plan& p);

// Bytes one decode step of `batch` sequences at `context` positions reads.
inline double decodeStepBytes(const DecodeTraffic& t, uint32_t batch, double context) {
  return double(t.weight_bytes) + double(batch) * double(t.kv_bytes_per_position) * context;
}

// This machine's read bandwidth in GB/s (1e9 bytes): `threads` threads each
// sum their slice of a `bytes` buffer (much larger than the caches); the
// best of `passes` passes.
double measureReadBandwidth(int threads, uint64_t bytes = uint64_t(256) << 20, int passes = 5);

}  // namespace lac::run
