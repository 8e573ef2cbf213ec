// Per-sequence random numbers for sampling.
//
// Each sequence of a batch owns its own generator, seeded from (seed, sequence
// index), so a sequence's draws never depend on its batch neighbours or on
// how many sequences run beside it: sequence 3 of a batch of 8 draws exactly
// what it draws alone with the same seed and index.
//
// The generator is xoshiro256** (Blackman & Vigna); its 256-bit state is
// filled by splitmix64 from a key that mixes the seed and the sequence index.
#pragma once

#include <cstdint>

namespace lac::sampling {

class Rng {
 public:
  // The generator for sequence `sequence` of a run seeded with `seed`.
  static Rng forSequence(uint64_t seed, uint64_t sequence);

  // 64 uniformly distributed bits.
  uint64_t nextU64();

  // A uniform float in [0, 1) with 24 random bits (the "coin" the samplers take).
  float nextFloat() { return static_cast<float>(nextU64() >> 40) * 0x1.0p-24f; }

 private:
  explicit Rng(uint64_t key);
  uint64_t s_[4];
};

}  // namespace lac::sampling
