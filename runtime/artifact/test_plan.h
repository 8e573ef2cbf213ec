// Test helpers: a tiny, complete, valid plan (one decoder layer, every
// section filled) as an object-API PlanT that tests edit before packing, its
// deterministic weight bytes, and raw file assembly that bypasses the
// writer's checks (to make corrupt artifacts on purpose).
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "runtime/artifact/artifact.h"
#include "runtime/artifact/artifact_writer.h"
#include "runtime/artifact/plan.h"

namespace lac::artifact::testing {

// dim 32, 1 layer, 2 heads, 1 kv head, head_dim 16, ffn 64, vocab 16;
// gpt2_bpe tokenizer, chatml chat, weights in f32/f16/q8_0/q4_0,
// entry points "prefill" (16 tokens) and "decode" (1 token).
std::unique_ptr<plan::PlanT> makeTestPlan();

// Packs a plan (no validation).
std::vector<uint8_t> pack(const plan::PlanT& p);

// Byte j of weight i: a fixed pattern.
std::vector<uint8_t> weightBytes(uint32_t index, uint64_t bytes);
// A WeightSource writing weightBytes(i, bytes) for `p`'s weights, in 2 pieces.
WeightSource testSource(const plan::PlanT& p);

// header + plan + blob (at the next 4096 boundary) with correct checksums;
// fills every weight's and the blob's checksum in a copy of `p` first
// unless `keep_checksums`.
std::vector<uint8_t> assemble(const plan::PlanT& p, bool keep_checksums = false);

// Artifact::fromBytes on a 64-byte aligned copy of `file`.
Result<Artifact> load(std::span<const uint8_t> file, const OpenOptions& opts = {});

// A fresh empty folder under the test temp dir.
std::string tempDir(const std::string& name);

}  // namespace lac::artifact::testing
