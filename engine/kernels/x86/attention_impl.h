// Attention inner loops over FP16 K/V rows for AVX2 / AVX-512: F16C converts
// eight halves at a time (exactly), FMAs accumulate in eight float lanes.
// Only the float summation order (and FMA's single rounding) differs from
// engine/kernels/generic/attention_scalar.cpp.
#include "kernels/generic/attention_rows.h"
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

namespace {

// exp(x) for x <= 0 (scores minus their maximum), within 2 ulp of std::exp:
// x = n ln2 + r with |r| <= ln2 / 2, exp(r) by its Taylor series to r^7
// (truncation error < 1e-8 relative), times 2^n through the exponent bits.
// Below -87 (where exp underflows float's normal range) the result is 0: a
// probability that small rounds to 0 in half anyway.
inline __m256 ExpNonPositive(__m256 x) {
  const __m256 too_small = _mm256_cmp_ps(x, _mm256_set1_ps(-87.0f), _CMP_LT_OQ);
  x = _mm256_max_ps(x, _mm256_set1_ps(-87.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);  // ln2 in two parts (Cody-Waite)
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.0f / 5040);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 720));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 120));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 24));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f / 6));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256i two_n = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127)), 23);
  return _mm256_andnot_ps(too_small, _mm256_mul_ps(p, _mm256_castsi256_ps(two_n)));
}

inline __m256 RoundToHalf(__m256 v) {
  return _mm256_cvtph_ps(_mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
}

}  // namespace

void softmax_half(float* s, int64_t n) {
  // Maximum.
  __m256 m8 = _mm256_set1_ps(s[0]);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) m8 = _mm256_max_ps(m8, _mm256_loadu_ps(s + i));
  float m = HorizontalMax(m8);
  for (; i < n; ++i) m = s[i] > m ? s[i] : m;
  // exp(s - m) in place, summed in double.
  const __m256 mv = _mm256_set1_ps(m);
  __m256d l4 = _mm256_setzero_pd();
  for (i = 0; i + 8 <= n; i += 8) {
    const __m256 e = ExpNonPositive(_mm256_sub_ps(_mm256_loadu_ps(s + i), mv));
    _mm256_storeu_ps(s + i, e);
    l4 = _mm256_add_pd(l4, _mm256_cvtps_pd(_mm256_castps256_ps128(e)));
    l4 = _mm256_add_pd(l4, _mm256_cvtps_pd(_mm256_extractf128_ps(e, 1)));
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, l4);
  double l = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) {
    alignas(32) float tail[8] = {s[i] - m};
    _mm256_store_ps(tail, ExpNonPositive(_mm256_load_ps(tail)));
    s[i] = tail[0];
    l += static_cast<double>(s[i]);
  }
  // Normalize and round to half.
  const float inv_l = static_cast<float>(1.0 / l);
  const __m256 inv_l8 = _mm256_set1_ps(inv_l);
  for (i = 0; i + 8 <= n; i += 8) _mm256_storeu_ps(s + i, RoundToHalf(_mm256_mul_ps(_mm256_loadu_ps(s + i), inv_l8)));
  for (; i < n; ++i) s[i] = HalfToFloat(FloatToHalf(s[i] * inv_l));
}

void dot_half_rows(const uint16_t* k, size_t stride, int64_t n_rows, const float* q, int64_t n, float scale,
                   float* scores) {
  DotHalfRowsWith<dot_half_float>(k, stride, n_rows, q, n, scale, scores);
}

// Columns 64 at a time in eight registers over every row, then 8 at a time,
// then one: each out[i] is the same chain of FMAs over the rows in order as
// repeated axpy_half calls give, without storing out between rows.
void weighted_sum_half(const float* w, const uint16_t* v, size_t stride, int64_t n_rows, int64_t n, float* out) {
  int64_t i = 0;
  for (; i + 64 <= n; i += 64) {
    __m256 acc[8];
    for (__m256& a : acc) a = _mm256_setzero_ps();
    for (int64_t r = 0; r < n_rows; ++r) {
      const __m256 wr = _mm256_set1_ps(w[r]);
      const uint16_t* row = v + r * stride + i;
      for (int j = 0; j < 8; ++j) acc[j] = _mm256_fmadd_ps(wr, LoadHalf8(row + 8 * j), acc[j]);
    }
    for (int j = 0; j < 8; ++j) _mm256_storeu_ps(out + i + 8 * j, acc[j]);
  }
  for (; i + 8 <= n; i += 8) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t r = 0; r < n_rows; ++r) {
      acc = _mm256_fmadd_ps(_mm256_set1_ps(w[r]), LoadHalf8(v + r * stride + i), acc);
    }
    _mm256_storeu_ps(out + i, acc);
  }
  for (; i < n; ++i) {
    float acc = 0.0f;
    for (int64_t r = 0; r < n_rows; ++r) acc += w[r] * HalfToFloat(v[r * stride + i]);
    out[i] = acc;
  }
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
