// The formats of the common model files (Q4_K, Q6_K, Q8_0) as multi-token
// dots for AVX2 / AVX-512: one weight row against up to kTokenTile
// activation rows at once. Each weight block is decoded (nibbles split,
// scales unpacked and broadcast) once and then multiplied with every token's
// block, so prefill pays the decoding once per tile instead of once per token.
//
// The single-token dots of these formats are the same templates with one
// token, so for every (row, token) the multi-token result is bit-identical to
// Dot(): each token's integer sums and float accumulation run the same
// operations in the same order whatever the tile size. (Integer block sums
// are exact; only the float summation order differs from the reference in
// engine/quant/.)
#include "kernels/x86/simd_x86.h"
#include "quant/blocks_k.h"
#include "quant/blocks_legacy.h"

namespace pipit::kernels::PIPIT_ISA {

using quant::BlockQ4K;
using quant::BlockQ6K;
using quant::BlockQ8_0;
using quant::BlockQ8K;
using quant::kQK;
using quant::kQK_K;

namespace {

// Tokens per pass over a row: per token the kernels keep one or two float
// accumulators live next to the decoded block (32 vector registers with
// AVX-512, 16 with AVX2).
#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
constexpr int kTokenTile = 8;
#else
constexpr int kTokenTile = 4;
#endif

// Q4_K: eight 6-bit (scale, min) pairs from 12 bytes (layout in
// engine/quant/kquant_scales.h), as 8 scale bytes and 8 min bytes packed in
// two words (byte j = value j), by 32-bit mask operations.
inline void UnpackScaleMinK4Words(const uint8_t* packed, uint64_t* scales, uint64_t* mins) {
  uint32_t a, b, c;  // bytes 0..3, 4..7, 8..11
  std::memcpy(&a, packed, 4);
  std::memcpy(&b, packed + 4, 4);
  std::memcpy(&c, packed + 8, 4);
  const uint32_t low6 = 0x3F3F3F3F, low4 = 0x0F0F0F0F, low2 = 0x03030303;
  const uint32_t scales_lo = a & low6;                                  // scales[0..3]
  const uint32_t mins_lo = b & low6;                                    // mins[0..3]
  const uint32_t scales_hi = (c & low4) | (((a >> 6) & low2) << 4);     // scales[4..7]
  const uint32_t mins_hi = ((c >> 4) & low4) | (((b >> 6) & low2) << 4);  // mins[4..7]
  *scales = scales_lo | (static_cast<uint64_t>(scales_hi) << 32);
  *mins = mins_lo | (static_cast<uint64_t>(mins_hi) << 32);
}

template <typename Block>
inline const Block& TokenBlock(const uint8_t* acts, size_t act_stride, int t, int64_t b) {
  return reinterpret_cast<const Block*>(acts + t * act_stride)[b];
}

#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
// GCC 12 warns about the "undefined" pass-through operand inside its own
// AVX-512 intrinsics (a known false positive).
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

// 512-bit versions: a zmm holds two 32-weight sub-blocks (Q4_K) or four
// 16-weight groups (Q6_K), so a token costs half the multiply-adds of the
// 256-bit code. Weights are put in natural order once per block (shared by
// the tokens), so each token's activations load straight.

inline float HorizontalSum512(__m512 v) {
  const __m256 high = _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1));  // (no AVX512DQ)
  const __m256 half = _mm256_add_ps(_mm512_castps512_ps256(v), high);
  return HorizontalSum(half);
}

// [lo broadcast over words 0..15, hi over words 16..31].
inline __m512i ScalePair512(int lo, int hi) {
  return _mm512_inserti64x4(_mm512_zextsi256_si512(_mm256_set1_epi16(static_cast<int16_t>(lo))),
                            _mm256_set1_epi16(static_cast<int16_t>(hi)), 1);
}

inline __m512i Load512(const void* p) { return _mm512_loadu_si512(p); }

// Byte-shuffle controls that spread 16-bit scale word a over words 0..15
// and word b over words 16..31 (vpshufb works within 128-bit lanes, and
// every lane holds the same eight scale words).
inline __m512i ScaleSpread512(int a, int b) {
  const __m128i lo = _mm_set1_epi16(static_cast<int16_t>((2 * a) | ((2 * a + 1) << 8)));
  const __m128i hi = _mm_set1_epi16(static_cast<int16_t>((2 * b) | ((2 * b + 1) << 8)));
  const __m256i lo2 = _mm256_set_m128i(lo, lo);
  const __m256i hi2 = _mm256_set_m128i(hi, hi);
  return _mm512_inserti64x4(_mm512_castsi256_si512(lo2), hi2, 1);
}

template <int NT>
inline void Q4KTokens(const BlockQ4K* x, const uint8_t* acts, size_t act_stride, int64_t blocks, float* out,
                      size_t out_stride) {
  const __m512i nibble = _mm512_set1_epi8(0x0F);
  const __m512i spread[4] = {ScaleSpread512(0, 1), ScaleSpread512(2, 3), ScaleSpread512(4, 5),
                             ScaleSpread512(6, 7)};
  // Two accumulators per token: the scale and the min terms are independent
  // chains of fused multiply-adds.
  __m512 acc[NT], acc_min[NT];
  for (int t = 0; t < NT; ++t) acc[t] = acc_min[t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    uint64_t scales, mins;
    UnpackScaleMinK4Words(x[b].scales, &scales, &mins);
    const float xd = HalfToFloat(x[b].d);
    const float xdmin = HalfToFloat(x[b].dmin);
    const __m128i m8 = _mm_cvtsi64_si128(static_cast<int64_t>(mins));
    const __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));  // m0 m0 m1 m1 ... (per bsum pair)
    // The eight scales as 16-bit words, in every 128-bit lane.
    const __m512i scale_words = _mm512_broadcast_i32x4(_mm_cvtepu8_epi16(_mm_cvtsi64_si128(static_cast<int64_t>(scales))));
    // qs[32p + l]: low nibble = weight 64p + l, high nibble = 64p + 32 + l.
    // w[k] = weights 64k .. 64k + 63 in order (sub-blocks 2k, 2k + 1).
    __m512i w[4], sc[4];
    for (int half = 0; half < 2; ++half) {
      const __m512i q = Load512(x[b].qs + 64 * half);  // pairs p = 2 half, 2 half + 1
      const __m512i low = _mm512_and_si512(q, nibble);
      const __m512i high = _mm512_and_si512(_mm512_srli_epi16(q, 4), nibble);
      w[2 * half] = _mm512_shuffle_i64x2(low, high, _MM_SHUFFLE(1, 0, 1, 0));
      w[2 * half + 1] = _mm512_shuffle_i64x2(low, high, _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int k = 0; k < 4; ++k) sc[k] = _mm512_shuffle_epi8(scale_words, spread[k]);
    for (int t = 0; t < NT; ++t) {
      const BlockQ8K& y = TokenBlock<BlockQ8K>(acts, act_stride, t, b);
      __m512i sum0 = _mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_maddubs_epi16(w[0], Load512(y.qs)), sc[0]);
      __m512i sum1 = _mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_maddubs_epi16(w[1], Load512(y.qs + 64)), sc[1]);
      sum0 = _mm512_dpwssd_epi32(sum0, _mm512_maddubs_epi16(w[2], Load512(y.qs + 128)), sc[2]);
      sum1 = _mm512_dpwssd_epi32(sum1, _mm512_maddubs_epi16(w[3], Load512(y.qs + 192)), sc[3]);
      acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(xd * y.d), _mm512_cvtepi32_ps(_mm512_add_epi32(sum0, sum1)), acc[t]);
      // dmin * sum_j mins[j] * (bsums[2j] + bsums[2j+1]), in lanes 0..7.
      const __m256i min_sum = _mm256_madd_epi16(Load256(y.bsums), m16);
      acc_min[t] = _mm512_fmadd_ps(_mm512_set1_ps(xdmin * y.d), _mm512_cvtepi32_ps(_mm512_zextsi256_si512(min_sum)),
                                   acc_min[t]);
    }
  }
  for (int t = 0; t < NT; ++t) out[t * out_stride] = HorizontalSum512(acc[t]) - HorizontalSum512(acc_min[t]);
}

template <int NT>
inline void Q6KTokens(const BlockQ6K* x, const uint8_t* acts, size_t act_stride, int64_t blocks, float* out,
                      size_t out_stride) {
  const __m512i nibble = _mm512_set1_epi8(0x0F);
  const __m512i two_bits = _mm512_set1_epi8(0x03);
  __m512 acc[NT];
  for (int t = 0; t < NT; ++t) acc[t] = _mm512_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const int8_t* s = x[b].scales;
    const __m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)));
    const float xd = HalfToFloat(x[b].d);
    // Half h (128 weights): ql[64h + l] low nibble = weight l (l < 64), high
    // nibble = weight 64 + l; qh[32h + l] bits 2j..2j+1 = top bits of weight
    // 32j + l. q[2h] = weights 0..63 of the half, q[2h + 1] = 64..127.
    __m512i q[4], sc[4];
    for (int h = 0; h < 2; ++h) {
      const __m512i ql = Load512(x[b].ql + 64 * h);
      const __m256i qh = Load256(x[b].qh + 32 * h);
      const __m512i qh01 = _mm512_inserti64x4(_mm512_zextsi256_si512(qh), _mm256_srli_epi16(qh, 2), 1);
      const __m512i qh23 = _mm512_srli_epi16(qh01, 4);
      q[2 * h] = _mm512_or_si512(_mm512_and_si512(ql, nibble), _mm512_slli_epi16(_mm512_and_si512(qh01, two_bits), 4));
      q[2 * h + 1] = _mm512_or_si512(_mm512_and_si512(_mm512_srli_epi16(ql, 4), nibble),
                                     _mm512_slli_epi16(_mm512_and_si512(qh23, two_bits), 4));
    }
    // Group g (16 weights, one 128-bit lane) has scale s[g]: zmm k holds
    // groups 4k .. 4k + 3.
    const __m512i s16x2 = _mm512_zextsi256_si512(s16);
    for (int k = 0; k < 4; ++k) {
      const __m512i index = _mm512_set_epi16(
          4 * k + 3, 4 * k + 3, 4 * k + 3, 4 * k + 3, 4 * k + 3, 4 * k + 3, 4 * k + 3, 4 * k + 3,
          4 * k + 2, 4 * k + 2, 4 * k + 2, 4 * k + 2, 4 * k + 2, 4 * k + 2, 4 * k + 2, 4 * k + 2,
          4 * k + 1, 4 * k + 1, 4 * k + 1, 4 * k + 1, 4 * k + 1, 4 * k + 1, 4 * k + 1, 4 * k + 1,
          4 * k, 4 * k, 4 * k, 4 * k, 4 * k, 4 * k, 4 * k, 4 * k);
      sc[k] = _mm512_permutexvar_epi16(index, s16x2);
    }
    for (int t = 0; t < NT; ++t) {
      const BlockQ8K& y = TokenBlock<BlockQ8K>(acts, act_stride, t, b);
      // sum sc * (q - 32) * y = sum sc * q * y - 32 * sum_g sc[g] * bsums[g].
      const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(Load256(y.bsums), s16), 5);
      __m512i sum0 = _mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_maddubs_epi16(q[0], Load512(y.qs)), sc[0]);
      __m512i sum1 = _mm512_dpwssd_epi32(_mm512_setzero_si512(), _mm512_maddubs_epi16(q[1], Load512(y.qs + 64)), sc[1]);
      sum0 = _mm512_dpwssd_epi32(sum0, _mm512_maddubs_epi16(q[2], Load512(y.qs + 128)), sc[2]);
      sum1 = _mm512_dpwssd_epi32(sum1, _mm512_maddubs_epi16(q[3], Load512(y.qs + 192)), sc[3]);
      const __m512i sum = _mm512_sub_epi32(_mm512_add_epi32(sum0, sum1), _mm512_zextsi256_si512(offset));
      acc[t] = _mm512_fmadd_ps(_mm512_set1_ps(xd * y.d), _mm512_cvtepi32_ps(sum), acc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) out[t * out_stride] = HorizontalSum512(acc[t]);
}

// The single-token Q4_K dot (decode), bit-identical to Q4KTokens<1>.
#include "kernels/x86/dot_q4k_single_impl.h"

#else  // 256-bit versions

// Q4_K x Q8_K: x = d*sc*q - dmin*m per 32-weight sub-block.
template <int NT>
inline void Q4KTokens(const BlockQ4K* x, const uint8_t* acts, size_t act_stride, int64_t blocks, float* out,
                      size_t out_stride) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  __m256 acc[NT], acc_min[NT];
  for (int t = 0; t < NT; ++t) acc[t] = acc_min[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    // Decode the block once: 8 x 32 levels, 8 broadcast scales, the mins.
    uint64_t scale_word, mins_packed;
    UnpackScaleMinK4Words(x[b].scales, &scale_word, &mins_packed);
    uint8_t scales[8];
    std::memcpy(scales, &scale_word, 8);
    const float xd = HalfToFloat(x[b].d);
    const float xdmin = HalfToFloat(x[b].dmin);
    const __m128i m8 = _mm_cvtsi64_si128(static_cast<int64_t>(mins_packed));
    const __m256i m16 = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(m8, m8));  // m0 m0 m1 m1 ... (per bsum pair)
    __m256i w[8], sc[8];
    for (int p = 0; p < 4; ++p) {  // qs[32p + l]: low nibble weight 64p + l, high 64p + 32 + l
      const __m256i q = Load256(x[b].qs + 32 * p);
      w[2 * p] = _mm256_and_si256(q, nibble);
      w[2 * p + 1] = _mm256_and_si256(_mm256_srli_epi16(q, 4), nibble);
      sc[2 * p] = _mm256_set1_epi16(scales[2 * p]);
      sc[2 * p + 1] = _mm256_set1_epi16(scales[2 * p + 1]);
    }
    for (int t = 0; t < NT; ++t) {
      const BlockQ8K& y = TokenBlock<BlockQ8K>(acts, act_stride, t, b);
      // sum_j mins[j] * (bsums[2j] + bsums[2j+1]).
      const __m256i min_sum = _mm256_madd_epi16(Load256(y.bsums), m16);
      acc_min[t] = _mm256_fmadd_ps(_mm256_set1_ps(xdmin * y.d), _mm256_cvtepi32_ps(min_sum), acc_min[t]);
      // Two independent integer chains (VNNI multiply-adds have latency 5).
      __m256i sum_low = _mm256_setzero_si256();
      __m256i sum_high = _mm256_setzero_si256();
      for (int p = 0; p < 4; ++p) {
        sum_low = DotU8S8Scaled(sum_low, w[2 * p], Load256(y.qs + 64 * p), sc[2 * p]);
        sum_high = DotU8S8Scaled(sum_high, w[2 * p + 1], Load256(y.qs + 64 * p + 32), sc[2 * p + 1]);
      }
      const __m256i sum = _mm256_add_epi32(sum_low, sum_high);
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(xd * y.d), _mm256_cvtepi32_ps(sum), acc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) out[t * out_stride] = HorizontalSum(acc[t]) - HorizontalSum(acc_min[t]);
}

// Q6_K x Q8_K: x = d*sc*(q - 32) per 16-weight group; the offset is taken
// out once per block as 32 * sum_g sc[g] * bsums[g].
template <int NT>
inline void Q6KTokens(const BlockQ6K* x, const uint8_t* acts, size_t act_stride, int64_t blocks, float* out,
                      size_t out_stride) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  const __m256i two_bits = _mm256_set1_epi8(0x03);
  __m256 acc[NT];
  for (int t = 0; t < NT; ++t) acc[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    const int8_t* s = x[b].scales;
    const __m256i s16 = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(s)));
    const float xd = HalfToFloat(x[b].d);
    // Stripe k of half h (32 weights at 128h + 32k) = nibble of ql | two
    // bits of qh; its two 16-weight groups have scales s[8h + 2k], s[8h + 2k + 1].
    __m256i q[8], sp[8];
    for (int h = 0; h < 2; ++h) {
      const uint8_t* ql = x[b].ql + 64 * h;
      const __m256i ql0 = Load256(ql);
      const __m256i ql1 = Load256(ql + 32);
      const __m256i qh = Load256(x[b].qh + 32 * h);
      q[4 * h + 0] = _mm256_or_si256(_mm256_and_si256(ql0, nibble), _mm256_slli_epi16(_mm256_and_si256(qh, two_bits), 4));
      q[4 * h + 1] = _mm256_or_si256(_mm256_and_si256(ql1, nibble),
                                     _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 2), two_bits), 4));
      q[4 * h + 2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql0, 4), nibble),
                                     _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 4), two_bits), 4));
      q[4 * h + 3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(ql1, 4), nibble),
                                     _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(qh, 6), two_bits), 4));
      for (int k = 0; k < 4; ++k) sp[4 * h + k] = ScalePair16(s[8 * h + 2 * k], s[8 * h + 2 * k + 1]);
    }
    for (int t = 0; t < NT; ++t) {
      const BlockQ8K& y = TokenBlock<BlockQ8K>(acts, act_stride, t, b);
      const __m256i offset = _mm256_slli_epi32(_mm256_madd_epi16(Load256(y.bsums), s16), 5);
      __m256i sum = _mm256_setzero_si256();
      __m256i sum2 = _mm256_setzero_si256();  // a second chain for latency
      for (int h = 0; h < 2; ++h) {
        const int8_t* yq = y.qs + 128 * h;
        sum = DotU8S8Scaled(sum, q[4 * h + 0], Load256(yq), sp[4 * h + 0]);
        sum2 = DotU8S8Scaled(sum2, q[4 * h + 1], Load256(yq + 32), sp[4 * h + 1]);
        sum = DotU8S8Scaled(sum, q[4 * h + 2], Load256(yq + 64), sp[4 * h + 2]);
        sum2 = DotU8S8Scaled(sum2, q[4 * h + 3], Load256(yq + 96), sp[4 * h + 3]);
      }
      sum = _mm256_sub_epi32(_mm256_add_epi32(sum, sum2), offset);
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(xd * y.d), _mm256_cvtepi32_ps(sum), acc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) out[t * out_stride] = HorizontalSum(acc[t]);
}

#endif  // 512-bit or 256-bit

// Q8_0 x Q8_0: even and odd blocks go to separate accumulators (latency).
template <int NT>
inline void Q8_0Tokens(const BlockQ8_0* x, const uint8_t* acts, size_t act_stride, int64_t blocks, float* out,
                       size_t out_stride) {
  __m256 acc0[NT], acc1[NT];
  for (int t = 0; t < NT; ++t) acc0[t] = acc1[t] = _mm256_setzero_ps();
  // One block for every token; signed x signed as |w| * (y with w's sign),
  // |w| shared by the tokens.
  auto block = [&](int64_t b, __m256* acc) {
    const __m256i w = Load256(x[b].qs);
    const __m256i w_abs = _mm256_sign_epi8(w, w);
    const float xd = HalfToFloat(x[b].d);
    for (int t = 0; t < NT; ++t) {
      const BlockQ8_0& y = TokenBlock<BlockQ8_0>(acts, act_stride, t, b);
      const __m256i sum = DotU8S8(_mm256_setzero_si256(), w_abs, _mm256_sign_epi8(Load256(y.qs), w));
      acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(xd * HalfToFloat(y.d)), _mm256_cvtepi32_ps(sum), acc[t]);
    }
  };
  int64_t b = 0;
  for (; b + 1 < blocks; b += 2) {
    block(b, acc0);
    block(b + 1, acc1);
  }
  if (b < blocks) block(b, acc0);
  for (int t = 0; t < NT; ++t) out[t * out_stride] = HorizontalSum(_mm256_add_ps(acc0[t], acc1[t]));
}

// Runs `Tile<n>` over the tokens, kTokenTile at a time, then the remainder.
template <template <int> class Tile, int N, typename Block>
inline void RunTail(const Block* x, const uint8_t* a, size_t act_stride, int n, int64_t blocks, float* out,
                    size_t out_stride) {
  if constexpr (N > 0) {
    if (n == N) return Tile<N>::Run(x, a, act_stride, blocks, out, out_stride);
    RunTail<Tile, N - 1, Block>(x, a, act_stride, n, blocks, out, out_stride);
  }
}

template <template <int> class Tile, typename Block>
inline void ForTokenTiles(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n, float* out,
                          size_t out_stride, int block_size) {
  const auto* x = static_cast<const Block*>(row);
  const auto* a = static_cast<const uint8_t*>(acts);
  const int64_t blocks = n / block_size;
  int t = 0;
  for (; t + kTokenTile <= n_tokens; t += kTokenTile) {
    Tile<kTokenTile>::Run(x, a + t * act_stride, act_stride, blocks, out + t * out_stride, out_stride);
  }
  RunTail<Tile, kTokenTile - 1, Block>(x, a + t * act_stride, act_stride, n_tokens - t, blocks, out + t * out_stride,
                                       out_stride);
}

template <int NT>
struct Q4KTile {
  static void Run(const BlockQ4K* x, const uint8_t* a, size_t s, int64_t blocks, float* out, size_t os) {
    Q4KTokens<NT>(x, a, s, blocks, out, os);
  }
};
template <int NT>
struct Q6KTile {
  static void Run(const BlockQ6K* x, const uint8_t* a, size_t s, int64_t blocks, float* out, size_t os) {
    Q6KTokens<NT>(x, a, s, blocks, out, os);
  }
};
template <int NT>
struct Q8_0Tile {
  static void Run(const BlockQ8_0* x, const uint8_t* a, size_t s, int64_t blocks, float* out, size_t os) {
    Q8_0Tokens<NT>(x, a, s, blocks, out, os);
  }
};

}  // namespace

float dot_q4_k_q8_k(const void* row, const void* act, int64_t n) {
#if defined(__AVX512BW__) && defined(__AVX512VNNI__)
  return Q4KSingle(static_cast<const BlockQ4K*>(row), static_cast<const BlockQ8K*>(act), n / kQK_K);
#else
  float out;
  Q4KTokens<1>(static_cast<const BlockQ4K*>(row), static_cast<const uint8_t*>(act), 0, n / kQK_K, &out, 0);
  return out;
#endif
}

float dot_q6_k_q8_k(const void* row, const void* act, int64_t n) {
  float out;
  Q6KTokens<1>(static_cast<const BlockQ6K*>(row), static_cast<const uint8_t*>(act), 0, n / kQK_K, &out, 0);
  return out;
}

float dot_q8_0_q8_0(const void* row, const void* act, int64_t n) {
  float out;
  Q8_0Tokens<1>(static_cast<const BlockQ8_0*>(row), static_cast<const uint8_t*>(act), 0, n / kQK, &out, 0);
  return out;
}

void dot_tokens_q4_k_q8_k(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n, float* out,
                          size_t out_stride) {
  ForTokenTiles<Q4KTile, BlockQ4K>(row, acts, act_stride, n_tokens, n, out, out_stride, kQK_K);
}

void dot_tokens_q6_k_q8_k(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n, float* out,
                          size_t out_stride) {
  ForTokenTiles<Q6KTile, BlockQ6K>(row, acts, act_stride, n_tokens, n, out, out_stride, kQK_K);
}

void dot_tokens_q8_0_q8_0(const void* row, const void* acts, size_t act_stride, int n_tokens, int64_t n, float* out,
                          size_t out_stride) {
  ForTokenTiles<Q8_0Tile, BlockQ8_0>(row, acts, act_stride, n_tokens, n, out, out_stride, kQK);
}

}  // namespace pipit::kernels::PIPIT_ISA
