#include "model/attention.h"

#include <cmath>
#include <limits>

#include "quant/fp16.h"

namespace pipit {

void AttendOneHead(const KvCache& kv, int layer, int seq, int n_pos, int kv_head, const AttentionShape& shape,
                   const float* q, float* out) {
  const int d = shape.head_dim;
  // llama.cpp multiplies half keys by a query rounded to half; do the same so
  // scores agree to the last bits.
  float q_half[512];
  for (int i = 0; i < d; ++i) q_half[i] = Fp16ToFp32(Fp32ToFp16(q[i]));

  float running_max = -std::numeric_limits<float>::infinity();
  float running_sum = 0.0f;
  for (int i = 0; i < d; ++i) out[i] = 0.0f;

  for (int p = 0; p < n_pos; ++p) {
    const uint16_t* k = kv.K(layer, seq, p) + kv_head * d;
    float score = 0.0f;
    for (int i = 0; i < d; ++i) score += q_half[i] * Fp16ToFp32(k[i]);
    score *= shape.scale;

    if (score > running_max) {
      // Rescale what has been accumulated to the new maximum.
      const float correction = std::exp(running_max - score);
      running_sum *= correction;
      for (int i = 0; i < d; ++i) out[i] *= correction;
      running_max = score;
    }
    const float weight = std::exp(score - running_max);
    running_sum += weight;
    const uint16_t* v = kv.V(layer, seq, p) + kv_head * d;
    for (int i = 0; i < d; ++i) out[i] += weight * Fp16ToFp32(v[i]);
  }
  const float inv = running_sum > 0.0f ? 1.0f / running_sum : 0.0f;
  for (int i = 0; i < d; ++i) out[i] *= inv;
}

}  // namespace pipit
