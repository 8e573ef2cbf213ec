// How the ranks of a tensor-parallel run stay in step: rank 0 drives,
// the others follow.
//
// Rank 0 runs generation as in one process (tokenizing, sampling, printing,
// serving) over a LeaderModel: each prefill or decode call is first
// broadcast to the other ranks, then run on rank 0's own engine. Every other
// rank sits in followLeader(), which runs the same calls on its engine (its
// slice of the weights; the collectives inside the steps pair them up) until
// rank 0 says stop. Sampling happens once, on rank 0: the other ranks never
// see a token before rank 0 sends it.
//
// Wire format (host memory, communicator broadcast from rank 0):
//   Command { kind, slot, start, n }              16 bytes
//   payload  prefill: tokens[n]; decode: tokens[n] | slots[n] | positions[n]   i32
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "runtime/dist/communicator.h"
#include "runtime/engine/model.h"

namespace lac::dist {

class LeaderModel final : public engine::Model {
 public:
  // `inner` is rank 0's engine; both must outlive this (or it owns `inner`).
  LeaderModel(engine::Model& inner, Communicator& comm) : inner_(inner), comm_(comm) {}
  LeaderModel(std::unique_ptr<engine::Model> inner, Communicator& comm)
      : owned_(std::move(inner)), inner_(*owned_), comm_(comm) {}
  ~LeaderModel() override;  // finish(), errors ignored

  const engine::ModelLimits& limits() const override { return inner_.limits(); }
  Result<std::span<const float>> prefill(uint32_t slot, std::span<const int32_t> tokens,
                                         uint32_t start_pos) override;
  Result<std::span<const float>> decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                        std::span<const uint32_t> positions) override;

  // Tells the followers to return. Idempotent.
  VoidResult finish();

 private:
  std::unique_ptr<engine::Model> owned_;
  engine::Model& inner_;
  Communicator& comm_;
  bool finished_ = false;
  std::vector<int32_t> payload_;
};

// Rank > 0: runs rank 0's calls on `inner` until it sends stop. A call the
// engine refuses as an invalid argument is refused on rank 0 too (same plan,
// same checks) and reported there: the follower goes on. Any other failure
// (a collective, a kernel) is returned; the caller prints it and abortAll()s.
// `calls`, when given, counts the calls run (tests).
VoidResult followLeader(engine::Model& inner, Communicator& comm, uint64_t* calls = nullptr);

}  // namespace lac::dist
