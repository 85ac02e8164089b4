#include "model/ops.h"

#include <cmath>

namespace pipit {

void RmsNorm(const float* x, const float* weight, int n, float eps, float* out) {
  double sum_sq = 0.0;  // double, as llama.cpp accumulates: wide rows lose bits in float
  for (int i = 0; i < n; ++i) sum_sq += static_cast<double>(x[i]) * x[i];
  const float scale = 1.0f / std::sqrt(static_cast<float>(sum_sq / n) + eps);
  for (int i = 0; i < n; ++i) out[i] = x[i] * scale * weight[i];
}

void AddInPlace(float* x, const float* y, int64_t n) {
  for (int64_t i = 0; i < n; ++i) x[i] += y[i];
}

void SwiGlu(float* gate, const float* up, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float g = gate[i];
    gate[i] = g / (1.0f + std::exp(-g)) * up[i];
  }
}

void RopeTable::Build(int n_ctx, int n_rot, float base, const std::vector<float>& freq_factors) {
  n_ctx_ = n_ctx;
  half_ = n_rot / 2;
  cos_.resize(static_cast<size_t>(n_ctx) * half_);
  sin_.resize(cos_.size());
  // The angles are computed exactly as llama.cpp does (a float recurrence
  // theta_i = theta_{i-1} * base^(-2/n_rot), then cosf/sinf), not in exact
  // arithmetic: the rotated queries are rounded to half precision before the
  // key product, and a last-bit difference in an angle flips that rounding
  // often enough to show in the logits.
  const float theta_scale = std::pow(base, -2.0f / static_cast<float>(n_rot));
  for (int p = 0; p < n_ctx; ++p) {
    float theta = static_cast<float>(p);
    for (int i = 0; i < half_; ++i) {
      const float angle = freq_factors.empty() ? theta : theta / freq_factors[i];
      cos_[static_cast<size_t>(p) * half_ + i] = std::cos(angle);
      sin_[static_cast<size_t>(p) * half_ + i] = std::sin(angle);
      theta *= theta_scale;
    }
  }
}

void RopeTable::Apply(float* x, int n_heads, int head_dim, int pos) const {
  const float* c = &cos_[static_cast<size_t>(pos) * half_];
  const float* s = &sin_[static_cast<size_t>(pos) * half_];
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + h * head_dim;
    for (int i = 0; i < half_; ++i) {
      const float a = v[2 * i];
      const float b = v[2 * i + 1];
      v[2 * i] = a * c[i] - b * s[i];
      v[2 * i + 1] = a * s[i] + b * c[i];
    }
  }
}

}  // namespace pipit
