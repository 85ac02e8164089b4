// Legacy (32-weight block) dot products for AVX2 / AVX-512 (Q8_0 lives in
// dot_tokens_impl.h). Every integer (partial) block sum is exact; blocks are
// accumulated in eight (AVX-512 Q4_0: sixteen) float lanes, so only the float
// summation order differs from engine/quant/q*_legacy.cpp.
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

// One Q4_0 block against its Q8_0 activations, in eight float lanes.
inline __m256 Q4_0Block256(const BlockQ4_0& x, const BlockQ8_0& y, __m256 acc) {
  const __m256i q = _mm256_sub_epi8(UnpackNibbles(x.qs), _mm256_set1_epi8(8));
  const __m256i sum = DotS8S8(_mm256_setzero_si256(), q, Load256(y.qs));
  const float d = HalfToFloat(x.d) * HalfToFloat(y.d);
  return _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sum), acc);
}

#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
// GCC 12 warns about the "undefined" pass-through operand inside its own
// AVX-512 intrinsics (a known false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// 512-bit Q4_0: four blocks per step, 128-bit lane b of every vector for
// block b. The fields of the 18- and 34-byte blocks sit at even offsets, so
// word permutes (vpermw / vpermt2w) gather them from a few plain loads.
// Unsigned nibbles go straight into vpdpbusd; the -8 is taken out as 8 * (sum
// of the activations), another vpdpbusd. Both integer sums are exact.
struct alignas(64) WordIndex {
  uint16_t w[32];
};

// Word j of the 64 nibble bytes of four blocks (block j / 8, word j % 8 of its
// qs), from x bytes [0, 64) (table words 0..31) and [40, 72) (table words
// 32..47 = x words 20..35): block 3 ends past byte 64.
constexpr WordIndex Q4QuadNibbleIndex() {
  WordIndex idx{};
  for (int j = 0; j < 32; ++j) {
    const int word = 9 * (j / 8) + 1 + j % 8;  // BlockQ4_0 is 9 words, qs at word 1
    idx.w[j] = static_cast<uint16_t>(j / 8 < 3 ? word : 32 + word - 20);
  }
  return idx;
}

// Activation bytes 0..15 (low == true) or 16..31 of each of four Q8_0 blocks.
// Low halves come from bytes [0, 128) as two tables; high halves from
// [8, 136), i.e. every y word shifted down by 4.
constexpr WordIndex Q8QuadIndex(bool low) {
  WordIndex idx{};
  for (int j = 0; j < 32; ++j) {
    const int word = 17 * (j / 8) + (low ? 1 : 9) + j % 8;  // BlockQ8_0 is 17 words, qs at word 1
    idx.w[j] = static_cast<uint16_t>(low ? word : word - 4);
  }
  return idx;
}

// Words 0..15: the scale half of block i / 4 (block stride in words given);
// 16..31 unused.
constexpr WordIndex ScaleQuadIndex(int block_words) {
  WordIndex idx{};
  for (int j = 0; j < 32; ++j) idx.w[j] = static_cast<uint16_t>(block_words * ((j % 16) / 4));
  return idx;
}

inline constexpr WordIndex kQ4QuadNibbles = Q4QuadNibbleIndex();
inline constexpr WordIndex kQ8QuadLow = Q8QuadIndex(true);
inline constexpr WordIndex kQ8QuadHigh = Q8QuadIndex(false);
inline constexpr WordIndex kQ4QuadScales = ScaleQuadIndex(9);
inline constexpr WordIndex kQ8QuadScales = ScaleQuadIndex(17);

inline __m512i LoadIndex(const WordIndex& idx) { return _mm512_load_si512(idx.w); }

inline float SumLanes512(__m512 v) {
  const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));  // (no AVX512DQ)
  return HorizontalSum(_mm256_add_ps(_mm512_castps512_ps256(v), high));
}
#endif

}  // namespace

float dot_q4_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  const int64_t blocks = n / kQK;
  int64_t b = 0;
  __m256 acc = _mm256_setzero_ps();
#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
  __m512 acc512 = _mm512_setzero_ps();
  const __m512i nibble_index = LoadIndex(kQ4QuadNibbles);
  const __m512i low_index = LoadIndex(kQ8QuadLow);
  const __m512i high_index = LoadIndex(kQ8QuadHigh);
  const __m512i x_scale_index = LoadIndex(kQ4QuadScales);
  const __m512i y_scale_index = LoadIndex(kQ8QuadScales);
  const __m512i low_nibbles = _mm512_set1_epi8(0x0F);
  const __m512i eights = _mm512_set1_epi8(8);
  for (; b + 4 <= blocks; b += 4) {
    const auto* xb = reinterpret_cast<const uint8_t*>(x + b);  // 72 bytes
    const auto* yb = reinterpret_cast<const uint8_t*>(y + b);  // 136 bytes
    // 256-bit loads: the 72-byte groups are not line aligned, and 512-bit
    // loads that straddle lines still in flight from RAM cut the cold
    // (decode) speed from ~23 to ~10 GB/s on Zen 5 (bench_dot).
    const __m512i x0 = _mm512_inserti64x4(_mm512_castsi256_si512(Load256(xb)), Load256(xb + 32), 1);
    const __m512i x1 = _mm512_castsi256_si512(Load256(xb + 40));  // words 16..31 unused
    const __m512i y0 = _mm512_loadu_si512(yb);
    const __m512i y1 = _mm512_loadu_si512(yb + 64);
    const __m512i y0s = _mm512_loadu_si512(yb + 8);
    const __m512i y1s = _mm512_loadu_si512(yb + 72);
    const __m512i packed = _mm512_permutex2var_epi16(x0, nibble_index, x1);  // [4 blocks][16 bytes]
    const __m512i q_low = _mm512_and_si512(packed, low_nibbles);                      // weights 0..15
    const __m512i q_high = _mm512_and_si512(_mm512_srli_epi16(packed, 4), low_nibbles);  // 16..31
    const __m512i a_low = _mm512_permutex2var_epi16(y0, low_index, y1);
    const __m512i a_high = _mm512_permutex2var_epi16(y0s, high_index, y1s);
    __m512i dot = _mm512_dpbusd_epi32(_mm512_setzero_si512(), q_low, a_low);
    dot = _mm512_dpbusd_epi32(dot, q_high, a_high);
    __m512i offset = _mm512_dpbusd_epi32(_mm512_setzero_si512(), eights, a_low);
    offset = _mm512_dpbusd_epi32(offset, eights, a_high);
    // Lane i: block i / 4's scale product.
    const __m512 dx = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutexvar_epi16(x_scale_index, x0)));
    const __m512 dy = _mm512_cvtph_ps(_mm512_castsi512_si256(_mm512_permutex2var_epi16(y0, y_scale_index, y1)));
    acc512 = _mm512_fmadd_ps(_mm512_mul_ps(dx, dy), _mm512_cvtepi32_ps(_mm512_sub_epi32(dot, offset)), acc512);
  }
#endif
  for (; b < blocks; ++b) acc = Q4_0Block256(x[b], y[b], acc);
#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
  return SumLanes512(acc512) + HorizontalSum(acc);
#else
  return HorizontalSum(acc);
#endif
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
