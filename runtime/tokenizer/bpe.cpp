#include "runtime/tokenizer/bpe.h"

#include <algorithm>
#include <cstring>

namespace lac {

// --- PairTable -------------------------------------------------------------------

void PairTable::reserve(size_t n) {
  size_t cap = 16;
  while (cap < 2 * n) cap *= 2;
  if (cap <= slots_.size()) return;
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(cap, Slot{kEmpty, {}});
  mask_ = cap - 1;
  shift_ = 64 - __builtin_ctzll(cap);
  size_ = 0;
  for (const Slot& s : old)
    if (s.key != kEmpty) insert(static_cast<uint32_t>(s.key >> 32), static_cast<uint32_t>(s.key), s.merge);
}

void PairTable::grow() { reserve(std::max<size_t>(16, slots_.size())); }

void PairTable::insert(uint32_t left, uint32_t right, Merge m) {
  if (2 * (size_ + 1) > slots_.size()) grow();
  const uint64_t key = pack(left, right);
  for (size_t i = hash(key);; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == key) {
      if (m.rank < s.merge.rank) s.merge = m;
      return;
    }
    if (s.key == kEmpty) {
      s = Slot{key, m};
      ++size_;
      return;
    }
  }
}

// --- BytePairEncoder ---------------------------------------------------------------

void BytePairEncoder::encode(std::string_view piece, std::vector<uint32_t>& out) const {
  if (piece.size() <= kScanLimit)
    encodeByScan(piece, out);
  else
    encodeByHeap(piece, out);
}

// O(n^2) in the worst case but allocation-free and fast for short pieces.
void BytePairEncoder::encodeByScan(std::string_view piece, std::vector<uint32_t>& out) const {
  if (piece.size() > kScanLimit) return encodeByHeap(piece, out);
  uint32_t ids[kScanLimit];             // live symbols, in order
  PairTable::Merge pair[kScanLimit];    // pair[i] joins ids[i] and ids[i + 1]
  size_t n = 0;
  for (unsigned char b : piece)
    if (byte_ids_[b] != kNoToken) ids[n++] = byte_ids_[b];
  if (n == 0) return;
  for (size_t i = 0; i + 1 < n; ++i) pair[i] = pairs_.find(ids[i], ids[i + 1]);
  while (n > 1) {
    size_t best = 0;
    for (size_t i = 1; i + 1 < n; ++i)
      if (pair[i].rank < pair[best].rank) best = i;
    if (pair[best].rank == kNoToken) break;
    ids[best] = pair[best].result;
    std::memmove(ids + best + 1, ids + best + 2, (n - best - 2) * sizeof(uint32_t));
    std::memmove(pair + best, pair + best + 1, (n - best - 2) * sizeof(PairTable::Merge));
    --n;
    if (best + 1 < n) pair[best] = pairs_.find(ids[best], ids[best + 1]);
    if (best > 0) pair[best - 1] = pairs_.find(ids[best - 1], ids[best]);
  }
  out.insert(out.end(), ids, ids + n);
}

// O(n log n): symbols in a doubly linked list, candidate pairs in a min-heap
// ordered by (rank, position); stale entries are skipped when popped.
void BytePairEncoder::encodeByHeap(std::string_view piece, std::vector<uint32_t>& out) const {
  struct Symbol {
    uint32_t id;
    int32_t prev, next;
  };
  struct Candidate {
    uint32_t rank;
    int32_t left;
    uint32_t left_id, right_id;
    bool operator>(const Candidate& o) const { return rank != o.rank ? rank > o.rank : left > o.left; }
  };
  std::vector<Symbol> sym;
  sym.reserve(piece.size());
  for (unsigned char b : piece) {
    if (byte_ids_[b] == kNoToken) continue;
    const auto i = static_cast<int32_t>(sym.size());
    sym.push_back({byte_ids_[b], i - 1, i + 1});
  }
  if (sym.empty()) return;
  sym.back().next = -1;

  std::vector<Candidate> heap;
  heap.reserve(sym.size());
  auto push = [&](int32_t left) {
    const int32_t right = sym[left].next;
    if (left < 0 || right < 0) return;
    const PairTable::Merge m = pairs_.find(sym[left].id, sym[right].id);
    if (m.rank == kNoToken) return;
    heap.push_back({m.rank, left, sym[left].id, sym[right].id});
    std::push_heap(heap.begin(), heap.end(), std::greater<>());
  };
  for (int32_t i = 0; i + 1 < static_cast<int32_t>(sym.size()); ++i) push(i);

  while (!heap.empty()) {
    std::pop_heap(heap.begin(), heap.end(), std::greater<>());
    const Candidate c = heap.back();
    heap.pop_back();
    Symbol& l = sym[c.left];
    if (l.id != c.left_id || l.next < 0 || sym[l.next].id != c.right_id) continue;  // stale
    const int32_t right = l.next;
    l.id = pairs_.find(c.left_id, c.right_id).result;
    l.next = sym[right].next;
    if (l.next >= 0) sym[l.next].prev = c.left;
    sym[right].id = kNoToken;  // dead
    if (l.prev >= 0) push(l.prev);
    push(c.left);
  }
  for (int32_t i = 0; i >= 0; i = sym[i].next) out.push_back(sym[i].id);
}

}  // namespace lac
