// The 12-byte packings of 6-bit sub-block scales used by Q3_K (sixteen
// scales) and Q4_K/Q5_K (eight scale/min pairs).
#pragma once

#include <cstdint>
#include <cstring>

namespace pipit::quant {

// Q3_K: scale j (a 6-bit value v, meaning v - 32) keeps its low nibble in
// bytes 0..7 (j < 8: low nibble of byte j; j >= 8: high nibble of byte j-8)
// and its top two bits in byte 8 + j%4 at bit 2*(j/4).
inline int Q3KScale(const uint8_t* packed, int j) {
  const int low = j < 8 ? (packed[j] & 0xF) : (packed[j - 8] >> 4);
  const int high = (packed[8 + j % 4] >> (2 * (j / 4))) & 3;
  return (low | (high << 4)) - 32;
}

// Writes sixteen 6-bit values (0..63) in the layout Q3KScale reads.
inline void PackQ3KScales(const uint8_t values[16], uint8_t* packed) {
  std::memset(packed, 0, 12);
  for (int j = 0; j < 16; ++j) {
    const uint8_t v = values[j];
    if (j < 8) {
      packed[j] = v & 0xF;
    } else {
      packed[j - 8] |= static_cast<uint8_t>((v & 0xF) << 4);
    }
    packed[8 + j % 4] |= static_cast<uint8_t>((v >> 4) << (2 * (j / 4)));
  }
}

// Q4_K/Q5_K: pair j's 6-bit scale and min. Pairs 0..3 sit in the low six
// bits of bytes j (scale) and j+4 (min); pairs 4..7 keep their low nibbles in
// byte j+4 (scale low, min high) and their top two bits in the spare high
// bits of bytes j-4 (scale) and j (min). (llama.cpp's get_scale_min_k4.)
inline void GetScaleMinK4(int j, const uint8_t* packed, uint8_t* scale, uint8_t* min) {
  if (j < 4) {
    *scale = packed[j] & 63;
    *min = packed[j + 4] & 63;
  } else {
    *scale = static_cast<uint8_t>((packed[j + 4] & 0xF) | ((packed[j - 4] >> 6) << 4));
    *min = static_cast<uint8_t>((packed[j + 4] >> 4) | ((packed[j] >> 6) << 4));
  }
}

// Writes eight (scale, min) pairs of 6-bit values in the layout GetScaleMinK4
// reads.
inline void PackScaleMinK4(const uint8_t scales[8], const uint8_t mins[8], uint8_t* packed) {
  for (int j = 0; j < 8; ++j) {
    const uint8_t ls = scales[j];
    const uint8_t lm = mins[j];
    if (j < 4) {
      packed[j] = ls;
      packed[j + 4] = lm;
    } else {
      packed[j + 4] = static_cast<uint8_t>((ls & 0xF) | ((lm & 0xF) << 4));
      packed[j - 4] |= static_cast<uint8_t>((ls >> 4) << 6);
      packed[j] |= static_cast<uint8_t>((lm >> 4) << 6);
    }
  }
}

}  // namespace pipit::quant
