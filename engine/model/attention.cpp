#include "model/attention.h"

#include <cmath>
#include <limits>

#include "kernels/kernels.h"
#include "quant/fp16.h"

namespace pipit {

// Two passes over the cached keys, no score buffer (the "online normalizer"
// form of softmax): pass 1 folds every score into a running maximum and a
// running sum rescaled as the maximum grows; pass 2 recomputes each score,
// normalizes it and accumulates the weighted values.
//
// Why not the one-pass form that rescales the output too: llama.cpp rounds
// the normalized probabilities to half precision before multiplying by the
// half-precision values, and so do we; that needs the final maximum and sum
// before the first value is touched. Matching it brings our logits from
// ~2e-4 to ~1e-6 relative of llama.cpp's on F32 models. The extra pass
// re-reads only the keys of one head (n_pos * head_dim halves), which is
// small next to the weights a decode step reads.
//
// Up to kScoreBufferPositions positions (every position on the RP2350, whose
// context is 256) the scores fit on the stack (1 KiB) and are computed once.
constexpr int kScoreBufferPositions = 256;

void AttendOneHead(const KvCache& kv, int layer, int seq, int n_pos, int kv_head, const AttentionShape& shape,
                   const float* q, float* out) {
  const int d = shape.head_dim;
  // llama.cpp multiplies half keys by a query rounded to half; so do we.
  float q_half[kMaxHeadDim];
  for (int i = 0; i < d; ++i) q_half[i] = Fp16ToFp32(Fp32ToFp16(q[i]));
  // The q.k and p*v loops come from the kernel table (SIMD where the CPU
  // has it; engine/kernels/generic/attention_scalar.cpp is the reference).
  const kernels::KernelSet& kernel_set = kernels::Kernels();
  const kernels::DotHalfFloatFn dot = kernel_set.dot_half_float;
  const kernels::AxpyHalfFn axpy = kernel_set.axpy_half;
  auto score = [&](int p) { return dot(kv.K(layer, seq, p) + kv_head * d, q_half, d) * shape.scale; };

  float m = -std::numeric_limits<float>::infinity();
  double l = 0.0;
  for (int i = 0; i < d; ++i) out[i] = 0.0f;

  if (n_pos <= kScoreBufferPositions) {
    // Short context: keep the scores on the stack. One dot and one exp per
    // position; exp in float, the sum in double, as llama.cpp's softmax.
    float e[kScoreBufferPositions];
    for (int p = 0; p < n_pos; ++p) {
      e[p] = score(p);
      m = e[p] > m ? e[p] : m;
    }
    for (int p = 0; p < n_pos; ++p) {
      e[p] = std::exp(e[p] - m);
      l += static_cast<double>(e[p]);
    }
    const float inv_l = static_cast<float>(1.0 / l);
    for (int p = 0; p < n_pos; ++p) {
      axpy(Fp16ToFp32(Fp32ToFp16(e[p] * inv_l)), kv.V(layer, seq, p) + kv_head * d, out, d);
    }
    return;
  }

  // Long context, no score buffer. Pass 1: running max m and sum l of
  // exp(score - m), rescaled as the maximum grows.
  for (int p = 0; p < n_pos; ++p) {
    const float s = score(p);
    if (s > m) {
      l *= static_cast<double>(std::exp(m - s));
      m = s;
    }
    l += static_cast<double>(std::exp(s - m));
  }

  // Pass 2: out = sum_p half(exp(score_p - m) / l) * v_p.
  const float inv_l = static_cast<float>(1.0 / l);
  for (int p = 0; p < n_pos; ++p) {
    const float weight = Fp16ToFp32(Fp32ToFp16(std::exp(score(p) - m) * inv_l));
    axpy(weight, kv.V(layer, seq, p) + kv_head * d, out, d);
  }
}

}  // namespace pipit
