#include "runtime/sampling/rng.h"

namespace lac::sampling {

namespace {

// splitmix64's output function (Steele, Lea & Flood): a bijective 64-bit mix.
uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

constexpr uint64_t kGolden = 0x9E3779B97F4A7C15ull;

uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

}  // namespace

Rng Rng::forSequence(uint64_t seed, uint64_t sequence) {
  // Mix twice so that neighbouring (seed, sequence) pairs land far apart.
  return Rng(mix64(mix64(seed) + kGolden * (sequence + 1)));
}

Rng::Rng(uint64_t key) {
  // splitmix64 stream from `key`: four consecutive outputs are never all zero.
  for (uint64_t& s : s_) {
    key += kGolden;
    s = mix64(key);
  }
}

uint64_t Rng::nextU64() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

}  // namespace lac::sampling
