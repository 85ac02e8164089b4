// The reference attention loops over half-precision K/V rows: the SIMD
// tables (engine/kernels/x86/attention_impl.h, ...) are tested against these.
#include <cstdint>

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

}  // namespace pipit::kernels
