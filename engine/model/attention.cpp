#include "model/attention.h"

#include "kernels/kernels.h"
#include "quant/fp16.h"

namespace pipit {

// The numerics follow llama.cpp's attention on the CPU: the query rounded
// to half times half keys, softmax with exp in float and the sum in double,
// probabilities rounded to half before they weight the half values. The
// three loops come from the kernel table (SIMD where the CPU has it;
// engine/kernels/generic/attention_scalar.cpp is the reference).
void AttendOneHead(const KvCache& kv, int layer, int seq, int n_pos, int kv_head, const AttentionShape& shape,
                   const float* q, float* scores, float* out) {
  const int d = shape.head_dim;
  float q_half[kMaxHeadDim];
  for (int i = 0; i < d; ++i) q_half[i] = Fp16ToFp32(Fp32ToFp16(q[i]));
  const kernels::KernelSet& kernel_set = kernels::Kernels();

  // Position p of this head's keys and values: K(p) = K(0) + p * kv_dim.
  const size_t stride = static_cast<size_t>(kv.kv_dim());
  kernel_set.dot_half_rows(kv.K(layer, seq, 0) + kv_head * d, stride, n_pos, q_half, d, shape.scale, scores);
  kernel_set.softmax_half(scores, n_pos);
  kernel_set.weighted_sum_half(scores, kv.V(layer, seq, 0) + kv_head * d, stride, n_pos, d, out);
}

}  // namespace pipit
