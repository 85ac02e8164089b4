// Single-token Q4_K x Q8_K dot for the AVX-512 table (decode: one token,
// so nothing is shared between tokens and the per-block instruction count
// is the speed). Included by dot_tokens_impl.h inside its AVX-512 section
// (namespace pipit::kernels::PIPIT_ISA, anonymous namespace), after
// Q4KTokens and HorizontalSum512.
//
// Bit-identical to Q4KTokens<NT> for every token: per block the same integer
// lands in every lane of the scaled sum S (lane i: the four 4-weight groups
// that Q4KTokens' vpdpwssd folds into lane i) and of the min sum (integer
// sums are exact, so they may be formed in another order), followed by the
// same two fused multiply-adds with the same factors, and the same final
// reduction. What changes is the work around them:
//  - the (scale, min) bytes of four blocks are unpacked at once with vector
//    byte shuffles and shifts (one block per 128-bit lane) instead of scalar
//    bit operations per block;
//  - d and dmin are converted with one vcvtph2ps and multiplied by the
//    activation scale with one vmulps;
//  - the weights in natural order come from broadcast loads (one word shift
//    and one mask each) instead of 256-bit lane shuffles;
//  - S needs no zeroed accumulators (vpmaddwd starts each chain), and the
//    constants are loaded from tables (a row is only 8..22 blocks).

// Header layout: every 128-bit lane holds one block's
// 16-byte header: d (0..1), dmin (2..3), scale bytes a (4..7), b (8..11),
// c (12..15). The unpacked lane U holds scales s0..s7 in bytes 0..7 and
// mins m0..m7 in bytes 8..15 (engine/quant/kquant_scales.h):
//   s[j] = a[j] & 63,  s[4 + j] = (c[j] & 15) | (a[j] >> 6) << 4,
//   m[j] = b[j] & 63,  m[4 + j] = (c[j] >> 4) | (b[j] >> 6) << 4.

// vpshufb controls and shift counts as tables: loading them is cheaper per
// call than building them in registers (a row is only 8..22 blocks).
struct Q4KSingleTables {
  // spread[k]: byte 2k of each lane zero-extended to words 0..15, byte
  // 2k + 1 to words 16..31 (as Q4KTokens' sc[k] from U).
  alignas(64) uint8_t spread[4][64];
  // mins as words m0 m0 m1 m1 ... m7 m7 (one per bsum, as Q4KTokens' m16).
  alignas(32) uint8_t spread_mins[32];
  // Word shifts: 0 for the low 256 bits (low nibbles), 4 for the high.
  alignas(64) uint16_t nibble_shift[32];
};

constexpr Q4KSingleTables MakeQ4KSingleTables() {
  Q4KSingleTables t{};
  for (int k = 0; k < 4; ++k) {
    for (int i = 0; i < 64; ++i) t.spread[k][i] = i % 2 ? 0x80 : (i < 32 ? 2 * k : 2 * k + 1);
  }
  for (int i = 0; i < 32; ++i) t.spread_mins[i] = i % 2 ? 0x80 : 8 + i / 4;
  for (int i = 0; i < 32; ++i) t.nibble_shift[i] = i < 16 ? 0 : 4;
  return t;
}

alignas(64) constexpr Q4KSingleTables kQ4KSingleTables = MakeQ4KSingleTables();

struct Q4KSingleConstants {
  __m512i nibble = _mm512_set1_epi8(0x0F);
  __m512i nibble_shift = _mm512_load_si512(kQ4KSingleTables.nibble_shift);
  // Unpacking: [a c b c], the second c shifted right by 4 (word shifts).
  __m512i take_acbc = _mm512_broadcast_i32x4(_mm_setr_epi8(4, 5, 6, 7, 12, 13, 14, 15, 8, 9, 10, 11, 12, 13, 14, 15));
  __m512i shift_acbc = _mm512_broadcast_i32x4(_mm_setr_epi16(0, 0, 0, 0, 0, 0, 4, 4));
  __m512i keep_acbc = _mm512_broadcast_i32x4(_mm_setr_epi32(0x3F3F3F3F, 0x0F0F0F0F, 0x3F3F3F3F, 0x0F0F0F0F));
  // [0 a 0 b] shifted right by 2 puts the top two bits of a[j] / b[j] at
  // bits 4..5 of byte j.
  __m512i take_0a0b = _mm512_broadcast_i32x4(
      _mm_setr_epi8(-128, -128, -128, -128, 4, 5, 6, 7, -128, -128, -128, -128, 8, 9, 10, 11));
  __m512i bits45 = _mm512_set1_epi8(0x30);
  __m512i spread[4] = {_mm512_load_si512(kQ4KSingleTables.spread[0]), _mm512_load_si512(kQ4KSingleTables.spread[1]),
                       _mm512_load_si512(kQ4KSingleTables.spread[2]), _mm512_load_si512(kQ4KSingleTables.spread[3])};
  __m256i spread_mins = _mm256_load_si256(reinterpret_cast<const __m256i*>(kQ4KSingleTables.spread_mins));
  __m256i lane1 = _mm256_set1_epi32(1);
};

// Unpacks the headers in the four 128-bit lanes of h into U per lane.
inline __m512i UnpackScaleMinBytes4(const Q4KSingleConstants& k, __m512i h) {
  const __m512i acbc = _mm512_srlv_epi16(_mm512_shuffle_epi8(h, k.take_acbc), k.shift_acbc);
  const __m512i high_bits = _mm512_and_si512(_mm512_srli_epi16(_mm512_shuffle_epi8(h, k.take_0a0b), 2), k.bits45);
  return _mm512_ternarylogic_epi32(acbc, k.keep_acbc, high_bits, 0xEA);  // (acbc & keep) | high_bits
}

inline __m128i LoadHeader(const BlockQ4K& x) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(&x)); }

// One block; unpacked = U of this block in every 128-bit lane.
inline void Q4KSingleBlock(const Q4KSingleConstants& k, const BlockQ4K& x, const BlockQ8K& y, __m512i unpacked,
                           __m512& acc, __m256& acc_min) {
  // [d * y.d, dmin * y.d, -, -]: the same float products as Q4KTokens.
  const __m128 d_dmin = _mm_cvtph_ps(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(&x)));
  const __m128 factors = _mm_mul_ps(d_dmin, _mm_set1_ps(y.d));
  // w[j] = weights 64j .. 64j + 63 in order (as Q4KTokens): the 32 bytes
  // qs[32j ..] in both halves, low nibbles kept in the low half, high
  // nibbles in the high half (a broadcast load needs no shuffle).
  __m512i w[4];
  for (int j = 0; j < 4; ++j) {
    const __m512i q = _mm512_broadcast_i64x4(Load256(x.qs + 32 * j));
    w[j] = _mm512_and_si512(_mm512_srlv_epi16(q, k.nibble_shift), k.nibble);
  }
  // Lane i: the sum Q4KTokens forms as sum0 + sum1 (two short chains).
  __m512i sum0 =
      _mm512_madd_epi16(_mm512_maddubs_epi16(w[0], Load512(y.qs)), _mm512_shuffle_epi8(unpacked, k.spread[0]));
  __m512i sum1 =
      _mm512_madd_epi16(_mm512_maddubs_epi16(w[1], Load512(y.qs + 64)), _mm512_shuffle_epi8(unpacked, k.spread[1]));
  sum0 = _mm512_dpwssd_epi32(sum0, _mm512_maddubs_epi16(w[2], Load512(y.qs + 128)),
                             _mm512_shuffle_epi8(unpacked, k.spread[2]));
  sum1 = _mm512_dpwssd_epi32(sum1, _mm512_maddubs_epi16(w[3], Load512(y.qs + 192)),
                             _mm512_shuffle_epi8(unpacked, k.spread[3]));
  const __m512i sum = _mm512_add_epi32(sum0, sum1);
  acc = _mm512_fmadd_ps(_mm512_broadcastss_ps(factors), _mm512_cvtepi32_ps(sum), acc);
  const __m256i mins = _mm256_shuffle_epi8(_mm512_castsi512_si256(unpacked), k.spread_mins);
  const __m256i min_sum = _mm256_madd_epi16(Load256(y.bsums), mins);
  acc_min = _mm256_fmadd_ps(_mm256_permutexvar_ps(k.lane1, _mm256_castps128_ps256(factors)),
                            _mm256_cvtepi32_ps(min_sum), acc_min);
}

inline float Q4KSingle(const BlockQ4K* x, const BlockQ8K* y, int64_t blocks) {
  const Q4KSingleConstants k;
  __m512 acc = _mm512_setzero_ps();
  __m256 acc_min = _mm256_setzero_ps();  // Q4KTokens' lanes 0..7 (8..15 stay +0)
  int64_t b = 0;
  for (; b + 4 <= blocks; b += 4) {
    __m512i h = _mm512_castsi128_si512(LoadHeader(x[b]));
    h = _mm512_inserti32x4(h, LoadHeader(x[b + 1]), 1);
    h = _mm512_inserti32x4(h, LoadHeader(x[b + 2]), 2);
    h = _mm512_inserti32x4(h, LoadHeader(x[b + 3]), 3);
    const __m512i u = UnpackScaleMinBytes4(k, h);
    Q4KSingleBlock(k, x[b], y[b], _mm512_shuffle_i32x4(u, u, 0x00), acc, acc_min);
    Q4KSingleBlock(k, x[b + 1], y[b + 1], _mm512_shuffle_i32x4(u, u, 0x55), acc, acc_min);
    Q4KSingleBlock(k, x[b + 2], y[b + 2], _mm512_shuffle_i32x4(u, u, 0xAA), acc, acc_min);
    Q4KSingleBlock(k, x[b + 3], y[b + 3], _mm512_shuffle_i32x4(u, u, 0xFF), acc, acc_min);
  }
  for (; b < blocks; ++b) {
    const __m512i u = UnpackScaleMinBytes4(k, _mm512_broadcast_i32x4(LoadHeader(x[b])));
    Q4KSingleBlock(k, x[b], y[b], u, acc, acc_min);
  }
  return HorizontalSum512(acc) - HorizontalSum512(_mm512_zextps256_ps512(acc_min));
}
