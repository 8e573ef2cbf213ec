#include "runtime/artifact/checksum.h"

#include <algorithm>
#include <cstring>

namespace lac::artifact {

namespace {

constexpr uint64_t P1 = 0x9E3779B185EBCA87ull;
constexpr uint64_t P2 = 0xC2B2AE3D27D4EB4Full;
constexpr uint64_t P3 = 0x165667B19E3779F9ull;
constexpr uint64_t P4 = 0x85EBCA77C2B2AE63ull;
constexpr uint64_t P5 = 0x27D4EB2F165667C5ull;

inline uint64_t rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }
inline uint64_t load64(const uint8_t* p) { uint64_t v; std::memcpy(&v, p, 8); return v; }
inline uint32_t load32(const uint8_t* p) { uint32_t v; std::memcpy(&v, p, 4); return v; }

inline uint64_t round(uint64_t acc, uint64_t lane) { return rotl(acc + lane * P2, 31) * P1; }
inline uint64_t merge(uint64_t acc, uint64_t v) { return (acc ^ round(0, v)) * P1 + P4; }

// One 32-byte stripe into the four accumulators.
inline void stripe(uint64_t v[4], const uint8_t* p) {
  v[0] = round(v[0], load64(p));
  v[1] = round(v[1], load64(p + 8));
  v[2] = round(v[2], load64(p + 16));
  v[3] = round(v[3], load64(p + 24));
}

}  // namespace

Xxh64::Xxh64() : v_{P1 + P2, P2, 0, 0 - P1}, buf_{} {}

void Xxh64::update(std::span<const uint8_t> bytes) {
  const uint8_t* p = bytes.data();
  size_t n = bytes.size();
  total_ += n;
  if (buffered_ > 0) {  // top up the partial stripe first
    size_t take = std::min<size_t>(n, 32 - buffered_);
    std::memcpy(buf_ + buffered_, p, take);
    buffered_ += take;
    p += take;
    n -= take;
    if (buffered_ < 32) return;
    stripe(v_, buf_);
    buffered_ = 0;
  }
  for (; n >= 32; p += 32, n -= 32) stripe(v_, p);
  std::memcpy(buf_, p, n);
  buffered_ = static_cast<uint32_t>(n);
}

void Xxh64::updateZeros(uint64_t n) {
  static const uint8_t zeros[4096] = {};
  while (n > 0) {
    size_t take = static_cast<size_t>(std::min<uint64_t>(n, sizeof zeros));
    update({zeros, take});
    n -= take;
  }
}

uint64_t Xxh64::digest() const {
  uint64_t acc;
  if (total_ >= 32) {
    acc = rotl(v_[0], 1) + rotl(v_[1], 7) + rotl(v_[2], 12) + rotl(v_[3], 18);
    for (uint64_t v : v_) acc = merge(acc, v);
  } else {
    acc = P5;  // seed 0
  }
  acc += total_;
  const uint8_t* p = buf_;
  uint32_t n = buffered_;
  for (; n >= 8; p += 8, n -= 8) acc = rotl(acc ^ round(0, load64(p)), 27) * P1 + P4;
  if (n >= 4) {
    acc = rotl(acc ^ (uint64_t(load32(p)) * P1), 23) * P2 + P3;
    p += 4;
    n -= 4;
  }
  for (; n > 0; ++p, --n) acc = rotl(acc ^ (*p * P5), 11) * P1;
  acc ^= acc >> 33;
  acc *= P2;
  acc ^= acc >> 29;
  acc *= P3;
  acc ^= acc >> 32;
  return acc;
}

uint64_t xxh64(std::span<const uint8_t> bytes) {
  Xxh64 h;
  h.update(bytes);
  return h.digest();
}

}  // namespace lac::artifact
