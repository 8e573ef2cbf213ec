#include "runtime/dist/rank_driver.h"

#include <algorithm>

namespace lac::dist {

namespace {

enum class Kind : uint32_t { Stop = 0, Prefill = 1, Decode = 2 };

struct Command {
  Kind kind = Kind::Stop;
  uint32_t slot = 0;
  uint32_t start = 0;
  uint32_t n = 0;
};
static_assert(sizeof(Command) == 16);

// The largest call a follower accepts (a corrupt command must not allocate
// gigabytes): prompts and batches are far smaller.
constexpr uint32_t kMaxCallTokens = 1u << 24;

}  // namespace

LeaderModel::~LeaderModel() { (void)finish(); }

VoidResult LeaderModel::finish() {
  if (finished_) return {};
  finished_ = true;
  Command c;
  return comm_.broadcast(&c, sizeof c, 0);
}

Result<std::span<const float>> LeaderModel::prefill(uint32_t slot, std::span<const int32_t> tokens,
                                                    uint32_t start_pos) {
  LAC_CHECK_OR_RETURN(!finished_, Error::Internal, "tensor parallel: prefill after the followers were stopped");
  Command c{Kind::Prefill, slot, start_pos, uint32_t(tokens.size())};
  LAC_RETURN_IF_ERROR(comm_.broadcast(&c, sizeof c, 0));
  payload_.assign(tokens.begin(), tokens.end());
  LAC_RETURN_IF_ERROR(comm_.broadcast(payload_.data(), int64_t(payload_.size() * sizeof(int32_t)), 0));
  return inner_.prefill(slot, tokens, start_pos);
}

Result<std::span<const float>> LeaderModel::decode(std::span<const uint32_t> slots, std::span<const int32_t> tokens,
                                                   std::span<const uint32_t> positions) {
  LAC_CHECK_OR_RETURN(!finished_, Error::Internal, "tensor parallel: decode after the followers were stopped");
  const size_t n = tokens.size();
  LAC_CHECK_OR_RETURN(slots.size() == n && positions.size() == n, Error::InvalidArgument,
                      "decode: %zu slots, %zu tokens and %zu positions differ", slots.size(), n, positions.size());
  Command c{Kind::Decode, 0, 0, uint32_t(n)};
  LAC_RETURN_IF_ERROR(comm_.broadcast(&c, sizeof c, 0));
  payload_.resize(3 * n);
  std::copy(tokens.begin(), tokens.end(), payload_.begin());
  for (size_t i = 0; i < n; ++i) {
    payload_[n + i] = int32_t(slots[i]);
    payload_[2 * n + i] = int32_t(positions[i]);
  }
  LAC_RETURN_IF_ERROR(comm_.broadcast(payload_.data(), int64_t(payload_.size() * sizeof(int32_t)), 0));
  return inner_.decode(slots, tokens, positions);
}

VoidResult followLeader(engine::Model& inner, Communicator& comm, uint64_t* calls) {
  std::vector<int32_t> payload;
  std::vector<uint32_t> slots, positions;
  for (;;) {
    Command c;  // rank 0 may be idle for long (lac-serve): no timeout here
    LAC_RETURN_IF_ERROR(comm.broadcast(&c, sizeof c, 0, /*untimed=*/true));
    if (c.kind == Kind::Stop) return {};
    LAC_CHECK_OR_RETURN((c.kind == Kind::Prefill || c.kind == Kind::Decode) && c.n <= kMaxCallTokens, Error::Internal,
                        "tensor parallel (rank %d): bad command from rank 0 (kind %u, %u tokens)", comm.rank(),
                        unsigned(c.kind), c.n);
    const size_t n = c.n;
    payload.resize(c.kind == Kind::Prefill ? n : 3 * n);
    LAC_RETURN_IF_ERROR(comm.broadcast(payload.data(), int64_t(payload.size() * sizeof(int32_t)), 0));
    const std::span<const int32_t> tokens(payload.data(), n);
    Result<std::span<const float>> r = std::span<const float>();
    if (c.kind == Kind::Prefill) {
      r = inner.prefill(c.slot, tokens, c.start);
    } else {
      slots.assign(payload.begin() + std::ptrdiff_t(n), payload.begin() + std::ptrdiff_t(2 * n));
      positions.assign(payload.begin() + std::ptrdiff_t(2 * n), payload.end());
      r = inner.decode(slots, tokens, positions);
    }
    if (!r.ok() && r.error() != Error::InvalidArgument) return r.status();
    if (calls) ++*calls;
  }
}

}  // namespace lac::dist
