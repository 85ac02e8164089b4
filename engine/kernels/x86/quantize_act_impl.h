// Activation quantizers (float -> Q8_0, Q8_1, Q8_K, F16) for AVX2 / AVX-512.
// They decide the results, so each is bit-identical to its reference in
// engine/quant/ (q8_legacy.cpp, q8_k.cpp, float.cpp): the same IEEE operations
// in the same order (the kernel files build with -ffp-contract=off so no
// multiply is fused), the same rounding rule (Q8_0/Q8_1: std::round, half away
// from zero; Q8_K: nearest-even), and maxima that do not depend on order.
// A block holding Inf or NaN goes to the reference code instead.
#include <cfloat>
#include <cmath>

#include "kernels/x86/simd_x86.h"
#include "quant/blocks_k.h"
#include "quant/blocks_legacy.h"
#include "quant/formats.h"

namespace pipit::kernels::PIPIT_ISA {

namespace {

// (No namespace-scope vector constants: their initializers would run at
// start-up, before any CPU check.)
inline __m256 SignBit() { return _mm256_set1_ps(-0.0f); }
inline __m256 Abs(__m256 v) { return _mm256_andnot_ps(SignBit(), v); }

// Lanes that are Inf or NaN (|v| > FLT_MAX or unordered).
inline int NonFiniteMask(__m256 abs_v) { return _mm256_movemask_ps(_mm256_cmp_ps(abs_v, _mm256_set1_ps(FLT_MAX), _CMP_NLE_UQ)); }

inline float MaxLane(__m256 v) {
  __m128 m = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  m = _mm_max_ps(m, _mm_movehl_ps(m, m));
  m = _mm_max_ss(m, _mm_movehdup_ps(m));
  return _mm_cvtss_f32(m);
}

// std::round: truncate, then step away from zero when the dropped fraction
// is at least one half (v - trunc(v) is exact).
inline __m256i RoundHalfAway(__m256 v) {
  const __m256 truncated = _mm256_round_ps(v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC);
  const __m256 fraction = Abs(_mm256_sub_ps(v, truncated));
  const __m256 step = _mm256_or_ps(_mm256_set1_ps(1.0f), _mm256_and_ps(v, SignBit()));  // +-1
  const __m256 up = _mm256_and_ps(_mm256_cmp_ps(fraction, _mm256_set1_ps(0.5f), _CMP_GE_OQ), step);
  return _mm256_cvttps_epi32(_mm256_add_ps(truncated, up));
}

// Four vectors of eight int32 (each in int8 range) -> 32 int8 in order.
inline __m256i PackToInt8(__m256i a, __m256i b, __m256i c, __m256i d) {
  const __m256i ab = _mm256_packs_epi32(a, b);
  const __m256i cd = _mm256_packs_epi32(c, d);
  const __m256i bytes = _mm256_packs_epi16(ab, cd);  // lane-interleaved
  return _mm256_permutevar8x32_epi32(bytes, _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
}

// Q8_0/Q8_1 block of 32: d = absmax / 127, q = round(x / d). Returns false
// (and writes nothing) for blocks the reference must handle.
inline bool QuantizeBlock8(const float* x, int8_t* qs, float* d_out, int* sum_out) {
  __m256 v[4];
  __m256 amax = _mm256_setzero_ps();
  int non_finite = 0;
  for (int k = 0; k < 4; ++k) {
    v[k] = _mm256_loadu_ps(x + 8 * k);
    non_finite |= NonFiniteMask(Abs(v[k]));
    amax = _mm256_max_ps(amax, Abs(v[k]));
  }
  if (non_finite) return false;
  const float d = MaxLane(amax) / 127;
  const float id = d != 0.0f ? 1.0f / d : 0.0f;
  // A subnormal d makes id infinite and the reference convert Inf to int8
  // (undefined; x86 gives 0): leave such blocks to the reference too.
  if (id > FLT_MAX) return false;
  __m256i q[4];
  for (int k = 0; k < 4; ++k) q[k] = RoundHalfAway(_mm256_mul_ps(v[k], _mm256_set1_ps(id)));
  _mm256_storeu_si256(reinterpret_cast<__m256i*>(qs), PackToInt8(q[0], q[1], q[2], q[3]));
  *d_out = d;
  *sum_out = HorizontalSumI32(_mm256_add_epi32(_mm256_add_epi32(q[0], q[1]), _mm256_add_epi32(q[2], q[3])));
  return true;
}

}  // namespace

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<quant::BlockQ8_0*>(dst);
  for (int64_t b = 0; b < n / quant::kQK; ++b) {
    const float* x = src + b * quant::kQK;
    float d;
    int sum;
    if (!QuantizeBlock8(x, y[b].qs, &d, &sum)) {
      quant::quantize_row_q8_0(x, &y[b], quant::kQK);
      continue;
    }
    y[b].d = FloatToHalf(d);
  }
}

void quantize_row_q8_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<quant::BlockQ8_1*>(dst);
  for (int64_t b = 0; b < n / quant::kQK; ++b) {
    const float* x = src + b * quant::kQK;
    float d;
    int sum;
    if (!QuantizeBlock8(x, y[b].qs, &d, &sum)) {
      quant::quantize_row_q8_1(x, &y[b], quant::kQK);
      continue;
    }
    y[b].d = FloatToHalf(d);
    y[b].s = FloatToHalf(static_cast<float>(sum) * d);
  }
}

void quantize_row_q8_k(const float* src, void* dst, int64_t n) {
  constexpr int kVectors = quant::kQK_K / 8;
  auto* blocks = static_cast<quant::BlockQ8K*>(dst);
  for (int64_t b = 0; b < n / quant::kQK_K; ++b) {
    const float* x = src + b * quant::kQK_K;
    quant::BlockQ8K& y = blocks[b];
    __m256 amax = _mm256_setzero_ps();
    int non_finite = 0;
    for (int k = 0; k < kVectors; ++k) {
      const __m256 a = Abs(_mm256_loadu_ps(x + 8 * k));
      non_finite |= NonFiniteMask(a);
      amax = _mm256_max_ps(amax, a);
    }
    if (non_finite) {
      quant::quantize_row_q8_k(x, &y, quant::kQK_K);
      continue;
    }
    const float amax_scalar = MaxLane(amax);
    if (amax_scalar == 0) {
      std::memset(&y, 0, sizeof y);
      continue;
    }
    // The first element of largest magnitude, with its sign.
    const __m256 target = _mm256_set1_ps(amax_scalar);
    float max = 0;
    for (int k = 0; k < kVectors; ++k) {
      const int hits = _mm256_movemask_ps(_mm256_cmp_ps(Abs(_mm256_loadu_ps(x + 8 * k)), target, _CMP_EQ_OQ));
      if (hits) {
        max = x[8 * k + __builtin_ctz(static_cast<unsigned>(hits))];
        break;
      }
    }
    const float iscale = -127.f / max;
    if (std::fabs(iscale) > FLT_MAX) {  // subnormal max: the reference's wrap-around
      quant::quantize_row_q8_k(x, &y, quant::kQK_K);
      continue;
    }
    const __m256 scale = _mm256_set1_ps(iscale);
    const __m256i limit = _mm256_set1_epi32(127);
    for (int k = 0; k < kVectors; k += 4) {  // 32 values = two bsums groups
      __m256i q[4];
      for (int j = 0; j < 4; ++j) {
        // cvtps rounds to nearest-even, as the reference's magic-number add.
        q[j] = _mm256_min_epi32(_mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + 8 * (k + j)), scale)), limit);
      }
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(y.qs + 8 * k), PackToInt8(q[0], q[1], q[2], q[3]));
      y.bsums[k / 2] = static_cast<int16_t>(HorizontalSumI32(_mm256_add_epi32(q[0], q[1])));
      y.bsums[k / 2 + 1] = static_cast<int16_t>(HorizontalSumI32(_mm256_add_epi32(q[2], q[3])));
    }
    y.d = 1 / iscale;
  }
}

// F16 activations: F16C rounds to nearest-even like the reference; only NaN
// payloads would differ, so chunks holding a NaN use the reference.
void quantize_row_f16(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<uint16_t*>(dst);
  int64_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const __m256 v = _mm256_loadu_ps(src + i);
    if (_mm256_movemask_ps(_mm256_cmp_ps(v, v, _CMP_UNORD_Q))) {
      quant::quantize_row_f16(src + i, y + i, 8);
      continue;
    }
    _mm_storeu_si128(reinterpret_cast<__m128i*>(y + i), _mm256_cvtps_ph(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC));
  }
  if (i < n) quant::quantize_row_f16(src + i, y + i, n - i);
}

}  // namespace pipit::kernels::PIPIT_ISA
