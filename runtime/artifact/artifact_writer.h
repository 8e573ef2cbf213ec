// Writes a `.lac` file: header + plan + page-aligned weight blob.
//
// It lives in the runtime, beside the loader, rather than in compiler/emit/:
// it is plain C++ (no MLIR), it shares format.h and the checksum with the
// loader so the two cannot drift, and the runtime's own tests (and tools
// such as a random-weights converter) write artifacts without the compiler.
// compiler/emit/ builds the plan and calls writeArtifact.
//
// The caller builds a finished plan (plan.fbs) whose weight table already
// says where each weight goes (Weight.blob.offset/bytes, WeightBlob.bytes);
// the writer streams each weight's bytes from `source` into place, computes
// the checksums and patches them into the plan (Weight.blob.checksum,
// WeightBlob.checksum), then the header. Everything goes to temporary files
// beside the target that are renamed into place at the end, so a failed
// write never leaves a half-written artifact behind.
//
// Plan.weights_file set (--weights-out): the blob goes to that file, in the
// .lac's folder, as a weights-only file (same header, no plan).
// Plan.random_weights set (--no-weights): no blob; `source` is not called.
#pragma once

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <functional>
#include <span>
#include <string>

#include "runtime/core/result.h"

namespace lac::artifact {

// Receives one weight's bytes, in as many pieces as the producer likes.
class WeightSink {
 public:
  virtual ~WeightSink() = default;
  virtual VoidResult write(std::span<const uint8_t> bytes) = 0;
};

// Produces weight `index` (of Plan.weights): must write exactly
// Weight.blob.bytes bytes to `sink`. Called once per weight, in blob order.
using WeightSource = std::function<VoidResult(uint32_t index, WeightSink& sink)>;

// Writes the artifact to `path`. The plan must pass the loader's checks
// (verifier and validatePlan, except the host CPU check): the writer refuses
// to produce a file the runtime would refuse. IoError for unwritable paths.
VoidResult writeArtifact(const std::string& path, std::span<const uint8_t> plan, const WeightSource& source);

inline VoidResult writeArtifact(const std::string& path, const flatbuffers::FlatBufferBuilder& fbb,
                                const WeightSource& source) {
  return writeArtifact(path, std::span<const uint8_t>(fbb.GetBufferPointer(), fbb.GetSize()), source);
}

}  // namespace lac::artifact
