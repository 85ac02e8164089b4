// The attention loops over the FP16 KV cache with the FPU's half
// conversion (VCVTB) instead of the bit-level one: the same statements in
// the same order as kernels/generic/attention_scalar.cpp (multiply, then
// add; -ffp-contract=off), so the results are bit-identical.
#include <cstddef>
#include <cstdint>

#include "kernels/generic/attention_rows.h"
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

// The scalar table's row loops, over the two above.
void dot_half_rows(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n, float scale,
                   float* scores) {
  DotHalfRowsWith<dot_half_float>(k, stride, n_rows, q, n, scale, scores);
}

void weighted_sum_half(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n, float* out) {
  WeightedSumHalfWith<axpy_half>(w, v, stride, n_rows, n, out);
}

}  // namespace pipit::kernels::m33
