// The reference attention loops over half-precision K/V rows: the SIMD
// tables (engine/kernels/x86/attention_impl.h, ...) are tested against these.
#include <cmath>
#include <cstdint>

#include "kernels/generic/attention_rows.h"
#include "quant/fp16.h"

namespace pipit::kernels {

// sum_i q[i] * k[i], left to right in float.
float DotHalfFloatScalar(const uint16_t* k, const float* q, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += q[i] * Fp16ToFp32(k[i]);
  return s;
}

// out[i] += a * v[i].
void AxpyHalfScalar(float a, const uint16_t* v, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] += a * Fp16ToFp32(v[i]);
}

void DotHalfRowsScalar(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n, float scale,
                       float* scores) {
  DotHalfRowsWith<DotHalfFloatScalar>(k, stride, n_rows, q, n, scale, scores);
}

void WeightedSumHalfScalar(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n, float* out) {
  WeightedSumHalfWith<AxpyHalfScalar>(w, v, stride, n_rows, n, out);
}

// p_i = half(exp(s_i - max) / sum), the sum in double.
void SoftmaxHalfScalar(float* s, int64_t n) {
  float m = s[0];
  for (int64_t i = 1; i < n; ++i) m = s[i] > m ? s[i] : m;
  double l = 0.0;
  for (int64_t i = 0; i < n; ++i) {
    s[i] = std::exp(s[i] - m);
    l += static_cast<double>(s[i]);
  }
  const float inv_l = static_cast<float>(1.0 / l);
  for (int64_t i = 0; i < n; ++i) s[i] = Fp16ToFp32(Fp32ToFp16(s[i] * inv_l));
}

}  // namespace pipit::kernels
