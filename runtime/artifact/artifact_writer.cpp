#include "runtime/artifact/artifact_writer.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "runtime/artifact/checksum.h"
#include "runtime/artifact/format.h"
#include "runtime/artifact/plan.h"
#include "runtime/artifact/validate.h"

namespace lac::artifact {

namespace {

using ull = unsigned long long;

std::string folderOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// ---------------------------------------------------------------------------
// A temporary file beside `target`, written sequentially (buffered) and
// patched in place with writeAt; renamed onto `target` by commit(), removed
// if never committed.
class OutFile {
 public:
  static Result<std::unique_ptr<OutFile>> create(const std::string& target) {
    // Not mkstemp: its files are 0600; this one gets the usual umask'd mode.
    static std::atomic<uint32_t> counter{0};
    std::string tmp;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; ++attempt) {
      tmp = target + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
      fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd < 0 && errno != EEXIST) break;
    }
    LAC_CHECK_OR_RETURN(fd >= 0, Error::IoError, "%s: cannot create a temporary file beside it: %s", target.c_str(),
                        std::strerror(errno));
    FILE* f = ::fdopen(fd, "wb");
    if (f == nullptr) {
      int e = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      LAC_FAIL(Error::IoError, "%s: cannot open for writing: %s", tmp.c_str(), std::strerror(e));
    }
    std::setvbuf(f, nullptr, _IOFBF, size_t(1) << 20);
    return std::unique_ptr<OutFile>(new OutFile(target, tmp, f));
  }

  ~OutFile() {
    if (f_ != nullptr) std::fclose(f_);
    if (!committed_) ::unlink(tmp_.c_str());
  }

  uint64_t pos() const { return pos_; }

  VoidResult write(std::span<const uint8_t> b) {
    LAC_CHECK_OR_RETURN(std::fwrite(b.data(), 1, b.size(), f_) == b.size(), Error::IoError,
                        "%s: write of %zu bytes at byte offset %llu failed: %s", target_.c_str(), b.size(),
                        (ull)pos_, std::strerror(errno));
    pos_ += b.size();
    return {};
  }

  VoidResult writeZeros(uint64_t n) {
    static const uint8_t zeros[4096] = {};
    while (n > 0) {
      size_t take = static_cast<size_t>(std::min<uint64_t>(n, sizeof zeros));
      LAC_RETURN_IF_ERROR(write({zeros, take}));
      n -= take;
    }
    return {};
  }

  // Overwrites bytes already written (the header and plan placeholders).
  VoidResult writeAt(uint64_t offset, std::span<const uint8_t> b) {
    LAC_CHECK_OR_RETURN(std::fflush(f_) == 0, Error::IoError, "%s: flush failed: %s", target_.c_str(),
                        std::strerror(errno));
    LAC_CHECK_OR_RETURN(::pwrite(::fileno(f_), b.data(), b.size(), static_cast<off_t>(offset)) ==
                            static_cast<ssize_t>(b.size()),
                        Error::IoError, "%s: write at byte offset %llu failed: %s", target_.c_str(), (ull)offset,
                        std::strerror(errno));
    return {};
  }

  // Flushes to disk and renames onto the target.
  VoidResult commit() {
    LAC_CHECK_OR_RETURN(std::fflush(f_) == 0 && ::fsync(::fileno(f_)) == 0, Error::IoError, "%s: flush failed: %s",
                        target_.c_str(), std::strerror(errno));
    int rc = std::fclose(f_);
    f_ = nullptr;
    LAC_CHECK_OR_RETURN(rc == 0, Error::IoError, "%s: close failed: %s", target_.c_str(), std::strerror(errno));
    LAC_CHECK_OR_RETURN(std::rename(tmp_.c_str(), target_.c_str()) == 0, Error::IoError,
                        "%s: cannot rename the temporary file into place: %s", target_.c_str(), std::strerror(errno));
    committed_ = true;
    return {};
  }

 private:
  OutFile(std::string target, std::string tmp, FILE* f) : target_(std::move(target)), tmp_(std::move(tmp)), f_(f) {}
  std::string target_, tmp_;
  FILE* f_;
  uint64_t pos_ = 0;
  bool committed_ = false;
};

// ---------------------------------------------------------------------------
// One weight's bytes: into the file, and into its own and the blob's hash.
class SliceSink final : public WeightSink {
 public:
  SliceSink(OutFile& out, Xxh64& blob_hash, const plan::Weight& w) : out_(out), blob_hash_(blob_hash), w_(w) {}

  VoidResult write(std::span<const uint8_t> b) override {
    const uint64_t limit = w_.blob()->bytes();
    LAC_CHECK_OR_RETURN(b.size() <= limit - written_, Error::Internal,
                        "weight '%s': the weight source wrote more than its %llu bytes", w_.name()->c_str(),
                        (ull)limit);
    LAC_RETURN_IF_ERROR(out_.write(b));
    hash_.update(b);
    blob_hash_.update(b);
    written_ += b.size();
    return {};
  }

  uint64_t written() const { return written_; }
  uint64_t checksum() const { return hash_.digest(); }

 private:
  OutFile& out_;
  Xxh64& blob_hash_;
  const plan::Weight& w_;
  Xxh64 hash_;
  uint64_t written_ = 0;
};

// Writes the blob (weights in offset order, zero padding between them) at
// the file's current position, which must be blob offset 0. Patches each
// weight's checksum into `p`; returns the blob's checksum.
Result<uint64_t> writeBlob(OutFile& out, plan::Plan& p, const WeightSource& source) {
  const uint64_t blob_bytes = p.weight_blob()->bytes();
  std::vector<std::pair<uint64_t, uint32_t>> order;  // (offset, index)
  auto* weights = p.mutable_weights();
  if (weights != nullptr)
    for (uint32_t i = 0; i < weights->size(); ++i) order.emplace_back(weights->Get(i)->blob()->offset(), i);
  std::sort(order.begin(), order.end());
  LAC_CHECK_OR_RETURN(order.empty() || source, Error::InvalidArgument, "no weight source given for %zu weights",
                      order.size());

  Xxh64 blob_hash;
  uint64_t cur = 0;  // blob-relative
  for (auto [offset, i] : order) {
    plan::Weight* w = weights->GetMutableObject(i);
    LAC_RETURN_IF_ERROR(out.writeZeros(offset - cur));  // validated: no overlap
    blob_hash.updateZeros(offset - cur);
    SliceSink sink(out, blob_hash, *w);
    LAC_RETURN_IF_ERROR(source(i, sink));
    LAC_CHECK_OR_RETURN(sink.written() == w->blob()->bytes(), Error::Internal,
                        "weight '%s': the weight source wrote %llu bytes, the plan says %llu", w->name()->c_str(),
                        (ull)sink.written(), (ull)w->blob()->bytes());
    w->mutable_blob()->mutate_checksum(sink.checksum());
    cur = offset + w->blob()->bytes();
  }
  LAC_RETURN_IF_ERROR(out.writeZeros(blob_bytes - cur));
  blob_hash.updateZeros(blob_bytes - cur);
  return blob_hash.digest();
}

std::span<const uint8_t> bytesOf(const Header& h) { return {reinterpret_cast<const uint8_t*>(&h), sizeof h}; }

// The checks the loader will make, so the writer never produces a file the
// runtime refuses (except for the CPU: the compiling machine is not the target).
VoidResult checkPlan(std::span<const uint8_t> plan, const std::string& path) {
  const char* n = path.c_str();
  LAC_CHECK_OR_RETURN(plan.size() >= 8 && flatbuffers::BufferHasIdentifier(plan.data(), plan::PlanIdentifier()),
                      Error::InvalidArgument, "%s: refusing to write: the plan lacks the identifier '%s'", n,
                      plan::PlanIdentifier());
  flatbuffers::Verifier verifier(plan.data(), plan.size(), 64, size_t(1) << 23);
  LAC_CHECK_OR_RETURN(plan::VerifyPlanBuffer(verifier), Error::InvalidArgument,
                      "%s: refusing to write: the plan fails flatbuffer verification", n);
  ValidateOptions opts;
  opts.check_host_cpu = false;
  VoidResult r = validatePlan(*plan::GetPlan(plan.data()), path, opts);
  if (!r.ok()) return makeError(r.error(), "refusing to write: " + r.message());
  return {};
}

}  // namespace

VoidResult writeArtifact(const std::string& path, std::span<const uint8_t> plan_in, const WeightSource& source) {
  LAC_RETURN_IF_ERROR(checkPlan(plan_in, path));
  std::vector<uint8_t> plan_buf(plan_in.begin(), plan_in.end());  // patched below
  plan::Plan& p = *plan::GetMutablePlan(plan_buf.data());
  const uint64_t blob_bytes = p.weight_blob()->bytes();
  const bool random = p.random_weights();
  const bool external = p.weights_file() != nullptr;

  LAC_ASSIGN_OR_RETURN(std::unique_ptr<OutFile> lac, OutFile::create(path));
  std::unique_ptr<OutFile> weights_out;
  Header h = makeHeader();
  h.plan_bytes = plan_buf.size();
  LAC_RETURN_IF_ERROR(lac->writeZeros(kHeaderBytes + plan_buf.size()));  // placeholders

  uint64_t blob_sum = 0;
  if (!random && !external && blob_bytes > 0) {
    h.weights_offset = alignUp(lac->pos(), kBlobAlignment);
    LAC_RETURN_IF_ERROR(lac->writeZeros(h.weights_offset - lac->pos()));
    LAC_ASSIGN_OR_RETURN(blob_sum, writeBlob(*lac, p, source));
    h.weights_bytes = blob_bytes;
    h.weights_checksum = blob_sum;
  } else if (!random && external) {
    // A weights-only file: the same header with no plan, then the blob.
    LAC_ASSIGN_OR_RETURN(weights_out, OutFile::create(folderOf(path) + "/" + p.weights_file()->str()));
    Header wh = makeHeader();
    LAC_RETURN_IF_ERROR(weights_out->writeZeros(kHeaderBytes));
    if (blob_bytes > 0) {
      wh.weights_offset = kBlobAlignment;
      LAC_RETURN_IF_ERROR(weights_out->writeZeros(kBlobAlignment - kHeaderBytes));
      LAC_ASSIGN_OR_RETURN(blob_sum, writeBlob(*weights_out, p, source));
      wh.weights_bytes = blob_bytes;
      wh.weights_checksum = blob_sum;
    }
    LAC_RETURN_IF_ERROR(weights_out->writeAt(0, bytesOf(wh)));
  }
  p.mutable_weight_blob()->mutate_checksum(blob_sum);

  h.plan_checksum = xxh64(plan_buf);
  LAC_RETURN_IF_ERROR(lac->writeAt(kHeaderBytes, plan_buf));
  LAC_RETURN_IF_ERROR(lac->writeAt(0, bytesOf(h)));
  if (weights_out) LAC_RETURN_IF_ERROR(weights_out->commit());
  return lac->commit();
}

}  // namespace lac::artifact
