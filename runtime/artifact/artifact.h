// A loaded `.lac` artifact: the file mapped read-only, its header and plan
// checked, the weights left in place. Opening costs the checks, nothing more:
// no weight is read or converted (weight checksums are checked on demand by
// verifyWeights()).
//
//   LAC_ASSIGN_OR_RETURN(Artifact a, Artifact::open("model.lac"));
//   const plan::Plan& p = a.plan();
//   std::span<const uint8_t> w = a.weightBytes(3);  // in the mapped file
//
// Checks, in order (docs/FORMAT.md lists each error): header (size, magic,
// version, offsets inside the file and aligned), plan checksum, flatbuffer
// identifier and flatbuffers::Verifier, semantic validation (validate.h),
// then the weight blob (embedded, external file, or none for random weights)
// against the plan's size and checksum.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "runtime/artifact/format.h"
#include "runtime/artifact/plan.h"
#include "runtime/core/mapped_file.h"
#include "runtime/core/result.h"

namespace lac::artifact {

struct OpenOptions {
  // Refuse a plan that needs a CPU feature this CPU lacks (validate.h).
  bool check_host_cpu = true;
  // Folder holding Plan.weights_file; empty: the artifact's own folder
  // (the current folder for in-memory artifacts).
  std::string weights_dir;
};

class Artifact {
 public:
  // Maps and checks `path`. NotFound/IoError for an unreadable file,
  // InvalidArtifact for a corrupt one, Unsupported for another version, a
  // kernel, dtype or CPU feature this runtime or machine lacks.
  static Result<Artifact> open(const std::string& path, const OpenOptions& opts = {});

  // The same checks on bytes already in memory (tests, fuzzing). `bytes` must
  // start 64-byte aligned and stay valid while `owner` (may be null) lives;
  // `name` names the artifact in messages.
  static Result<Artifact> fromBytes(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                                    const std::string& name, const OpenOptions& opts = {});

  const plan::Plan& plan() const { return *plan_; }
  const Header& header() const { return header_; }
  const std::string& name() const { return name_; }
  std::span<const uint8_t> planBytes() const { return plan_bytes_; }

  // True for a plan compiled with --no-weights: there are no weight bytes and
  // the engine fills each weight (Plan.weights[i].blob.bytes) with random data.
  bool randomWeights() const { return plan_->random_weights(); }
  // The whole weight blob (embedded or from the weights file); empty for
  // random weights.
  std::span<const uint8_t> weightBlob() const { return blob_; }
  // Weight `index`'s bytes, 64-byte aligned; empty for random weights or an
  // index out of range.
  std::span<const uint8_t> weightBytes(uint32_t index) const;
  // The index of the weight called `name`, or NotFound.
  Result<uint32_t> findWeight(std::string_view name) const;

  // Recomputes every weight's checksum and the blob's: O(blob size).
  // InvalidArtifact naming the first corrupt weight.
  VoidResult verifyWeights() const;

 private:
  Artifact() = default;
  VoidResult attachWeights(const OpenOptions& opts, const std::string& default_dir);

  std::shared_ptr<const void> owner_;                  // keeps the .lac bytes alive
  std::shared_ptr<const MappedFile> weights_file_;     // Plan.weights_file, when used
  std::span<const uint8_t> file_;
  std::span<const uint8_t> plan_bytes_;
  std::span<const uint8_t> blob_;
  Header header_{};
  const plan::Plan* plan_ = nullptr;
  std::string name_;
};

}  // namespace lac::artifact
