// k-quant x Q8_K dot products for AVX2 / AVX-512 (256-bit vectors; the
// AVX-512 build swaps in VNNI multiply-adds through simd_x86.h). Each
// super-block's integer sum is exact; only the float accumulation across
// blocks differs in order from the reference (engine/quant/q*_k.cpp).
//
// Offset formats (Q3_K: q - 4, Q6_K: q - 32) multiply the unsigned level and
// subtract offset * sum(scale * bsums): the activation's 16-element sums make
// the offset one multiply-add per block.
//
// Q4_K and Q6_K, which have multi-token kernels, live in dot_tokens_impl.h.
#include "kernels/x86/simd_x86.h"
#include "quant/blocks_k.h"

namespace pipit::kernels::PIPIT_ISA {

using quant::BlockQ2K;
using quant::BlockQ3K;
using quant::BlockQ5K;
using quant::BlockQ8K;
using quant::kQK_K;

namespace {

// Q4_K/Q5_K: eight 6-bit (scale, min) pairs from 12 bytes (layout in
// engine/quant/kquant_scales.h).
inline void UnpackScaleMinK4(const uint8_t* packed, uint8_t scales[8], uint8_t mins[8]) {
  for (int j = 0; j < 4; ++j) {
    scales[j] = packed[j] & 63;
    mins[j] = packed[j + 4] & 63;
    scales[j + 4] = static_cast<uint8_t>((packed[j + 8] & 0xF) | ((packed[j] >> 6) << 4));
    mins[j + 4] = static_cast<uint8_t>((packed[j + 8] >> 4) | ((packed[j + 4] >> 6) << 4));
  }
}

// sum_j mins[j] * (bsums[2j] + bsums[2j+1]) as eight 32-bit lanes.
inline __m256i MinsTimesBsums(const uint8_t mins[8], const int16_t* bsums) {
  uint64_t packed;
  std::memcpy(&packed, mins, 8);
  const __m128i m8 = _mm_cvtsi64_si128(static_cast<int64_t>(packed));
  const __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));  // m0 m0 m1 m1 ...
  return _mm256_madd_epi16(Load256(bsums), m16);
}

// sum_g scales[g] * bsums[g] over the 16 groups, as eight 32-bit lanes.
inline __m256i ScalesTimesBsums(const int8_t scales[16], const int16_t* bsums) {
  const __m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(scales)));
  return _mm256_madd_epi16(Load256(bsums), s16);
}

}  // namespace

float dot_q5_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ5K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i one = _mm256_set1_epi8(1);
  __m256 acc = _mm256_setzero_ps();
  __m256 acc_min = _mm256_setzero_ps();
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    uint8_t scales[8], mins[8];
    UnpackScaleMinK4(x[b].scales, scales, mins);
    const float d = HalfToFloat(x[b].d) * y[b].d;
    const float dmin = HalfToFloat(x[b].dmin) * y[b].d;
    acc_min = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(MinsTimesBsums(mins, y[b].bsums)), acc_min);

    __m256i qh = Load256(x[b].qh);  // bit 2p: low-nibble weights of pair p; 2p+1: high
    __m256i sum_low = _mm256_setzero_si256();
    __m256i sum_high = _mm256_setzero_si256();
    for (int p = 0; p < 4; ++p) {
      const __m256i q = Load256(x[b].qs + 32 * p);
      const __m256i low_bit = _mm256_slli_epi16(_mm256_and_si256(qh, one), 4);
      const __m256i high_bit = _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 1), one), 4);
      qh = _mm256_srli_epi16(qh, 2);
      const __m256i low = _mm256_or_si256(_mm256_and_si256(q, nibble), low_bit);
      const __m256i high = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(q, 4), nibble), high_bit);
      sum_low = DotU8S8Scaled(sum_low, low, Load256(y[b].qs + 64 * p), _mm256_set1_epi16(scales[2 * p]));
      sum_high = DotU8S8Scaled(sum_high, high, Load256(y[b].qs + 64 * p + 32), _mm256_set1_epi16(scales[2 * p + 1]));
    }
    const __m256i sum = _mm256_add_epi32(sum_low, sum_high);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
  }
  return HorizontalSum(acc) - HorizontalSum(acc_min);
}

float dot_q3_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ3K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  const __m256i two_bits = _mm256_set1_epi8(0x03);
  const __m256i one = _mm256_set1_epi8(1);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    // Sixteen 6-bit scales (v - 32); layout in engine/quant/kquant_scales.h.
    int8_t sc[16];
    const uint8_t* packed = x[b].scales;
    for (int j = 0; j < 16; ++j) {
      const int low = j < 8 ? (packed[j] & 0xF) : (packed[j - 8] >> 4);
      const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
      sc[j] = static_cast<int8_t>((low | (high << 4)) - 32);
    }
    // Level = (2 low bits | hmask bit << 2) - 4: offset 4 via bsums.
    __m256i offset = _mm256_slli_epi32(ScalesTimesBsums(sc, y[b].bsums), 2);
    __m256i hmask = Load256(x[b].hmask);  // bit j: weights 32j .. 32j+31
    __m256i sum = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      const __m256i qs = Load256(x[b].qs + 32 * h);
      for (int s = 0; s < 4; ++s) {
        const int j = 4 * h + s;  // 32-weight stripe
        const __m256i low = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * s), two_bits);
        const __m256i high = _mm256_slli_epi16(_mm256_and_si256(hmask, one), 2);
        hmask = _mm256_srli_epi16(hmask, 1);
        const __m256i q = _mm256_or_si256(low, high);
        sum = DotU8S8Scaled(sum, q, Load256(y[b].qs + 32 * j), ScalePair16(sc[2 * j], sc[2 * j + 1]));
      }
    }
    sum = _mm256_sub_epi32(sum, offset);
    const float d = HalfToFloat(x[b].d) * y[b].d;
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
  }
  return HorizontalSum(acc);
}

float dot_q2_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ2K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  const __m256i two_bits = _mm256_set1_epi8(0x03);
  __m256 acc = _mm256_setzero_ps();
  __m256 acc_min = _mm256_setzero_ps();
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    // scales[g]: low nibble = scale, high nibble = min of 16-weight group g.
    const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(x[b].scales));
    const __m256i packed16 = _mm256_cvtepu8_epi16(packed);
    const __m256i mins16 = _mm256_srli_epi16(packed16, 4);
    const __m256i min_sum = _mm256_madd_epi16(Load256(y[b].bsums), mins16);
    const float d = HalfToFloat(x[b].d) * y[b].d;
    const float dmin = HalfToFloat(x[b].dmin) * y[b].d;
    acc_min = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(min_sum), acc_min);

    __m256i sum = _mm256_setzero_si256();
    for (int h = 0; h < 2; ++h) {
      const __m256i qs = Load256(x[b].qs + 32 * h);
      for (int s = 0; s < 4; ++s) {
        const int g = 8 * h + 2 * s;  // first 16-weight group of this stripe
        const __m256i q = _mm256_and_si256(_mm256_srli_epi16(qs, 2 * s), two_bits);
        const __m256i scale = ScalePair16(x[b].scales[g] & 0xF, x[b].scales[g + 1] & 0xF);
        sum = DotU8S8Scaled(sum, q, Load256(y[b].qs + 128 * h + 32 * s), scale);
      }
    }
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
  }
  return HorizontalSum(acc) - HorizontalSum(acc_min);
}

}  // namespace pipit::kernels::PIPIT_ISA
