// Q5_0 and Q5_1: 5-bit weights in blocks of 32, the low 4 bits in nibbles
// and the fifth bits in a 32-bit mask. Reference code, bit-identical to
// llama.cpp's quantize_row_q5_{0,1}_ref, dequantize_row_q5_{0,1} and
// ggml_vec_dot_q5_{0_q8_0,1_q8_1}_generic. (Separate statements for products
// and sums keep compilers from fusing them: see q4_legacy.cpp.)
#include <algorithm>

#include "quant/blocks_legacy.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/legacy_common.h"

namespace pipit::quant {

using namespace legacy;

namespace {

// Packs 32 five-bit levels (weight j at index j) into nibbles + high-bit mask.
template <typename Block>
void Pack5(const int* q, Block* y) {
  uint32_t qh = 0;
  for (int j = 0; j < kQK / 2; ++j) {
    const int lo = q[j];
    const int hi = q[j + kQK / 2];
    y->qs[j] = static_cast<uint8_t>((lo & 0x0F) | ((hi & 0x0F) << 4));
    qh |= static_cast<uint32_t>((lo >> 4) & 1) << j;
    qh |= static_cast<uint32_t>((hi >> 4) & 1) << (j + kQK / 2);
  }
  StoreQh(qh, y->qh);
}

// Unpacks the 32 five-bit levels of a block, q in [0, 31].
template <typename Block>
void Unpack5(const Block& x, int* q) {
  const uint32_t qh = LoadQh(x.qh);
  for (int j = 0; j < kQK / 2; ++j) {
    q[j] = (x.qs[j] & 0x0F) | static_cast<int>(((qh >> j) & 1u) << 4);
    q[j + kQK / 2] = (x.qs[j] >> 4) | static_cast<int>(((qh >> (j + kQK / 2)) & 1u) << 4);
  }
}

}  // namespace

void quantize_row_q5_0(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5_0*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;  // [32]
    const float d = SignedAbsMax(x, kQK) / -16;  // largest weight -> level -16
    const float id = InverseOrZero(d);
    y[b].d = Fp32ToFp16(d);
    int q[kQK];
    for (int j = 0; j < kQK; ++j) {
      const float scaled = x[j] * id;
      q[j] = std::min(31, static_cast<int>(scaled + 16.5f));
    }
    Pack5(q, &y[b]);
  }
}

void dequantize_row_q5_0(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5_0*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = Fp16ToFp32(x[b].d);
    int q[kQK];
    Unpack5(x[b], q);
    for (int j = 0; j < kQK; ++j) dst[b * kQK + j] = static_cast<float>(q[j] - 16) * d;
  }
}

float dot_q5_0_q8_0(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ5_0*>(row);
  const auto* y = static_cast<const BlockQ8_0*>(act);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQK; ++b) {
    int q[kQK];
    Unpack5(x[b], q);
    int sum_q = 0;
    for (int j = 0; j < kQK; ++j) sum_q += (q[j] - 16) * y[b].qs[j];
    const float dd = Fp16ToFp32(x[b].d) * Fp16ToFp32(y[b].d);
    const float block = dd * static_cast<float>(sum_q);
    sum += block;
  }
  return sum;
}

void quantize_row_q5_1(const float* src, void* dst, int64_t n) {
  auto* y = static_cast<BlockQ5_1*>(dst);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float* x = src + b * kQK;  // [32]
    float min, max;
    MinMax(x, kQK, &min, &max);
    const float d = (max - min) / 31;
    const float id = InverseOrZero(d);
    y[b].d = Fp32ToFp16(d);
    y[b].m = Fp32ToFp16(min);
    int q[kQK];
    for (int j = 0; j < kQK; ++j) {
      const float scaled = (x[j] - min) * id;
      // llama.cpp does not clamp here; (max - min) * (1 / d) stays below 31.5.
      q[j] = static_cast<int>(scaled + 0.5f);
    }
    Pack5(q, &y[b]);
  }
}

void dequantize_row_q5_1(const void* src, float* dst, int64_t n) {
  const auto* x = static_cast<const BlockQ5_1*>(src);
  for (int64_t b = 0; b < n / kQK; ++b) {
    const float d = Fp16ToFp32(x[b].d);
    const float m = Fp16ToFp32(x[b].m);
    int q[kQK];
    Unpack5(x[b], q);
    for (int j = 0; j < kQK; ++j) {
      const float scaled = static_cast<float>(q[j]) * d;
      dst[b * kQK + j] = scaled + m;
    }
  }
}

float dot_q5_1_q8_1(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ5_1*>(row);
  const auto* y = static_cast<const BlockQ8_1*>(act);
  float sum = 0.0f;
  for (int64_t b = 0; b < n / kQK; ++b) {
    int q[kQK];
    Unpack5(x[b], q);
    int sum_q = 0;
    for (int j = 0; j < kQK; ++j) sum_q += q[j] * y[b].qs[j];
    const float dd = Fp16ToFp32(x[b].d) * Fp16ToFp32(y[b].d);
    const float scaled = dd * static_cast<float>(sum_q);
    const float offset = Fp16ToFp32(x[b].m) * Fp16ToFp32(y[b].s);
    const float block = scaled + offset;
    sum += block;
  }
  return sum;
}

}  // namespace pipit::quant
