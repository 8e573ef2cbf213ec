// Byte-pair merging of one pre-tokenized piece.
//
// A piece starts as one symbol per byte (bytes that are not tokens are
// dropped, as HF's BPE without an unk token does), then the adjacent pair
// with the lowest rank is merged, leftmost first among equals, until no pair
// has a rank. Both families fit this: tiktoken ranks a pair by the rank of
// its concatenation, GPT-2 BPE by the merge's position in the list.
// Short pieces use a linear scan (tiktoken's way); long ones a heap over a
// linked list, so a 25000-byte run costs O(n log n), not O(n^2).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

namespace lac {

inline constexpr uint32_t kNoToken = UINT32_MAX;

// (left id, right id) -> (rank, merged id): open addressing, linear probing.
class PairTable {
 public:
  struct Merge {
    uint32_t rank = kNoToken;
    uint32_t result = kNoToken;
  };
  void reserve(size_t n);
  // Keeps the lower rank if the pair is already there.
  void insert(uint32_t left, uint32_t right, Merge m);
  Merge find(uint32_t left, uint32_t right) const {
    if (slots_.empty()) return {};
    const uint64_t key = pack(left, right);
    for (size_t i = hash(key);; i = (i + 1) & mask_) {
      const Slot& s = slots_[i];
      if (s.key == key) return s.merge;
      if (s.key == kEmpty) return {};
    }
  }
  size_t size() const { return size_; }

 private:
  struct Slot {
    uint64_t key;
    Merge merge;
  };
  static constexpr uint64_t kEmpty = UINT64_MAX;
  static uint64_t pack(uint32_t l, uint32_t r) { return (uint64_t{l} << 32) | r; }
  size_t hash(uint64_t key) const { return static_cast<size_t>((key * 0x9E3779B97F4A7C15ull) >> shift_); }
  void grow();

  std::vector<Slot> slots_;
  size_t mask_ = 0;
  int shift_ = 64;
  size_t size_ = 0;
};

class BytePairEncoder {
 public:
  // byte_ids[b]: the token of the single byte b, or kNoToken.
  BytePairEncoder(std::array<uint32_t, 256> byte_ids, PairTable pairs)
      : byte_ids_(byte_ids), pairs_(std::move(pairs)) {}

  // Appends the ids of `piece` to `out`.
  void encode(std::string_view piece, std::vector<uint32_t>& out) const;

  // The two strategies, public so tests can check they agree.
  void encodeByScan(std::string_view piece, std::vector<uint32_t>& out) const;
  void encodeByHeap(std::string_view piece, std::vector<uint32_t>& out) const;

  static constexpr size_t kScanLimit = 64;  // pieces up to this many bytes are scanned

 private:
  std::array<uint32_t, 256> byte_ids_;
  PairTable pairs_;
};

}  // namespace lac
