// Legacy (32-weight block) dot products for AVX2 / AVX-512 (Q8_0 lives in
// dot_tokens_impl.h). One block's
// integer sum is exact; blocks are accumulated in eight float lanes, so only
// the float summation order differs from engine/quant/q*_legacy.cpp.
#include "kernels/x86/simd_x86.h"
#include "quant/blocks_legacy.h"

namespace pipit::kernels::PIPIT_ISA {

using quant::BlockQ4_0;
using quant::BlockQ4_1;
using quant::BlockQ5_0;
using quant::BlockQ5_1;
using quant::BlockQ8_0;
using quant::BlockQ8_1;
using quant::kQK;

namespace {

// 16 packed bytes -> 32 levels: bytes 0..15 the low nibbles (weights 0..15),
// bytes 16..31 the high nibbles (weights 16..31).
inline __m256i UnpackNibbles(const uint8_t* qs) {
  const __m128i packed = _mm_loadu_si128(reinterpret_cast<const __m128i*>(qs));
  const __m256i both = _mm256_set_m128i(_mm_srli_epi16(packed, 4), packed);
  return _mm256_and_si256(both, _mm256_set1_epi8(0x0F));
}

// Q5: nibbles plus bit 4 from the 32-bit qh word.
inline __m256i Unpack5(const uint8_t* qs, const uint8_t* qh) {
  uint32_t bits;
  std::memcpy(&bits, qh, sizeof bits);
  return _mm256_or_si256(UnpackNibbles(qs), _mm256_and_si256(ExpandBits32(bits), _mm256_set1_epi8(0x10)));
}

}  // namespace

float dot_q4_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < n / kQK; ++b) {
    const __m256i q = _mm256_sub_epi8(UnpackNibbles(x[b].qs), _mm256_set1_epi8(8));
    const __m256i sum = DotS8S8(_mm256_setzero_si256(), q, Load256(y[b].qs));
    const float d = HalfToFloat(x[b].d) * HalfToFloat(y[b].d);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
  }
  return HorizontalSum(acc);
}

float dot_q4_1_q8_1(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4_1*>(row);
  const auto* y = static_cast<const BlockQ8_1*>(act);
  __m256 acc = _mm256_setzero_ps();
  float offsets = 0;  // sum of m * s: the minimum times the activation sum
  for (int64_t b = 0; b < n / kQK; ++b) {
    const __m256i sum = DotU8S8(_mm256_setzero_si256(), UnpackNibbles(x[b].qs), Load256(y[b].qs));
    const float d = HalfToFloat(x[b].d) * HalfToFloat(y[b].d);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
    offsets += HalfToFloat(x[b].m) * HalfToFloat(y[b].s);
  }
  return HorizontalSum(acc) + offsets;
}

float dot_q5_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ5_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  __m256 acc = _mm256_setzero_ps();
  for (int64_t b = 0; b < n / kQK; ++b) {
    const __m256i q = _mm256_sub_epi8(Unpack5(x[b].qs, x[b].qh), _mm256_set1_epi8(16));
    const __m256i sum = DotS8S8(_mm256_setzero_si256(), q, Load256(y[b].qs));
    const float d = HalfToFloat(x[b].d) * HalfToFloat(y[b].d);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
  }
  return HorizontalSum(acc);
}

float dot_q5_1_q8_1(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ5_1*>(row);
  const auto* y = static_cast<const BlockQ8_1*>(act);
  __m256 acc = _mm256_setzero_ps();
  float offsets = 0;
  for (int64_t b = 0; b < n / kQK; ++b) {
    const __m256i sum = DotU8S8(_mm256_setzero_si256(), Unpack5(x[b].qs, x[b].qh), Load256(y[b].qs));
    const float d = HalfToFloat(x[b].d) * HalfToFloat(y[b].d);
    acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
    offsets += HalfToFloat(x[b].m) * HalfToFloat(y[b].s);
  }
  return HorizontalSum(acc) + offsets;
}

}  // namespace pipit::kernels::PIPIT_ISA
