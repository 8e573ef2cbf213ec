// Token bytes -> id: a flat open-addressing table over the vocabulary (the
// hot lookup of encoding, and of building the pair table). Stores ids and a
// hash tag only; the bytes stay in the vocabulary it points into.
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace lac {

inline uint64_t hashBytes(std::string_view s) {
  uint64_t h = 0x9E3779B97F4A7C15ull ^ (s.size() * 0xff51afd7ed558ccdull);
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    h = (h ^ w) * 0xbf58476d1ce4e5b9ull;
    h ^= h >> 31;
  }
  uint64_t w = 0;
  std::memcpy(&w, s.data() + i, s.size() - i);
  h = (h ^ w) * 0x94d049bb133111ebull;
  return h ^ (h >> 29);
}

class TokenIndex {
 public:
  static constexpr uint32_t kNone = UINT32_MAX;

  // `tokens` must outlive the index and not change.
  explicit TokenIndex(const std::vector<std::string>* tokens = nullptr) : tokens_(tokens) {}

  void reserve(size_t n) {
    size_t cap = 16;
    while (cap < 2 * n) cap *= 2;
    slots_.assign(cap, Slot{0, kNone});
    mask_ = cap - 1;
  }
  // Adds `id` unless a token with the same bytes is there (the first wins).
  void insert(uint32_t id) {
    const std::string_view s = (*tokens_)[id];
    const uint64_t h = hashBytes(s);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      Slot& slot = slots_[i];
      if (slot.id == kNone) {
        slot = Slot{static_cast<uint32_t>(h >> 32), id};
        return;
      }
      if (slot.tag == static_cast<uint32_t>(h >> 32) && (*tokens_)[slot.id] == s) return;
    }
  }
  uint32_t find(std::string_view s) const {
    const uint64_t h = hashBytes(s);
    const auto tag = static_cast<uint32_t>(h >> 32);
    for (size_t i = h & mask_;; i = (i + 1) & mask_) {
      const Slot& slot = slots_[i];
      if (slot.id == kNone) return kNone;
      if (slot.tag == tag && (*tokens_)[slot.id] == s) return slot.id;
    }
  }

 private:
  struct Slot {
    uint32_t tag;
    uint32_t id;
  };
  const std::vector<std::string>* tokens_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;
};

}  // namespace lac
