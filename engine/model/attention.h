// Causal self-attention over the FP16 KV cache. Up to 256 positions the
// scores of one query sit in a stack buffer; beyond that an online softmax
// folds them into a running max and sum as they are computed, so no O(n_ctx)
// score buffer exists (model/attention.cpp says why it takes two passes).
#pragma once

#include "kv/kv_cache.h"

namespace pipit {

// Largest head size supported (queries are staged on the stack).
constexpr int kMaxHeadDim = 512;

struct AttentionShape {
  int head_dim;
  float scale;  // 1 / sqrt(head_dim)
};

// One query head attends to positions [0, n_pos) of `seq` in `layer`.
// head_dim <= kMaxHeadDim.
// q: [head_dim] (already rotated), out: [head_dim].
void AttendOneHead(const KvCache& kv, int layer, int seq, int n_pos, int kv_head, const AttentionShape& shape,
                   const float* q, float* out);

}  // namespace pipit
