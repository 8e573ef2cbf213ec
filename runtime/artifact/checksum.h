// XXH64 (seed 0): the checksum of the plan, of the weight blob and of every
// weight. Written here from the public xxHash specification
// (doc/xxhash_spec.md): fast (several GB/s), and any xxhash tool
// (`xxh64sum`, Python's `xxhash.xxh64`) can check a .lac file's numbers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace lac::artifact {

// Streaming hasher: update() any number of times, then digest().
class Xxh64 {
 public:
  Xxh64();
  void update(std::span<const uint8_t> bytes);
  void updateZeros(uint64_t n);  // n zero bytes (padding)
  uint64_t digest() const;

 private:
  uint64_t v_[4];
  uint8_t buf_[32];
  uint32_t buffered_ = 0;
  uint64_t total_ = 0;
};

uint64_t xxh64(std::span<const uint8_t> bytes);

}  // namespace lac::artifact
