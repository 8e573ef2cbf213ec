// Grouped-query causal attention over the f32 KV cache (KvCacheView in
// kernel_args.h: per layer [max_batch][n_kv_heads][max_seq][head_dim] for K
// and for V).
//
// The fast path works per (sequence, kv head): all query heads of the group
// (and in prefill a tile of up to 64 / group tokens) are processed together
// while K and V are streamed once in blocks of 64 positions, with an online
// softmax (running max and sum, rescaled per block) - flash attention's
// tiling on a CPU. Prefill work items are (token tile, kv head); decode items
// are (sequence, kv head, KV chunk): with more threads than (sequence, kv head)
// pairs each sequence's positions are also split (flash-decoding) and the
// chunks' partial softmax states are merged at the end. The reference is the
// textbook two-pass softmax per query.
#pragma once

#include "runtime/kernels/cpu/isa.h"
#include "runtime/kernels/kernel_args.h"

namespace lac::kernels::cpu {

// Copies the new tokens' K and V rows into the cache.
void kvAppend(const CpuContext& ctx, const KvAppendArgs& a);

void attentionPrefill(const CpuContext& ctx, const AttentionPrefillArgs& a);
void attentionPrefillRef(const AttentionPrefillArgs& a);

void attentionDecode(const CpuContext& ctx, const AttentionDecodeArgs& a);
void attentionDecodeRef(const AttentionDecodeArgs& a);

}  // namespace lac::kernels::cpu
