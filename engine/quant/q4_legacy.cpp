// Q4_0 and Q4_1: 4-bit weights in blocks of 32 with a half scale (and, for
// Q4_1, a half minimum). Reference code, bit-identical to llama.cpp's
// quantize_row_q4_{0,1}_ref, dequantize_row_q4_{0,1} and
// ggml_vec_dot_q4_{0_q8_0,1_q8_1}_generic.
//
// Products and sums are written as separate statements on purpose: a
// compiler allowed to contract a*b+c into one fused multiply-add (clang's
// default) would otherwise round differently from llama.cpp.
#include <algorithm>

#include "quant/blocks_legacy.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/legacy_common.h"

namespace pipit::quant {

using namespace legacy;

void quantize_row_q4_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4_0*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;  // [32]
    // The largest-magnitude weight maps to level -8 exactly (sign included),
    // which uses the one extra negative level of [-8, 7].
    const float d = SignedAbsMax(x, kQK) / -8;
    const float id = InverseOrZero(d);
    y[b].d = Fp32ToFp16(d);
    for (int j = 0; j < kQK / 2; ++j) {
      const float lo = x[j] * id;
      const float hi = x[j + kQK / 2] * id;
      const int q_lo = std::min(15, static_cast<int>(lo + 8.5f));  // round half up, then clamp
      const int q_hi = std::min(15, static_cast<int>(hi + 8.5f));
      y[b].qs[j] = static_cast<uint8_t>(q_lo | (q_hi << 4));
    }
  }
}

void dequantize_row_q4_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = Fp16ToFp32(x[b].d);
    float* y = dst + b * kQK;  // [32]
    for (int j = 0; j < kQK / 2; ++j) {
      y[j] = static_cast<float>((x[b].qs[j] & 0x0F) - 8) * d;
      y[j + kQK / 2] = static_cast<float>((x[b].qs[j] >> 4) - 8) * d;
    }
  }
}

float dot_q4_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQK; ++b) {
    int sum_q = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      sum_q += ((x[b].qs[j] & 0x0F) - 8) * y[b].qs[j];
      sum_q += ((x[b].qs[j] >> 4) - 8) * y[b].qs[j + kQK / 2];
    }
    // ggml's order: (sum_q * dx) * dy.
    const float scaled = static_cast<float>(sum_q) * Fp16ToFp32(x[b].d);
    const float block = scaled * Fp16ToFp32(y[b].d);
    sum += block;
  }
  return sum;
}

void quantize_row_q4_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ4_1*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;  // [32]
    float min, max;
    MinMax(x, kQK, &min, &max);
    const float d = (max - min) / 15;
    const float id = InverseOrZero(d);
    y[b].d = Fp32ToFp16(d);
    y[b].m = Fp32ToFp16(min);
    for (int j = 0; j < kQK / 2; ++j) {
      const float lo = (x[j] - min) * id;
      const float hi = (x[j + kQK / 2] - min) * id;
      const int q_lo = std::min(15, static_cast<int>(lo + 0.5f));
      const int q_hi = std::min(15, static_cast<int>(hi + 0.5f));
      y[b].qs[j] = static_cast<uint8_t>(q_lo | (q_hi << 4));
    }
  }
}

void dequantize_row_q4_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ4_1*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = Fp16ToFp32(x[b].d);
    const float m = Fp16ToFp32(x[b].m);
    float* y = dst + b * kQK;  // [32]
    for (int j = 0; j < kQK / 2; ++j) {
      const float lo = static_cast<float>(x[b].qs[j] & 0x0F) * d;
      const float hi = static_cast<float>(x[b].qs[j] >> 4) * d;
      y[j] = lo + m;
      y[j + kQK / 2] = hi + m;
    }
  }
}

float dot_q4_1_q8_1(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ4_1*>(row);
  const auto* y = static_cast<const BlockQ8_1*>(act);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQK; ++b) {
    int sum_q = 0;
    for (int j = 0; j < kQK / 2; ++j) {
      sum_q += (x[b].qs[j] & 0x0F) * y[b].qs[j];
      sum_q += (x[b].qs[j] >> 4) * y[b].qs[j + kQK / 2];
    }
    // sum((d*q + m) * a) = dx*dy*sum_q + m*s, with s = dy*sum(qa).
    const float dd = Fp16ToFp32(x[b].d) * Fp16ToFp32(y[b].d);
    const float scaled = dd * static_cast<float>(sum_q);
    const float offset = Fp16ToFp32(x[b].m) * Fp16ToFp32(y[b].s);
    const float block = scaled + offset;
    sum += block;
  }
  return sum;
}

}  // namespace pipit::quant
