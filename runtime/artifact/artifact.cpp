#include "runtime/artifact/artifact.h"

#include <flatbuffers/flatbuffers.h>

#include <cstring>

#include "runtime/artifact/checksum.h"
#include "runtime/artifact/validate.h"

namespace lac::artifact {

namespace {

using ull = unsigned long long;

// Generous limits for a real vocabulary (one table per token) and schema depth.
constexpr size_t kMaxDepth = 64;
constexpr size_t kMaxTables = size_t(1) << 23;

std::string folderOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// The plan bytes: checksum, identifier, then the flatbuffer verifier.
VoidResult verifyPlanBytes(std::span<const uint8_t> plan, const Header& h, const char* n) {
  LAC_CHECK_OR_RETURN(!plan.empty(), Error::InvalidArtifact, "%s: the file has no plan (a weights-only file?)", n);
  uint64_t sum = xxh64(plan);
  LAC_CHECK_OR_RETURN(sum == h.plan_checksum, Error::InvalidArtifact,
                      "%s: plan checksum mismatch (header says %016llx, the %llu plan bytes hash to %016llx): the "
                      "file is corrupt",
                      n, (ull)h.plan_checksum, (ull)plan.size(), (ull)sum);
  LAC_CHECK_OR_RETURN(plan.size() >= 8 && flatbuffers::BufferHasIdentifier(plan.data(), plan::PlanIdentifier()),
                      Error::InvalidArtifact, "%s: the plan lacks the flatbuffer identifier '%s'", n,
                      plan::PlanIdentifier());
  LAC_CHECK_OR_RETURN(plan.size() < FLATBUFFERS_MAX_BUFFER_SIZE, Error::InvalidArtifact,
                      "%s: the plan is %llu bytes, more than a flatbuffer can hold", n, (ull)plan.size());
  flatbuffers::Verifier verifier(plan.data(), plan.size(), kMaxDepth, kMaxTables);
  LAC_CHECK_OR_RETURN(plan::VerifyPlanBuffer(verifier), Error::InvalidArtifact,
                      "%s: the plan fails flatbuffer verification (corrupt, or not a LAC plan)", n);
  return {};
}

}  // namespace

Result<Artifact> Artifact::open(const std::string& path, const OpenOptions& opts) {
  LAC_ASSIGN_OR_RETURN(std::shared_ptr<const MappedFile> file, MappedFile::open(path));
  std::span<const uint8_t> bytes = file->bytes();
  OpenOptions o = opts;
  if (o.weights_dir.empty()) o.weights_dir = folderOf(path);
  return fromBytes(bytes, std::move(file), path, o);
}

Result<Artifact> Artifact::fromBytes(std::span<const uint8_t> bytes, std::shared_ptr<const void> owner,
                                     const std::string& name, const OpenOptions& opts) {
  const char* n = name.c_str();
  Artifact a;
  a.owner_ = std::move(owner);
  a.file_ = bytes;
  a.name_ = name;
  LAC_ASSIGN_OR_RETURN(a.header_, parseHeader(bytes, name));
  LAC_CHECK_OR_RETURN(reinterpret_cast<uintptr_t>(bytes.data()) % kWeightAlignment == 0, Error::InvalidArgument,
                      "%s: artifact bytes in memory must start 64-byte aligned", n);
  a.plan_bytes_ = bytes.subspan(a.header_.plan_offset, a.header_.plan_bytes);
  LAC_RETURN_IF_ERROR(verifyPlanBytes(a.plan_bytes_, a.header_, n));
  a.plan_ = plan::GetPlan(a.plan_bytes_.data());
  ValidateOptions vopts;
  vopts.check_host_cpu = opts.check_host_cpu;
  LAC_RETURN_IF_ERROR(validatePlan(*a.plan_, name, vopts));
  LAC_RETURN_IF_ERROR(a.attachWeights(opts, "."));
  return a;
}

// Finds the blob the plan's weight table indexes and checks that it is the
// one the plan was written with (size and checksum, from a header: O(1)).
VoidResult Artifact::attachWeights(const OpenOptions& opts, const std::string& default_dir) {
  const char* n = name_.c_str();
  const plan::WeightBlob& want = *plan_->weight_blob();
  if (plan_->random_weights()) {
    LAC_CHECK_OR_RETURN(header_.weights_bytes == 0, Error::InvalidArtifact,
                        "%s: plan asks for random weights but the file holds a %llu-byte weight blob", n,
                        (ull)header_.weights_bytes);
    return {};
  }
  std::span<const uint8_t> blob;
  uint64_t checksum = 0;
  std::string source = name_;
  if (const flatbuffers::String* wf = plan_->weights_file()) {
    std::string file = wf->str();  // a plain file name (validatePlan)
    LAC_CHECK_OR_RETURN(header_.weights_bytes == 0, Error::InvalidArtifact,
                        "%s: plan names weights file '%s' but the file also holds a weight blob", n, file.c_str());
    source = (opts.weights_dir.empty() ? default_dir : opts.weights_dir) + "/" + file;
    LAC_ASSIGN_OR_RETURN(weights_file_, MappedFile::open(source));
    LAC_ASSIGN_OR_RETURN(Header wh, parseHeader(weights_file_->bytes(), source));
    LAC_CHECK_OR_RETURN(wh.plan_bytes == 0, Error::InvalidArtifact,
                        "%s: is a full artifact, not a weights file (it has a plan)", source.c_str());
    blob = weights_file_->bytes().subspan(wh.weights_offset, wh.weights_bytes);
    checksum = wh.weights_checksum;
  } else {
    blob = file_.subspan(header_.weights_offset, header_.weights_bytes);
    checksum = header_.weights_checksum;
  }
  LAC_CHECK_OR_RETURN(blob.size() == want.bytes() && checksum == want.checksum(), Error::InvalidArtifact,
                      "%s: weight blob in %s (%llu bytes, checksum %016llx) is not the one the plan was compiled "
                      "with (%llu bytes, checksum %016llx)",
                      n, source.c_str(), (ull)blob.size(), (ull)checksum, (ull)want.bytes(), (ull)want.checksum());
  blob_ = blob;
  return {};
}

std::span<const uint8_t> Artifact::weightBytes(uint32_t index) const {
  if (blob_.empty() || plan_->weights() == nullptr || index >= plan_->weights()->size()) return {};
  const plan::BlobSlice& s = *plan_->weights()->Get(index)->blob();
  return blob_.subspan(s.offset(), s.bytes());  // validated to lie inside
}

Result<uint32_t> Artifact::findWeight(std::string_view name) const {
  if (plan_->weights() != nullptr)
    for (uint32_t i = 0; i < plan_->weights()->size(); ++i)
      if (plan_->weights()->Get(i)->name()->string_view() == name) return i;
  LAC_FAIL(Error::NotFound, "%s: no weight named '%.*s'", name_.c_str(), int(name.size()), name.data());
}

VoidResult Artifact::verifyWeights() const {
  if (blob_.empty()) return {};
  const char* n = name_.c_str();
  if (plan_->weights() != nullptr) {
    for (uint32_t i = 0; i < plan_->weights()->size(); ++i) {
      const plan::Weight& w = *plan_->weights()->Get(i);
      uint64_t sum = xxh64(weightBytes(i));
      LAC_CHECK_OR_RETURN(sum == w.blob()->checksum(), Error::InvalidArtifact,
                          "%s: weight '%s' (%llu bytes at blob offset %llu): checksum mismatch (plan says %016llx, "
                          "data hashes to %016llx): the weight data is corrupt",
                          n, w.name()->c_str(), (ull)w.blob()->bytes(), (ull)w.blob()->offset(),
                          (ull)w.blob()->checksum(), (ull)sum);
    }
  }
  uint64_t sum = xxh64(blob_);
  LAC_CHECK_OR_RETURN(sum == plan_->weight_blob()->checksum(), Error::InvalidArtifact,
                      "%s: weight blob checksum mismatch (plan says %016llx, data hashes to %016llx)", n,
                      (ull)plan_->weight_blob()->checksum(), (ull)sum);
  return {};
}

}  // namespace lac::artifact
