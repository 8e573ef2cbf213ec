// The fixed 64-byte header of a `.lac` file, and the file's layout rules.
// docs/FORMAT.md is the byte-by-byte description; keep the two in step.
//
//   offset  size  field
//        0     8  magic            89 'L' 'A' 'C' 0D 0A 1A 0A
//        8     4  format_version   u32 (kFormatVersion)
//       12     4  header_bytes     u32 (64)
//       16     8  plan_offset      u64 (64: the plan follows the header)
//       24     8  plan_bytes       u64 (the flatbuffer, identifier "LACP")
//       32     8  weights_offset   u64 (multiple of 4096; 0 when there is no blob)
//       40     8  weights_bytes    u64 (0 when there is no blob)
//       48     8  plan_checksum    u64 XXH64(seed 0) of the plan bytes
//       56     8  weights_checksum u64 XXH64(seed 0) of the blob bytes (0 when none)
//
// All integers are little-endian. A file holding only a weight blob (written
// for --weights-out) has the same header with plan_bytes = 0.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "runtime/core/result.h"

namespace lac::artifact {

static_assert(std::endian::native == std::endian::little,
              "the .lac format is little-endian and is mapped in place");

inline constexpr uint8_t kMagic[8] = {0x89, 'L', 'A', 'C', 0x0D, 0x0A, 0x1A, 0x0A};
// The one version this build reads and writes. Bump it for any change an
// older runtime must not silently ignore (see the rules in plan.fbs).
inline constexpr uint32_t kFormatVersion = 1;
inline constexpr uint32_t kHeaderBytes = 64;
inline constexpr uint64_t kBlobAlignment = 4096;   // the weight blob starts on a page
inline constexpr uint64_t kWeightAlignment = 64;   // every weight inside the blob
inline constexpr uint64_t kBufferAlignment = 64;   // every arena buffer
inline constexpr uint64_t kPlanAlignment = 8;      // flatbuffers' largest scalar

struct Header {
  uint8_t magic[8];
  uint32_t format_version;
  uint32_t header_bytes;
  uint64_t plan_offset;
  uint64_t plan_bytes;
  uint64_t weights_offset;
  uint64_t weights_bytes;
  uint64_t plan_checksum;
  uint64_t weights_checksum;
};

static_assert(sizeof(Header) == kHeaderBytes);
static_assert(offsetof(Header, magic) == 0);
static_assert(offsetof(Header, format_version) == 8);
static_assert(offsetof(Header, header_bytes) == 12);
static_assert(offsetof(Header, plan_offset) == 16);
static_assert(offsetof(Header, plan_bytes) == 24);
static_assert(offsetof(Header, weights_offset) == 32);
static_assert(offsetof(Header, weights_bytes) == 40);
static_assert(offsetof(Header, plan_checksum) == 48);
static_assert(offsetof(Header, weights_checksum) == 56);

inline constexpr uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// A header with the magic, version and header size filled in.
Header makeHeader();

// Reads and checks the header of `file` (`name` for messages): size, magic,
// version, header size, and that the plan and the blob lie inside the file,
// aligned, without overlapping. Does not look at the checksums.
//   InvalidArtifact: empty/truncated/bad magic/offsets; Unsupported: version.
Result<Header> parseHeader(std::span<const uint8_t> file, const std::string& name);

}  // namespace lac::artifact
