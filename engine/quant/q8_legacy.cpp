// Q8_0 and Q8_1: 8-bit symmetric blocks of 32. Q8_0 is both a weight format
// and the activation format for Q4_0/Q5_0/Q8_0 dots; Q8_1 (which also stores
// d * sum(q)) is the activation format for Q4_1/Q5_1. Reference code,
// bit-identical to llama.cpp's quantize_row_q8_{0,1}_ref, dequantize_row_q8_0
// and ggml_vec_dot_q8_0_q8_0_generic.
#include <cmath>

#include "quant/blocks_legacy.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/legacy_common.h"

namespace pipit::quant {

using namespace legacy;

namespace {

// Shared by Q8_0 and Q8_1: d = absmax / 127, q = round(x / d) (half away
// from zero). Returns d; *sum_q gets the sum of the levels.
float QuantizeBlock8(const float* x, int8_t* qs, int* sum_q) {
  const float d = AbsMax(x, kQK) / 127;
  const float id = InverseOrZero(d);
  int sum = 0;
  for (int j = 0; j < kQK; ++j) {
    const float scaled = x[j] * id;
    qs[j] = static_cast<int8_t>(std::round(scaled));
    sum += qs[j];
  }
  *sum_q = sum;
  return d;
}

}  // namespace

void quantize_row_q8_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_0*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    int unused_sum;
    y[b].d = Fp32ToFp16(QuantizeBlock8(src + b * kQK, y[b].qs, &unused_sum));
  }
}

void dequantize_row_q8_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_0*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = Fp16ToFp32(x[b].d);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = static_cast<float>(x[b].qs[j]) * d;
  }
}

float dot_q8_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ8_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQK; ++b) {
    int sum_q = 0;
    for (int j = 0; j < kQK; ++j) sum_q += x[b].qs[j] * y[b].qs[j];
    // ggml's order: sum_q * (dx * dy).
    const float dd = Fp16ToFp32(x[b].d) * Fp16ToFp32(y[b].d);
    const float block = static_cast<float>(sum_q) * dd;
    sum += block;
  }
  return sum;
}

void quantize_row_q8_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ8_1*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    int sum_q;
    const float d = QuantizeBlock8(src + b * kQK, y[b].qs, &sum_q);
    y[b].d = Fp32ToFp16(d);
    y[b].s = Fp32ToFp16(static_cast<float>(sum_q) * d);  // the unrounded d, as llama.cpp
  }
}

// llama.cpp has no Q8_1 dequantizer; ours is for tests and completeness.
void dequantize_row_q8_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ8_1*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = Fp16ToFp32(x[b].d);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = static_cast<float>(x[b].qs[j]) * d;
  }
}

}  // namespace pipit::quant
