#include "runtime/artifact/format.h"

#include <cstring>

namespace lac::artifact {

Header makeHeader() {
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format_version = kFormatVersion;
  h.header_bytes = kHeaderBytes;
  h.plan_offset = kHeaderBytes;
  return h;
}

namespace {

// [offset, offset + bytes) inside [0, size), without overflow.
bool inside(uint64_t offset, uint64_t bytes, uint64_t size) {
  return offset <= size && bytes <= size - offset;
}

}  // namespace

Result<Header> parseHeader(std::span<const uint8_t> file, const std::string& name) {
  const char* n = name.c_str();
  LAC_CHECK_OR_RETURN(!file.empty(), Error::InvalidArtifact, "%s: empty file, not a LAC artifact", n);
  LAC_CHECK_OR_RETURN(file.size() >= kHeaderBytes, Error::InvalidArtifact,
                      "%s: truncated header: the file has %zu bytes, the header needs %u", n, file.size(),
                      kHeaderBytes);
  Header h;
  std::memcpy(&h, file.data(), sizeof h);
  LAC_CHECK_OR_RETURN(std::memcmp(h.magic, kMagic, sizeof kMagic) == 0, Error::InvalidArtifact,
                      "%s: bad magic (bytes 0..7 are %02x %02x %02x %02x ...): not a LAC artifact", n,
                      h.magic[0], h.magic[1], h.magic[2], h.magic[3]);
  LAC_CHECK_OR_RETURN(h.format_version == kFormatVersion, Error::Unsupported,
                      "%s: format version %u is %s than this runtime's version %u: recompile the model with a "
                      "matching lac-compile",
                      n, h.format_version, h.format_version > kFormatVersion ? "newer" : "older", kFormatVersion);
  LAC_CHECK_OR_RETURN(h.header_bytes == kHeaderBytes, Error::InvalidArtifact,
                      "%s: header size %u at byte offset 12, expected %u", n, h.header_bytes, kHeaderBytes);

  const uint64_t size = file.size();
  LAC_CHECK_OR_RETURN(h.plan_offset >= kHeaderBytes && h.plan_offset % kPlanAlignment == 0, Error::InvalidArtifact,
                      "%s: plan offset %llu must be >= %u and a multiple of %llu", n,
                      (unsigned long long)h.plan_offset, kHeaderBytes, (unsigned long long)kPlanAlignment);
  LAC_CHECK_OR_RETURN(inside(h.plan_offset, h.plan_bytes, size), Error::InvalidArtifact,
                      "%s: plan (%llu bytes at byte offset %llu) runs past the end of the file (%llu bytes)", n,
                      (unsigned long long)h.plan_bytes, (unsigned long long)h.plan_offset,
                      (unsigned long long)size);

  if (h.weights_bytes == 0) {
    LAC_CHECK_OR_RETURN(h.weights_offset == 0 && h.weights_checksum == 0, Error::InvalidArtifact,
                        "%s: empty weight blob with a non-zero offset or checksum", n);
    return h;
  }
  LAC_CHECK_OR_RETURN(h.weights_offset % kBlobAlignment == 0, Error::InvalidArtifact,
                      "%s: weight blob offset %llu is not a multiple of %llu", n,
                      (unsigned long long)h.weights_offset, (unsigned long long)kBlobAlignment);
  LAC_CHECK_OR_RETURN(h.weights_offset >= h.plan_offset + h.plan_bytes, Error::InvalidArtifact,
                      "%s: weight blob at byte offset %llu overlaps the plan (ends at %llu)", n,
                      (unsigned long long)h.weights_offset, (unsigned long long)(h.plan_offset + h.plan_bytes));
  LAC_CHECK_OR_RETURN(inside(h.weights_offset, h.weights_bytes, size), Error::InvalidArtifact,
                      "%s: weight blob (%llu bytes at byte offset %llu) runs past the end of the file (%llu bytes)",
                      n, (unsigned long long)h.weights_bytes, (unsigned long long)h.weights_offset,
                      (unsigned long long)size);
  return h;
}

}  // namespace lac::artifact
