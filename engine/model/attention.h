// Causal self-attention over the FP16 KV cache, one query head at a time:
// scores into a caller's buffer, softmax, weighted sum of the values.
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
// q: [head_dim] (already rotated), scores: scratch [n_pos], out: [head_dim].
void AttendOneHead(const KvCache& kv, int layer, int seq, int n_pos, int kv_head, const AttentionShape& shape,
                   const float* q, float* scores, float* out);

}  // namespace pipit
