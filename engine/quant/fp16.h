// IEEE binary16 ("half", FP16) and bfloat16 (BF16) <-> float conversions in
// portable C++ (bit manipulation only), bit-identical to llama.cpp's
// reference conversions:
//   Fp16ToFp32: exact for every half; NaNs keep sign and payload and come out
//               quiet (as ggml's and F16C's conversions do).
//   Fp32ToFp16: round to nearest, ties to even; overflow gives +-inf; every
//               NaN becomes 0x7E00 with its sign (ggml_fp32_to_fp16; F16C
//               would keep the payload instead, the only difference).
//   Bf16ToFp32: exact (a shift).
//   Fp32ToBf16: round to nearest even; NaNs are truncated and forced quiet
//               (ggml_compute_fp32_to_bf16).
// Halves and bf16 values are stored as raw uint16_t bits everywhere.
#pragma once

#include <bit>
#include <cstdint>

namespace pipit {

constexpr float Fp16ToFp32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000u) << 16;
  const uint32_t exponent = (h >> 10) & 0x1Fu;
  const uint32_t mantissa = h & 0x3FFu;
  if (exponent == 0x1F) {
    // Inf stays inf; a NaN keeps its payload and gets the quiet bit.
    const uint32_t quiet = mantissa != 0 ? 0x00400000u : 0u;
    return std::bit_cast<float>(sign | 0x7F800000u | (mantissa << 13) | quiet);
  }
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in float.
    const float magnitude = static_cast<float>(mantissa) * 0x1p-24f;
    return std::bit_cast<float>(sign | std::bit_cast<uint32_t>(magnitude));
  }
  // Normal: rebias the exponent from 15 to 127.
  return std::bit_cast<float>(sign | ((exponent + (127 - 15)) << 23) | (mantissa << 13));
}

constexpr uint16_t Fp32ToFp16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  const uint16_t sign = static_cast<uint16_t>((bits >> 16) & 0x8000u);
  const uint32_t magnitude = bits & 0x7FFFFFFFu;
  if (magnitude > 0x7F800000u) return sign | 0x7E00u;  // NaN
  // 65520 (0x477FF000) is halfway between the largest half, 65504, and 2^16;
  // ties go to the even neighbour, which is 2^16: infinity.
  if (magnitude >= 0x477FF000u) return sign | 0x7C00u;
  if (magnitude >= 0x38800000u) {
    // Normal half (|f| >= 2^-14). Round the 23-bit mantissa to 10 bits, ties
    // to even; a carry out of the mantissa correctly bumps the exponent.
    const uint32_t round_bit_and_even = 0x0FFFu + ((magnitude >> 13) & 1u);
    const uint32_t rounded = magnitude + round_bit_and_even;
    return sign | static_cast<uint16_t>((rounded - ((127u - 15u) << 23)) >> 13);
  }
  // Subnormal half or zero. Adding 0.5f puts the value's bits at the place
  // where 0.5f's last mantissa bit weighs 2^-24 (one half subnormal step), so
  // the float adder does the round-to-nearest-even for us.
  const float shifted = std::bit_cast<float>(magnitude) + 0.5f;
  return sign | static_cast<uint16_t>(std::bit_cast<uint32_t>(shifted) - std::bit_cast<uint32_t>(0.5f));
}

constexpr float Bf16ToFp32(uint16_t h) { return std::bit_cast<float>(static_cast<uint32_t>(h) << 16); }

constexpr uint16_t Fp32ToBf16(float f) {
  const uint32_t bits = std::bit_cast<uint32_t>(f);
  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return static_cast<uint16_t>((bits >> 16) | 0x40u);  // quiet NaN
  const uint32_t round_bit_and_even = 0x7FFFu + ((bits >> 16) & 1u);
  return static_cast<uint16_t>((bits + round_bit_and_even) >> 16);
}

}  // namespace pipit
