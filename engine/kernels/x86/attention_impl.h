// Attention inner loops over FP16 K/V rows for AVX2 / AVX-512: F16C converts
// eight halves at a time (exactly), FMAs accumulate in eight float lanes.
// Only the float summation order (and FMA's single rounding) differs from
// engine/kernels/generic/attention_scalar.cpp.
#include "kernels/x86/simd_x86.h"

namespace pipit::kernels::PIPIT_ISA {

namespace {
inline __m256 LoadHalf8(const uint16_t* p) {
  return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p)));
}
}  // namespace

float dot_half_float(const uint16_t* k, const float* q, int64_t n) {
  __m256 acc0 = _mm256_setzero_ps();
  __m256 acc1 = _mm256_setzero_ps();
  int64_t i = 0;
  for (; i + 16 <= n; i += 16) {
    acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), LoadHalf8(k + i), acc0);
    acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i + 8), LoadHalf8(k + i + 8), acc1);
  }
  for (; i + 8 <= n; i += 8) acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(q + i), LoadHalf8(k + i), acc0);
  float s = HorizontalSum(_mm256_add_ps(acc0, acc1));
  for (; i < n; ++i) s += q[i] * HalfToFloat(k[i]);
  return s;
}

void axpy_half(float a, const uint16_t* v, float* out, int64_t n) {
  const __m256 av = _mm256_set1_ps(a);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    _mm256_storeu_ps(out + i, _mm256_fmadd_ps(av, LoadHalf8(v + i), _mm256_loadu_ps(out + i)));
  }
  for (; i < n; ++i) out[i] += a * HalfToFloat(v[i]);
}

}  // namespace pipit::kernels::PIPIT_ISA
