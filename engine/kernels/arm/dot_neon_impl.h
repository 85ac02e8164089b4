// NEON dot products. As in the x86 kernels, each block's integer sum is
// exact and only the float accumulation order differs from the reference.
//
// Compiled twice: dot_neon.cpp (baseline Armv8-A: Raspberry Pi 3/4) and
// dot_neon_dotprod.cpp (+dotprod: SDOT, e.g. Cortex-A76 in the Pi 5), each
// defining PIPIT_NEON_NS (its namespace) first; dispatch picks the dotprod
// table only where the CPU reports the instructions.
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

#include "kernels/arm/neon_kernels.h"
#include "quant/blocks_k.h"
#include "quant/blocks_legacy.h"

#ifndef PIPIT_NEON_NS
#error "define PIPIT_NEON_NS (neon or neon_dotprod) before including dot_neon_impl.h"
#endif

namespace pipit::kernels::PIPIT_NEON_NS {
namespace {

using quant::BlockQ4_0;
using quant::BlockQ4K;
using quant::BlockQ6K;
using quant::BlockQ8_0;
using quant::BlockQ8K;
using quant::kQK;
using quant::kQK_K;

float HalfToFloat(uint16_t h) {
  __fp16 f;
  std::memcpy(&f, &h, sizeof f);
  return static_cast<float>(f);
}

// acc[i] += sum of the four int8 products in lane i.
int32x4_t DotS8(int32x4_t acc, int8x16_t a, int8x16_t b) {
#if defined(__ARM_FEATURE_DOTPROD)
  return vdotq_s32(acc, a, b);
#else
  acc = vpadalq_s16(acc, vmull_s8(vget_low_s8(a), vget_low_s8(b)));
  return vpadalq_s16(acc, vmull_high_s8(a, b));
#endif
}

float DotQ8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ8_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float32x4_t acc = vdupq_n_f32(0);
  for (int64_t b = 0; b < n / kQK; ++b) {
    int32x4_t sum = DotS8(vdupq_n_s32(0), vld1q_s8(x[b].qs), vld1q_s8(y[b].qs));
    sum = DotS8(sum, vld1q_s8(x[b].qs + 16), vld1q_s8(y[b].qs + 16));
    acc = vmlaq_n_f32(acc, vcvtq_f32_s32(sum), HalfToFloat(x[b].d) * HalfToFloat(y[b].d));
  }
  return vaddvq_f32(acc);
}

float DotQ4_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  const uint8x16_t nibble = vdupq_n_u8(0x0F);
  const int8x16_t eight = vdupq_n_s8(8);
  float32x4_t acc = vdupq_n_f32(0);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const uint8x16_t q = vld1q_u8(x[b].qs);
    const int8x16_t low = vsubq_s8(vreinterpretq_s8_u8(vandq_u8(q, nibble)), eight);  // weights 0..15
    const int8x16_t high = vsubq_s8(vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), eight);   // 16..31
    int32x4_t sum = DotS8(vdupq_n_s32(0), low, vld1q_s8(y[b].qs));
    sum = DotS8(sum, high, vld1q_s8(y[b].qs + 16));
    acc = vmlaq_n_f32(acc, vcvtq_f32_s32(sum), HalfToFloat(x[b].d) * HalfToFloat(y[b].d));
  }
  return vaddvq_f32(acc);
}

float DotQ4K(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  const uint8x16_t nibble = vdupq_n_u8(0x0F);
  float sum = 0;
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    // Eight 6-bit (scale, min) pairs (layout: engine/quant/kquant_scales.h).
    const uint8_t* packed = x[b].scales;
    int scales[8], mins[8];
    for (int j = 0; j < 4; ++j) {
      scales[j] = packed[j] & 63;
      mins[j] = packed[j + 4] & 63;
      scales[j + 4] = (packed[j + 8] & 0xF) | ((packed[j] >> 6) << 4);
      mins[j + 4] = (packed[j + 8] >> 4) | ((packed[j + 4] >> 6) << 4);
    }
    int min_sum = 0;
    for (int j = 0; j < 8; ++j) min_sum += mins[j] * (y[b].bsums[2 * j] + y[b].bsums[2 * j + 1]);
    int32x4_t acc = vdupq_n_s32(0);
    for (int p = 0; p < 4; ++p) {  // 64 weights: 32 low nibbles, then 32 high
      const int8_t* yq = y[b].qs + 64 * p;
      int32x4_t low = vdupq_n_s32(0), high = vdupq_n_s32(0);
      for (int half = 0; half < 2; ++half) {
        const uint8x16_t q = vld1q_u8(x[b].qs + 32 * p + 16 * half);
        low = DotS8(low, vreinterpretq_s8_u8(vandq_u8(q, nibble)), vld1q_s8(yq + 16 * half));
        high = DotS8(high, vreinterpretq_s8_u8(vshrq_n_u8(q, 4)), vld1q_s8(yq + 32 + 16 * half));
      }
      acc = vmlaq_n_s32(acc, low, scales[2 * p]);
      acc = vmlaq_n_s32(acc, high, scales[2 * p + 1]);
    }
    const float d = HalfToFloat(x[b].d) * y[b].d;
    const float dmin = HalfToFloat(x[b].dmin) * y[b].d;
    sum += d * static_cast<float>(vaddvq_s32(acc)) - dmin * static_cast<float>(min_sum);
  }
  return sum;
}

float DotQ6K(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ6K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  const uint8x16_t nibble = vdupq_n_u8(0x0F);
  const uint8x16_t two_bits = vdupq_n_u8(0x03);
  const int8x16_t offset = vdupq_n_s8(32);
  float sum = 0;
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    int32x4_t acc = vdupq_n_s32(0);
    for (int h = 0; h < 2; ++h) {  // 128-weight halves; layout in quant/blocks_k.h
      const uint8_t* ql = x[b].ql + 64 * h;
      const uint8_t* qh = x[b].qh + 32 * h;
      const int8_t* yq = y[b].qs + 128 * h;
      const int8_t* sc = x[b].scales + 8 * h;
      for (int part = 0; part < 2; ++part) {  // l = 16*part .. 16*part + 15
        const uint8x16_t l0 = vld1q_u8(ql + 16 * part);
        const uint8x16_t l1 = vld1q_u8(ql + 32 + 16 * part);
        const uint8x16_t hb = vld1q_u8(qh + 16 * part);
        const uint8x16_t levels[4] = {
            vorrq_u8(vandq_u8(l0, nibble), vshlq_n_u8(vandq_u8(hb, two_bits), 4)),
            vorrq_u8(vandq_u8(l1, nibble), vshlq_n_u8(vandq_u8(vshrq_n_u8(hb, 2), two_bits), 4)),
            vorrq_u8(vshrq_n_u8(l0, 4), vshlq_n_u8(vandq_u8(vshrq_n_u8(hb, 4), two_bits), 4)),
            vorrq_u8(vshrq_n_u8(l1, 4), vshlq_n_u8(vshrq_n_u8(hb, 6), 4)),
        };
        for (int s = 0; s < 4; ++s) {  // stripe s: weights 32s + 16*part + (0..15), group 2s + part
          const int8x16_t q = vsubq_s8(vreinterpretq_s8_u8(levels[s]), offset);
          const int32x4_t dot = DotS8(vdupq_n_s32(0), q, vld1q_s8(yq + 32 * s + 16 * part));
          acc = vmlaq_n_s32(acc, dot, sc[2 * s + part]);
        }
      }
    }
    sum += HalfToFloat(x[b].d) * y[b].d * static_cast<float>(vaddvq_s32(acc));
  }
  return sum;
}

}  // namespace

// Fills the table's entries for the formats above (the rest stay scalar).
void FillKernels(KernelSet* set) {
  set->dot[static_cast<int>(DType::Q8_0)] = DotQ8_0;
  set->dot[static_cast<int>(DType::Q4_0)] = DotQ4_0;
  set->dot[static_cast<int>(DType::Q4_K)] = DotQ4K;
  set->dot[static_cast<int>(DType::Q6_K)] = DotQ6K;
}

}  // namespace pipit::kernels::PIPIT_NEON_NS
