// The Armv8-M DSP instructions the Cortex-M33 kernels use, as tiny inline
// functions: the ACLE intrinsics when the target has them
// (__ARM_FEATURE_DSP), exact C emulations otherwise. The emulations let the
// host tests (tests/unit/test_kernels_m33.cpp) run the very same kernel
// source; the firmware's QEMU run and its /selftest cover the instructions.
//
//   Sxtb16(x)      = [sext(x.b2) : sext(x.b0)]          16-bit lanes [hi : lo]
//   Sxtb16Ror8(x)  = [sext(x.b3) : sext(x.b1)]          (SXTB16 Rd, Rm, ROR #8)
//   Smlad(a, b, c) = c + a.lo * b.lo + a.hi * b.hi      (signed 16-bit lanes, wraps)
//   Ssub8(a, b)    = per-byte a - b, modulo 256
#pragma once

#include <cstdint>
#include <cstring>

#include "quant/fp16.h"

#if defined(__ARM_FEATURE_DSP) && !defined(__aarch64__)
#include <arm_acle.h>
#define PIPIT_M33_DSP 1
#endif
// Single-precision FPU (FPv5 on the M33): VCVTB converts a half exactly.
#if PIPIT_M33_DSP && defined(__ARM_FP) && (__ARM_FP & 4)
#define PIPIT_M33_FPU 1
#endif

namespace pipit::kernels::m33 {

// A 32-bit little-endian load from any address (the M33 allows unaligned
// LDR; quant blocks are 2-byte aligned).
inline uint32_t Load32(const void* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

#if PIPIT_M33_DSP

inline uint32_t Sxtb16(uint32_t x) { return static_cast<uint32_t>(__sxtb16(static_cast<int32_t>(x))); }
// ACLE has no rotated form and GCC 12 does not fold a separate ROR into
// SXTB16, so this one is spelled out (saves an instruction per word).
inline uint32_t Sxtb16Ror8(uint32_t x) {
  uint32_t out;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(out) : "r"(x));
  return out;
}
inline int32_t Smlad(uint32_t a, uint32_t b, int32_t acc) {
  return __smlad(static_cast<int32_t>(a), static_cast<int32_t>(b), acc);
}
inline uint32_t Ssub8(uint32_t a, uint32_t b) {
  return static_cast<uint32_t>(__ssub8(static_cast<int32_t>(a), static_cast<int32_t>(b)));
}

#else

inline uint32_t SignExtendByte(uint32_t byte) {
  return static_cast<uint32_t>(static_cast<int32_t>(static_cast<int8_t>(byte & 0xFF))) & 0xFFFF;
}
inline uint32_t Sxtb16(uint32_t x) { return SignExtendByte(x) | (SignExtendByte(x >> 16) << 16); }
inline uint32_t Sxtb16Ror8(uint32_t x) { return Sxtb16((x >> 8) | (x << 24)); }
inline int32_t Smlad(uint32_t a, uint32_t b, int32_t acc) {
  const int32_t lo = static_cast<int16_t>(a & 0xFFFF) * static_cast<int16_t>(b & 0xFFFF);
  const int32_t hi = static_cast<int16_t>(a >> 16) * static_cast<int16_t>(b >> 16);
  // The instruction wraps modulo 2^32 (and sets the Q flag); so do we.
  return static_cast<int32_t>(static_cast<uint32_t>(acc) + static_cast<uint32_t>(lo) + static_cast<uint32_t>(hi));
}
inline uint32_t Ssub8(uint32_t a, uint32_t b) {
  uint32_t out = 0;
  for (int i = 0; i < 32; i += 8) out |= (((a >> i) - (b >> i)) & 0xFF) << i;
  return out;
}

#endif

// Half to float, exact for every half (NaNs come out quiet with their
// payload, as Fp16ToFp32, while FPSCR.DN and FPSCR.AHP are 0, their reset
// values).
#if PIPIT_M33_FPU
inline float HalfToFloat(uint16_t h) {
  float out;
  __asm__("vmov %0, %1\n\tvcvtb.f32.f16 %0, %0" : "=t"(out) : "r"(static_cast<uint32_t>(h)));
  return out;
}
#else
inline float HalfToFloat(uint16_t h) { return Fp16ToFp32(h); }
#endif

}  // namespace pipit::kernels::m33
