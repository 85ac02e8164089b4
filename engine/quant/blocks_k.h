// Block layouts of the k-quant formats (llama.cpp's "super-blocks" of 256
// weights). Layouts and sizes are fixed by the GGUF files we read, so every
// struct carries a static_assert on its size. Halves are stored as raw
// IEEE binary16 bits (uint16_t); engine/quant/fp16.h converts them.
#pragma once

#include <cstdint>

namespace pipit::quant {

inline constexpr int kQK_K = 256;        // weights per super-block
inline constexpr int kKScaleBytes = 12;  // 8 (scale, min) or 16 scales packed as 6 bits

// Q2_K: 16 sub-blocks of 16 weights, x = d*sc*q - dmin*m with q in [0, 3].
// scales[j]: low nibble = sc (4-bit scale), high nibble = m (4-bit min).
// qs: 2 bits per weight; byte qs[32*h + l] holds weights 128*h + 32*s + l in
// bits 2s..2s+1 (s = 0..3): each 128-weight half is four 32-weight stripes.
struct BlockQ2K {
  uint8_t scales[kQK_K / 16];
  uint8_t qs[kQK_K / 4];
  uint16_t d;     // half: scale of the 4-bit scales
  uint16_t dmin;  // half: scale of the 4-bit mins
};
static_assert(sizeof(BlockQ2K) == 84, "block_q2_K is 84 bytes");

// Q3_K: 16 sub-blocks of 16 weights, x = d*(sc-32)*(q-4) with q in [0, 7].
// Low 2 bits of q in qs (same stripe order as Q2_K); bit 2 of weight e is
// bit e/32 of hmask[e%32] (a SET bit means "no -4", i.e. q >= 4).
// scales: sixteen 6-bit values (see PackScalesQ3K).
struct BlockQ3K {
  uint8_t hmask[kQK_K / 8];
  uint8_t qs[kQK_K / 4];
  uint8_t scales[kKScaleBytes];
  uint16_t d;  // half
};
static_assert(sizeof(BlockQ3K) == 110, "block_q3_K is 110 bytes");

// Q4_K: 8 sub-blocks of 32 weights, x = d*sc*q - dmin*m with q in [0, 15].
// qs[32*p + l]: low nibble = weight 64p + l, high nibble = weight 64p + 32 + l.
// scales: eight 6-bit (sc, m) pairs (see GetScaleMinK4).
struct BlockQ4K {
  uint16_t d;     // half
  uint16_t dmin;  // half
  uint8_t scales[kKScaleBytes];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ4K) == 144, "block_q4_K is 144 bytes");

// Q5_K: as Q4_K with a fifth bit: q in [0, 31]; bit 4 of weight 64p + l is
// bit 2p of qh[l], of weight 64p + 32 + l bit 2p+1 of qh[l].
struct BlockQ5K {
  uint16_t d;     // half
  uint16_t dmin;  // half
  uint8_t scales[kKScaleBytes];
  uint8_t qh[kQK_K / 8];
  uint8_t qs[kQK_K / 2];
};
static_assert(sizeof(BlockQ5K) == 176, "block_q5_K is 176 bytes");

// Q6_K: 16 sub-blocks of 16 weights, x = d*scales[s]*(q-32) with q in [0, 63].
// Per 128-weight half h (ql += 64h, qh += 32h), for l in 0..31:
//   weight 128h +      l: ql[l]    low nibble,  qh[l] bits 0-1
//   weight 128h + 32 + l: ql[l+32] low nibble,  qh[l] bits 2-3
//   weight 128h + 64 + l: ql[l]    high nibble, qh[l] bits 4-5
//   weight 128h + 96 + l: ql[l+32] high nibble, qh[l] bits 6-7
struct BlockQ6K {
  uint8_t ql[kQK_K / 2];
  uint8_t qh[kQK_K / 4];
  int8_t scales[kQK_K / 16];
  uint16_t d;  // half
};
static_assert(sizeof(BlockQ6K) == 210, "block_q6_K is 210 bytes");

// Q8_K: activations for k-quant dot products. x = d*qs; bsums[g] is the sum
// of qs[16g .. 16g+15] (lets the dot product apply the mins per sub-block).
struct BlockQ8K {
  float d;
  int8_t qs[kQK_K];
  int16_t bsums[kQK_K / 16];
};
static_assert(sizeof(BlockQ8K) == 292, "block_q8_K is 292 bytes");

}  // namespace pipit::quant
