// The small numeric building blocks of the forward pass, written to read like
// the maths. Hot loops over whole matrices live in matmul.h and attention.h.
#pragma once

#include <cstdint>
#include <vector>

namespace pipit {

// out = x / rms(x) * weight, where rms(x) = sqrt(mean(x^2) + eps).
// x, out, weight: [n]. out may alias x.
void RmsNorm(const float* x, const float* weight, int n, float eps, float* out);

// x += y, elementwise over [n].
void AddInPlace(float* x, const float* y, int64_t n);

// gate = silu(gate) * up, elementwise over [n]  (SwiGLU).
void SwiGlu(float* gate, const float* up, int64_t n);

// Precomputed rotary position embedding: for every position p < n_ctx and
// pair i < n_rot / 2, the angle p * base^(-2i / n_rot) / freq_factor[i].
class RopeTable {
 public:
  void Build(int n_ctx, int n_rot, float base, const std::vector<float>& freq_factors);

  // Rotates the first n_rot dims of each of n_heads heads of width head_dim in
  // x, adjacent pairs (x[2i], x[2i+1]) as llama.cpp's "normal" RoPE does.
  void Apply(float* x, int n_heads, int head_dim, int pos) const;

  int n_ctx() const { return n_ctx_; }

 private:
  int n_ctx_ = 0;
  int half_ = 0;            // n_rot / 2
  std::vector<float> cos_;  // [n_ctx, n_rot / 2]
  std::vector<float> sin_;  // [n_ctx, n_rot / 2]
};

}  // namespace pipit
