// Q2_K: 2-bit weights in super-blocks of 256 (16 sub-blocks of 16), each
// sub-block with a 4-bit scale and a 4-bit min: x = d*sc*q - dmin*m.
#include <algorithm>
#include <cmath>

#include "quant/blocks_k.h"
#include "quant/formats.h"
#include "quant/fp16.h"
#include "quant/kquant_search.h"

namespace pipit::quant {
namespace {

// Level of weight e (0..255) of a block: stripe (e%128)/32 of half e/128.
inline int Q2Level(const BlockQ2K& b, int e) {
  const int half = e / 128, stripe = (e % 128) / 32, l = e % 32;
  return (b.qs[32 * half + l] >> (2 * stripe)) & 3;
}

void QuantizeBlock(const float* x, BlockQ2K* y) {
  constexpr float kMaxLevel4 = 15.f;  // scales and mins are 4-bit
  uint8_t L[kQK_K];
  uint8_t scratch[16];
  float weights[16];
  float mins[kQK_K / 16];
  float scales[kQK_K / 16];

  // Per sub-block scale/min, weighting each value by its magnitude and
  // measuring absolute (not squared) error, as llama.cpp does for Q2_K.
  float max_scale = 0;  // scales and mins are >= 0 here
  float max_min = 0;
  for (int j = 0; j < kQK_K / 16; ++j) {
    for (int l = 0; l < 16; ++l) weights[l] = std::fabs(x[16 * j + l]);
    scales[j] = SearchScaleAndMin(16, 3, x + 16 * j, weights, L + 16 * j, &mins[j], scratch, -0.5f, 0.1f, 15,
                                  /*use_abs_error=*/true);
    if (scales[j] > max_scale) max_scale = scales[j];
    if (mins[j] > max_min) max_min = mins[j];
  }

  if (max_scale > 0) {
    const float iscale = kMaxLevel4 / max_scale;
    for (int j = 0; j < kQK_K / 16; ++j) y->scales[j] = static_cast<uint8_t>(NearestInt(iscale * scales[j]));
    y->d = Fp32ToFp16(max_scale / kMaxLevel4);
  } else {
    for (int j = 0; j < kQK_K / 16; ++j) y->scales[j] = 0;
    y->d = Fp32ToFp16(0.f);
  }
  if (max_min > 0) {
    const float iscale = kMaxLevel4 / max_min;
    for (int j = 0; j < kQK_K / 16; ++j) {
      y->scales[j] |= static_cast<uint8_t>(NearestInt(iscale * mins[j]) << 4);
    }
    y->dmin = Fp32ToFp16(max_min / kMaxLevel4);
  } else {
    y->dmin = Fp32ToFp16(0.f);
  }

  // Re-level every weight against the scales as stored (rounded to 4 bits
  // and to half precision). Sub-blocks with a zero scale keep their levels.
  const float d_all = Fp16ToFp32(y->d);
  const float dmin_all = Fp16ToFp32(y->dmin);
  for (int j = 0; j < kQK_K / 16; ++j) {
    const float d = d_all * static_cast<float>(y->scales[j] & 0xF);
    if (d == 0) continue;
    const float dm = dmin_all * static_cast<float>(y->scales[j] >> 4);
    for (int i = 0; i < 16; ++i) {
      const int l = NearestInt((x[16 * j + i] + dm) / d);
      L[16 * j + i] = static_cast<uint8_t>(std::clamp(l, 0, 3));
    }
  }

  for (int half = 0; half < 2; ++half) {
    const uint8_t* h = L + 128 * half;
    for (int l = 0; l < 32; ++l) {
      y->qs[32 * half + l] = static_cast<uint8_t>(h[l] | (h[l + 32] << 2) | (h[l + 64] << 4) | (h[l + 96] << 6));
    }
  }
}

}  // namespace

void quantize_row_q2_k(const float* src, void* dst, int64_t n) {
  auto* blocks = static_cast<BlockQ2K*>(dst);
  for (int64_t b = 0; b < n / kQK_K; ++b) QuantizeBlock(src + b * kQK_K, &blocks[b]);
}

void dequantize_row_q2_k(const void* src, float* dst, int64_t n) {
  const auto* blocks = static_cast<const BlockQ2K*>(src);
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    const BlockQ2K& block = blocks[b];
    const float d = Fp16ToFp32(block.d);
    const float dmin = Fp16ToFp32(block.dmin);
    float* y = dst + b * kQK_K;  // [256]
    for (int e = 0; e < kQK_K; ++e) {
      const uint8_t sc = block.scales[e / 16];
      const float dl = d * static_cast<float>(sc & 0xF);
      const float ml = dmin * static_cast<float>(sc >> 4);
      y[e] = dl * static_cast<float>(Q2Level(block, e)) - ml;
    }
  }
}

float dot_q2_k_q8_k(const void* row, const void* act, int64_t n) {
  const auto* x = static_cast<const BlockQ2K*>(row);
  const auto* y = static_cast<const BlockQ8K*>(act);
  float sum = 0;
  for (int64_t b = 0; b < n / kQK_K; ++b) {
    // The mins term needs only the activation's 16-element sums.
    int min_sum = 0;
    for (int j = 0; j < 16; ++j) min_sum += y[b].bsums[j] * (x[b].scales[j] >> 4);
    int scaled_sum = 0;
    for (int j = 0; j < 16; ++j) {
      int group_sum = 0;
      for (int e = 16 * j; e < 16 * j + 16; ++e) group_sum += y[b].qs[e] * Q2Level(x[b], e);
      scaled_sum += (x[b].scales[j] & 0xF) * group_sum;
    }
    const float d_all = y[b].d * Fp16ToFp32(x[b].d);
    const float d_min = y[b].d * Fp16ToFp32(x[b].dmin);
    sum += d_all * static_cast<float>(scaled_sum) - d_min * static_cast<float>(min_sum);
  }
  return sum;
}

}  // namespace pipit::quant
