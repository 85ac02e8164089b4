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
// accumulators live next to the decoded block.
constexpr int kTokenTile = 4;

// Q4_K: eight 6-bit (scale, min) pairs from 12 bytes (layout in
// engine/quant/kquant_scales.h).
inline void UnpackScaleMinK4(const uint8_t* packed, uint8_t scales[8], uint8_t mins[8]) {
  for (int j = 0; j < 4; ++j) {
    scales[j] = packed[j] & 63;
    mins[j] = packed[j + 4] & 63;
    scales[j + 4] = static_cast<uint8_t>((packed[j + 8] & 0xF) | ((packed[j] >> 6) << 4));
    mins[j + 4] = static_cast<uint8_t>((packed[j + 8] >> 4) | ((packed[j + 4] >> 6) << 4));
  }
}

template <typename Block>
inline const Block& TokenBlock(const uint8_t* acts, size_t act_stride, int t, int64_t b) {
  return reinterpret_cast<const Block*>(acts + t * act_stride)[b];
}

// Q4_K x Q8_K: x = d*sc*q - dmin*m per 32-weight sub-block.
template <int NT>
inline void Q4KTokens(const BlockQ4K* x, const uint8_t* acts, size_t act_stride, int64_t blocks, float* out,
                      size_t out_stride) {
  const __m256i nibble = _mm256_set1_epi8(0x0F);
  __m256 acc[NT], acc_min[NT];
  for (int t = 0; t < NT; ++t) acc[t] = acc_min[t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    // Decode the block once: 8 x 32 levels, 8 broadcast scales, the mins.
    uint8_t scales[8], mins[8];
    UnpackScaleMinK4(x[b].scales, scales, mins);
    const float xd = HalfToFloat(x[b].d);
    const float xdmin = HalfToFloat(x[b].dmin);
    uint64_t mins_packed;
    std::memcpy(&mins_packed, mins, 8);
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

// Q8_0 x Q8_0: even and odd blocks go to separate accumulators (latency).
template <int NT>
inline void Q8_0Tokens(const BlockQ8_0* x, const uint8_t* acts, size_t act_stride, int64_t blocks, float* out,
                       size_t out_stride) {
  __m256 acc[2][NT];
  for (int t = 0; t < NT; ++t) acc[0][t] = acc[1][t] = _mm256_setzero_ps();
  for (int64_t b = 0; b < blocks; ++b) {
    // Signed x signed as |w| * (y with w's sign): |w| is shared by the tokens.
    const __m256i w = Load256(x[b].qs);
    const __m256i w_abs = _mm256_sign_epi8(w, w);
    const float xd = HalfToFloat(x[b].d);
    __m256* lane_acc = acc[b & 1];
    for (int t = 0; t < NT; ++t) {
      const BlockQ8_0& y = TokenBlock<BlockQ8_0>(acts, act_stride, t, b);
      const __m256i sum = DotU8S8(_mm256_setzero_si256(), w_abs, _mm256_sign_epi8(Load256(y.qs), w));
      lane_acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(xd * HalfToFloat(y.d)), _mm256_cvtepi32_ps(sum), lane_acc[t]);
    }
  }
  for (int t = 0; t < NT; ++t) out[t * out_stride] = HorizontalSum(_mm256_add_ps(acc[0][t], acc[1][t]));
}

// Runs `Tile<n>` over the tokens, kTokenTile at a time, then the remainder.
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
  switch (n_tokens - t) {
    case 3: Tile<3>::Run(x, a + t * act_stride, act_stride, blocks, out + t * out_stride, out_stride); break;
    case 2: Tile<2>::Run(x, a + t * act_stride, act_stride, blocks, out + t * out_stride, out_stride); break;
    case 1: Tile<1>::Run(x, a + t * act_stride, act_stride, blocks, out + t * out_stride, out_stride); break;
    default: break;
  }
}
static_assert(kTokenTile == 4, "ForTokenTiles handles remainders of up to 3 tokens");

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
  float out;
  Q4KTokens<1>(static_cast<const BlockQ4K*>(row), static_cast<const uint8_t*>(act), 0, n / kQK_K, &out, 0);
  return out;
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
