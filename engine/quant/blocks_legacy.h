// Block layouts of llama.cpp's original ("legacy") quant formats: 32 weights
// per block, one half-precision scale, packed integer quants. Layouts and sizes
// are fixed by the GGUF files we read, so each struct has a static_assert on
// its size. Halves are raw IEEE binary16 bits (see quant/fp16.h).
//
// Element order inside a block: for the 4- and 5-bit formats, byte qs[j]
// holds weight j in its low nibble and weight j + 16 in its high nibble.
#pragma once

#include <cstdint>

namespace pipit::quant {

inline constexpr int kQK = 32;  // weights per legacy block

// Q4_0: x = d * (q - 8), q in [0, 15].
struct BlockQ4_0 {
  uint16_t d;            // half: scale
  uint8_t qs[kQK / 2];   // nibbles
};
static_assert(sizeof(BlockQ4_0) == 18, "block_q4_0 is 18 bytes");

// Q4_1: x = d * q + m, q in [0, 15].
struct BlockQ4_1 {
  uint16_t d;            // half: scale
  uint16_t m;            // half: minimum
  uint8_t qs[kQK / 2];   // nibbles
};
static_assert(sizeof(BlockQ4_1) == 20, "block_q4_1 is 20 bytes");

// Q5_0: x = d * (q - 16), q in [0, 31]. Bit 4 of weight j is bit j of the
// little-endian 32-bit word qh.
struct BlockQ5_0 {
  uint16_t d;            // half: scale
  uint8_t qh[4];         // fifth bits (unaligned: read with memcpy)
  uint8_t qs[kQK / 2];   // low nibbles
};
static_assert(sizeof(BlockQ5_0) == 22, "block_q5_0 is 22 bytes");

// Q5_1: x = d * q + m, q in [0, 31]; qh as in Q5_0.
struct BlockQ5_1 {
  uint16_t d;            // half: scale
  uint16_t m;            // half: minimum
  uint8_t qh[4];         // fifth bits
  uint8_t qs[kQK / 2];   // low nibbles
};
static_assert(sizeof(BlockQ5_1) == 24, "block_q5_1 is 24 bytes");

// Q8_0: x = d * q, q in [-127, 127].
struct BlockQ8_0 {
  uint16_t d;            // half: scale
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8_0) == 34, "block_q8_0 is 34 bytes");

// Q8_1: activations for Q4_1/Q5_1 dots. s carries d * sum(qs) so that the
// weight's minimum term needs no per-element work: sum((dq+m)*a) =
// dw*da*sum(q*qa) + m*s.
struct BlockQ8_1 {
  uint16_t d;            // half: scale
  uint16_t s;            // half: d * sum(qs)
  int8_t qs[kQK];
};
static_assert(sizeof(BlockQ8_1) == 36, "block_q8_1 is 36 bytes");

}  // namespace pipit::quant
