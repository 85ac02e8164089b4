// The attention loops over the FP16 KV cache with the FPU's half
// conversion (VCVTB) instead of the bit-level one: the same statements in
// the same order as kernels/generic/attention_scalar.cpp (multiply, then
// add; -ffp-contract=off), so the results are bit-identical.
#include <cstdint>

#include "kernels/m33/dsp_ops.h"
#include "kernels/m33/m33_kernels.h"

namespace pipit::kernels::m33 {

float dot_half_float(const uint16_t* k, const float* q, int64_t n) {
  float s = 0.0f;
  for (int64_t i = 0; i < n; ++i) s += q[i] * HalfToFloat(k[i]);
  return s;
}

void axpy_half(float a, const uint16_t* v, float* out, int64_t n) {
  for (int64_t i = 0; i < n; ++i) out[i] += a * HalfToFloat(v[i]);
}

}  // namespace pipit::kernels::m33
